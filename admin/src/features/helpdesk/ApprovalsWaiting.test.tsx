import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it, vi } from 'vitest';
import { createQueryClient, Providers } from '../../app/providers';
import { on, stubFetch } from '../../testing/stubFetch';
import type { PendingApproval } from './api';
import { HelpdeskPage } from './HelpdeskPage';

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000 + 30_000).toISOString();

const request = (over: Partial<PendingApproval>): PendingApproval => ({
  caseId: 'case-9',
  requestId: 'bg-1',
  subject: { storeId: 'corp-ad', userId: 'g-dora', displayName: 'Dora Diaz' },
  requestedBy: { storeId: 'corp-ad', userId: 'g-hanna', displayName: 'Hanna Agent' },
  reason: 'Locked out before the payroll run',
  ticket: 'INC-42',
  requestedAt: new Date().toISOString(),
  expiresAt: inMinutes(12),
  canDecide: true,
  ...over,
});

const mine = request({
  caseId: 'case-7',
  requestId: 'bg-0',
  subject: { storeId: 'corp-ad', userId: 'g-eve', displayName: 'Eve Ellis' },
  requestedBy: { storeId: 'corp-ad', userId: 'g-sam', displayName: 'Sam Senior' },
  ticket: null,
  canDecide: false,
  whyNot: 'You asked for this approval; another agent must decide',
});

afterEach(() => vi.unstubAllGlobals());

const renderPage = () =>
  render(
    <Providers client={createQueryClient()}>
      <HelpdeskPage />
    </Providers>,
  );

it('lists the approvals waiting; Approve and Deny are disabled with the backend’s reason when the agent cannot decide', async () => {
  stubFetch(
    on('GET', '/api/directory/stores', () => Response.json([])),
    on('GET', '/api/break-glass', () => Response.json({ requests: [request({}), mine] })),
  );
  renderPage();
  const list = await screen.findByRole('list', { name: 'Approvals waiting' });
  expect(screen.getByRole('heading', { name: 'Approvals waiting (2)' })).toBeInTheDocument();
  const [dora, eve] = within(list).getAllByRole('listitem');
  expect(dora).toHaveTextContent('Hanna Agent asks to unlock Dora Diaz');
  expect(dora).toHaveTextContent('Reason: Locked out before the payroll run');
  expect(dora).toHaveTextContent('Ticket INC-42');
  expect(dora).toHaveTextContent('12 min left');
  expect(within(dora).getByRole('button', { name: 'Approve' })).toBeEnabled();
  expect(within(dora).getByRole('button', { name: 'Deny' })).toBeEnabled();

  const approve = within(eve).getByRole('button', { name: 'Approve' });
  expect(approve).toBeDisabled();
  expect(within(eve).getByRole('button', { name: 'Deny' })).toBeDisabled();
  expect(approve).toHaveAccessibleDescription('You asked for this approval; another agent must decide');
});

it('approve sends the comment to the route, then the list is read again and focus goes to the section', async () => {
  const user = userEvent.setup();
  let decided = false;
  const calls = stubFetch(
    on('GET', '/api/directory/stores', () => Response.json([])),
    on('GET', '/api/break-glass', () => Response.json({ requests: decided ? [mine] : [request({}), mine] })),
    on('POST', '/api/break-glass/case-9/approve', () => {
      decided = true;
      return Response.json({
        caseId: 'case-9',
        breakGlass: {
          requestId: 'bg-1',
          status: 'approved',
          requestedBy: request({}).requestedBy,
          reason: 'Locked out before the payroll run',
          ticket: 'INC-42',
          requestedAt: request({}).requestedAt,
          expiresAt: inMinutes(12),
          decidedBy: { storeId: 'corp-ad', userId: 'g-sam', displayName: 'Sam Senior' },
          decidedAt: new Date().toISOString(),
          comment: 'Confirmed by phone',
          validUntil: inMinutes(15),
        },
      });
    }),
  );
  renderPage();
  const list = await screen.findByRole('list', { name: 'Approvals waiting' });
  const dora = within(list).getAllByRole('listitem')[0] as HTMLElement;
  await user.type(
    within(dora).getByRole('textbox', { name: /Comment on the request for Dora Diaz/ }),
    'Confirmed by phone',
  );
  await user.click(within(dora).getByRole('button', { name: 'Approve' }));

  await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1));
  expect(calls.find((c) => c.method === 'POST')).toMatchObject({
    url: '/api/break-glass/case-9/approve',
    // The request read in the list: a newer one on the same case is not approved unread.
    body: { requestId: 'bg-1', comment: 'Confirmed by phone' },
  });
  expect(await screen.findByText(/Hanna Agent can unlock Dora Diaz until/)).toBeInTheDocument();
  await waitFor(() => expect(screen.getByRole('heading', { name: 'Approvals waiting (1)' })).toHaveFocus());
});

it('a refused decision shows the backend’s message; no section when nothing waits or the list is not allowed', async () => {
  const user = userEvent.setup();
  stubFetch(
    on('GET', '/api/directory/stores', () => Response.json([])),
    on('GET', '/api/break-glass', () => Response.json({ requests: [request({})] })),
    on('POST', '/api/break-glass/case-9/deny', () =>
      Response.json(
        { statusCode: 409, reason: 'breakGlass.notPending', message: 'Sam Senior already approved this request' },
        { status: 409 },
      ),
    ),
  );
  const first = renderPage();
  const list = await screen.findByRole('list', { name: 'Approvals waiting' });
  await user.click(within(list).getByRole('button', { name: 'Deny' }));
  expect(await within(list).findByRole('alert', { name: 'Already decided' })).toHaveTextContent(
    'Sam Senior already approved this request',
  );
  first.unmount();
  vi.unstubAllGlobals();

  const calls = stubFetch(
    on('GET', '/api/directory/stores', () => Response.json([])),
    on('GET', '/api/break-glass', () =>
      Response.json({ statusCode: 403, reason: 'helpdesk.permissionDenied', message: 'No' }, { status: 403 }),
    ),
  );
  renderPage();
  await waitFor(() => expect(calls.some((c) => c.url === '/api/break-glass')).toBe(true));
  expect(screen.queryByRole('heading', { name: /Approvals waiting/ })).not.toBeInTheDocument();
});
