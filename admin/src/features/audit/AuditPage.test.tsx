import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it, vi } from 'vitest';
import { createQueryClient, Providers } from '../../app/providers';
import { on, stubFetch } from '../../testing/stubFetch';
import AuditPage from './AuditPage';
import type { AuditItem } from './api';

const item = (seq: number, over: Partial<AuditItem> = {}): AuditItem => ({
  position: String(1000 + seq),
  seq,
  eventId: `e${seq}`,
  stream: 'case-1',
  type: 'AccountUnlocked',
  time: '2026-03-01T09:30:00.000Z',
  action: 'unlock.succeeded',
  summary: `Hanna Agent unlocked Carol Jones in Corp AD (#${seq})`,
  actor: { id: 'corp-ad:hanna', displayName: 'Hanna Agent' },
  subject: { key: 'corp-ad:carol', displayName: 'Carol Jones' },
  storeId: 'corp-ad',
  storeName: 'Corp AD',
  authenticationTypes: ['securityQuestions', 'email'],
  outcome: 'success',
  reasonCode: null,
  reason: null,
  caseId: 'c1',
  ticket: 'INC-1',
  comment: null,
  client: 'admin',
  ip: '127.0.0.1',
  userAgent: 'test',
  correlationId: null,
  details: {},
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
  ...over,
});

const stores = on('GET', '/api/directory/stores', () =>
  Response.json([{ id: 'corp-ad', name: 'Corp AD', type: 'active-directory' }]),
);

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

const renderPage = () =>
  render(
    <Providers client={createQueryClient()}>
      <AuditPage />
    </Providers>,
  );

it('applies the filters to the query string and the export links', async () => {
  const user = userEvent.setup();
  const calls = stubFetch(
    stores,
    on('GET', /^\/api\/audit\/events/, () => Response.json({ items: [item(2)], nextCursor: null })),
  );
  renderPage();
  expect(await screen.findByRole('table', { name: 'Audit events' })).toHaveTextContent('Hanna Agent unlocked Carol');
  expect(calls.filter((c) => c.url.startsWith('/api/audit/events')).map((c) => c.url)).toEqual([
    '/api/audit/events?limit=50',
  ]);

  const filters = screen.getByRole('form', { name: 'Audit filters' });
  await user.type(within(filters).getByLabelText('From'), '2026-03-01T08:00');
  await user.type(within(filters).getByLabelText('Actor'), 'corp-ad:hanna');
  await user.click(within(filters).getByLabelText('Outcome'));
  await user.click(await screen.findByRole('option', { name: 'Refused', hidden: true }));
  await user.type(within(filters).getByLabelText('Action'), 'unlock.refused');
  await user.click(within(filters).getByRole('button', { name: 'Apply filters' }));

  const from = new Date('2026-03-01T08:00').toISOString();
  const expected = new URLSearchParams({ from, actor: 'corp-ad:hanna', action: 'unlock.refused', outcome: 'refused' });
  await waitFor(() => expect(calls.at(-1)?.url).toBe(`/api/audit/events?${expected}&limit=50`));
  expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute(
    'href',
    `/api/audit/export?${expected}&format=csv`,
  );
  expect(screen.getByRole('link', { name: 'Export JSON' })).toHaveAttribute(
    'href',
    `/api/audit/export?${expected}&format=json`,
  );
  expect(window.location.search).toBe(`?${expected}`); // bookmarkable
});

it('filters by an actor when their name in the table is selected', async () => {
  const user = userEvent.setup();
  const calls = stubFetch(
    stores,
    on('GET', /^\/api\/audit\/events/, () => Response.json({ items: [item(2)], nextCursor: null })),
  );
  renderPage();
  await user.click(await screen.findByRole('button', { name: 'Show only events by Hanna Agent' }));
  await waitFor(() => expect(calls.at(-1)?.url).toBe('/api/audit/events?actor=corp-ad%3Ahanna&limit=50'));
  expect(screen.getByLabelText('Actor')).toHaveValue('corp-ad:hanna');
});

it('loads older events with the cursor ("Load more")', async () => {
  const user = userEvent.setup();
  const calls = stubFetch(
    stores,
    on('GET', '/api/audit/events?limit=50', () => Response.json({ items: [item(3), item(2)], nextCursor: '1002' })),
    on('GET', '/api/audit/events?limit=50&cursor=1002', () => Response.json({ items: [item(1)], nextCursor: null })),
  );
  renderPage();
  await screen.findByRole('table', { name: 'Audit events' });
  expect(screen.getByRole('status')).toHaveTextContent('2 events shown; older events follow');
  await user.click(screen.getByRole('button', { name: 'Load more' }));
  await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(4));
  expect(calls.map((c) => c.url)).toContain('/api/audit/events?limit=50&cursor=1002');
  expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
});

it('verifies the chain and shows an intact or broken result', async () => {
  const user = userEvent.setup();
  let ok = true;
  stubFetch(
    stores,
    on('GET', /^\/api\/audit\/events/, () => Response.json({ items: [], nextCursor: null })),
    on('GET', '/api/audit/verify', () =>
      Response.json(
        ok
          ? { ok: true, checked: 42, headPosition: '1042', headHash: 'c'.repeat(64) }
          : {
              ok: false,
              checked: 7,
              headPosition: '1007',
              headHash: 'd'.repeat(64),
              firstBroken: { position: '1005', seq: 5, problem: 'hash does not match the row' },
            },
      ),
    ),
  );
  renderPage();
  expect(await screen.findByText('No events match these filters.')).toBeInTheDocument();
  await user.click(screen.getByRole('button', { name: 'Verify chain' }));
  expect(await screen.findByText('Hash chain intact')).toBeInTheDocument();
  expect(screen.getByText(/42 events checked/)).toBeInTheDocument();
  ok = false;
  await user.click(screen.getByRole('button', { name: 'Verify chain' }));
  expect(await screen.findByText('Hash chain broken')).toBeInTheDocument();
  expect(screen.getByText(/first broken link is event 5 \(position 1005\): hash does not match the row/)).toBeVisible();
});

it("shows the backend's reason when the log cannot be read", async () => {
  stubFetch(
    stores,
    on('GET', /^\/api\/audit\/events/, () =>
      Response.json(
        { statusCode: 403, reason: 'forbidden', message: 'Your role (Auditor) lacks View Audit' },
        { status: 403 },
      ),
    ),
  );
  renderPage();
  expect(await screen.findByRole('alert')).toHaveTextContent('Your role (Auditor) lacks View Audit');
});
