import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it, vi } from 'vitest';
import { createQueryClient, Providers } from '../../app/providers';
import { type Call, on, stubFetch } from '../../testing/stubFetch';
import type { BreakGlass, CaseView, Permit, UserProfile, UserRow } from './api';
import { UnlockDialog } from './UnlockDialog';

const ok: Permit = { allowed: true, reasonCode: null, reason: null };
const no = (reasonCode: string, reason: string): Permit => ({ allowed: false, reasonCode, reason });
const UNENROLLED = no(
  'unlock.unenrolledNotAllowed',
  'The user is not enrolled; unenrolled users can be unlocked only with the Unlock Any Account permission and an unrestricted helpdesk policy',
);
const restricted = { mode: 'restricted' as const, requiredTypes: 2, minSecurityQuestions: 2 };

const dora: UserRow = {
  storeId: 'corp-ad',
  id: 'g-dora',
  dn: 'CN=Dora Diaz,OU=Staff,DC=example,DC=test',
  username: 'dora',
  displayName: 'Dora Diaz',
  lock: { state: 'locked', failedAttempts: 5 },
  disabled: false,
  enrolledTypes: [],
};

function profile(unlock: Permit = UNENROLLED, enrolled = false): UserProfile {
  return {
    account: { storeId: 'corp-ad', id: 'g-dora', dn: dora.dn, username: 'dora', displayName: 'Dora Diaz' },
    store: { id: 'corp-ad', name: 'Corp AD', type: 'active-directory', capabilities: { canUnlock: true } },
    lock: { state: 'locked', lockedAt: '2026-01-02T09:00:00Z', failedAttempts: 5 },
    passwordLastChanged: null,
    insight: {
      lockedSince: '2026-01-02T09:00:00Z',
      lockExpiresAt: null,
      failedAttempts: 5,
      lastFailedAt: null,
      passwordMustChange: false,
      passwordExpired: false,
      notes: [],
      recentUnlocks: [],
      unlocksLast7Days: 0,
      warning: null,
    },
    enrollment: enrolled
      ? {
          types: ['email'],
          enrolled: true,
          securityQuestions: [],
          maskedEmail: 'd***@example.test',
          maskedPhone: null,
        }
      : { types: [], enrolled: false, securityQuestions: [], maskedEmail: null, maskedPhone: null },
    linkedAccounts: [],
    linkErrors: [],
    role: { roleId: 'helpdesk-agent', name: 'Helpdesk agent', permissions: ['UnlockAccount'], policy: restricted },
    actions: {
      openCase: ok,
      skipAuthentication: unlock,
      unlock,
      authenticationRequired: true,
      policy: restricted,
    },
  };
}

const hanna = { storeId: 'corp-ad', userId: 'g-hanna', displayName: 'Hanna Agent' };
const sam = { storeId: 'corp-ad', userId: 'g-sam', displayName: 'Sam Senior' };

const breakGlass = (over: Partial<BreakGlass> = {}): BreakGlass => ({
  requestId: 'bg-1',
  status: 'pending',
  requestedBy: hanna,
  reason: 'Locked out before the payroll run',
  ticket: 'INC-42',
  requestedAt: '2026-01-02T09:00:00Z',
  expiresAt: '2026-01-02T09:30:00Z',
  ...over,
});

const caseView = (bg: BreakGlass | null): CaseView => ({
  caseId: 'case-9',
  status: 'open',
  policy: restricted,
  role: { roleId: 'helpdesk-agent', name: 'Helpdesk agent' },
  enrollment: { types: [], securityQuestions: [], maskedEmail: null, maskedPhone: null },
  progress: {
    met: false,
    required: 2,
    verifiedTypes: [],
    questionsRequired: 2,
    questionsVerified: 0,
    attainable: false,
  },
  authenticated: false,
  authenticatedUntil: null,
  authenticationExpired: false,
  verificationLock: { locked: false, lockedUntil: null, failures: 0, maxFailures: 5 },
  codes: { email: null, phone: null },
  breakGlass: bg,
});

afterEach(() => vi.unstubAllGlobals());

const get = (path: string, answer: (c: Call) => unknown) => on('GET', `/api${path}`, (c) => Response.json(answer(c)));
const post = (path: string, answer: (c: Call) => Response) => on('POST', `/api${path}`, answer);

const renderDialog = () =>
  render(
    <Providers client={createQueryClient()}>
      <UnlockDialog user={dora} onClose={vi.fn()} />
    </Providers>,
  );

const hhmm = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

it('offers two-person approval only for an unenrolled user refused as unenrolled', async () => {
  stubFetch(get('/users/corp-ad/g-dora', () => profile()));
  const first = renderDialog();
  expect(await screen.findByRole('group', { name: 'Two-person approval' })).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Unlock' })).toBeDisabled();
  first.unmount();
  vi.unstubAllGlobals();

  // Unenrolled but refused for another reason: no approval path.
  stubFetch(
    get('/users/corp-ad/g-dora', () => profile(no('helpdesk.permissionDenied', 'Your role cannot unlock accounts'))),
  );
  const second = renderDialog();
  expect(await screen.findByRole('alert', { name: 'Unlock not allowed' })).toHaveTextContent(
    'Your role cannot unlock accounts',
  );
  expect(screen.queryByRole('group', { name: 'Two-person approval' })).not.toBeInTheDocument();
  second.unmount();
  vi.unstubAllGlobals();

  // Enrolled: the usual Authenticate page, no approval path.
  stubFetch(
    get('/users/corp-ad/g-dora', () => profile(no('unlock.notAuthenticated', 'Authenticate first'), true)),
    post('/users/corp-ad/g-dora/cases', () => Response.json(caseView(null))),
  );
  renderDialog();
  expect(await screen.findByRole('button', { name: 'Next' })).toBeInTheDocument();
  expect(screen.queryByRole('group', { name: 'Two-person approval' })).not.toBeInTheDocument();
});

it('checks the reason before asking: too short shows the message and nothing is sent', async () => {
  const user = userEvent.setup();
  const calls = stubFetch(get('/users/corp-ad/g-dora', () => profile()));
  renderDialog();
  const panel = await screen.findByRole('group', { name: 'Two-person approval' });
  const reason = within(panel).getByRole('textbox', { name: /Reason for the approval/ });
  await user.type(reason, 'urgent');
  expect(within(panel).getByText('6 of 1000 characters (at least 10)')).toBeInTheDocument();
  await user.click(within(panel).getByRole('button', { name: 'Ask for approval' }));
  expect(await within(panel).findByText('Give a reason of at least 10 characters')).toBeInTheDocument();
  expect(reason).toHaveAttribute('aria-invalid', 'true');
  expect(reason).toHaveFocus();
  expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
});

it('asks for approval (opening a case), waits while pending, and unlocks with the case once approved', async () => {
  const user = userEvent.setup();
  let reads = 0;
  const approved = breakGlass({
    status: 'approved',
    decidedBy: sam,
    decidedAt: '2026-01-02T09:05:00Z',
    comment: 'Confirmed with her manager',
    validUntil: '2026-01-02T09:20:00Z',
  });
  const calls = stubFetch(
    get('/users/corp-ad/g-dora', () => profile()),
    post('/users/corp-ad/g-dora/cases', () => Response.json(caseView(null))),
    post('/cases/case-9/break-glass', () =>
      Response.json({ caseId: 'case-9', breakGlass: breakGlass() }, { status: 201 }),
    ),
    get('/cases/case-9', () => {
      reads++;
      return caseView(reads === 1 ? breakGlass() : approved);
    }),
    post('/users/corp-ad/g-dora/unlock', (c) =>
      Response.json({
        caseId: 'case-9',
        idempotencyKey: c.headers['Idempotency-Key'],
        results: [
          {
            storeId: 'corp-ad',
            storeType: 'active-directory',
            userId: 'g-dora',
            dn: dora.dn,
            linked: false,
            outcome: 'unlocked',
            reasonCode: null,
            reason: null,
            lock: { state: 'unlocked' },
            directoryMessage: null,
          },
        ],
        notification: { status: 'skipped', reason: 'noAddress' },
      }),
    ),
  );
  renderDialog();
  const panel = await screen.findByRole('group', { name: 'Two-person approval' });
  await user.type(
    within(panel).getByRole('textbox', { name: /Reason for the approval/ }),
    'Locked out before the payroll run',
  );
  await user.type(within(panel).getByRole('textbox', { name: /Ticket reference for the approval/ }), 'INC-42');
  await user.click(within(panel).getByRole('button', { name: 'Ask for approval' }));

  const status = await within(panel).findByRole('status', { name: 'Waiting for a second agent' });
  expect(status).toHaveTextContent(`it expires at ${hhmm('2026-01-02T09:30:00Z')}`);
  await waitFor(() => expect(status).toHaveFocus());
  expect(within(panel).queryByRole('button', { name: 'Ask for approval' })).not.toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Unlock' })).toBeDisabled();
  const asked = calls.find((c) => c.url === '/api/cases/case-9/break-glass');
  expect(asked?.body).toEqual({ reason: 'Locked out before the payroll run', ticket: 'INC-42' });
  expect(calls.findIndex((c) => c.url.endsWith('/cases'))).toBeLessThan(calls.indexOf(asked as Call));

  // The next read of the case (every few seconds while pending) brings the approval.
  expect(await within(panel).findByRole('status', { name: 'Approved' }, { timeout: 8000 })).toHaveTextContent(
    `Approved by Sam Senior until ${hhmm('2026-01-02T09:20:00Z')}`,
  );
  expect(within(panel).getByText('Comment: “Confirmed with her manager”')).toBeInTheDocument();
  expect(screen.queryByRole('alert', { name: 'Unlock not allowed' })).not.toBeInTheDocument();
  const unlock = screen.getByRole('button', { name: 'Unlock' });
  expect(unlock).toBeEnabled();
  await user.click(unlock);
  await screen.findByRole('list', { name: 'Unlock results' });
  expect(calls.find((c) => c.url.endsWith('/unlock'))?.body).toEqual({
    accounts: [{ storeId: 'corp-ad', userId: 'g-dora' }],
    caseId: 'case-9',
  });
});

it('shows the backend’s refusal with its message, and a denial with the comment so the agent may ask again', async () => {
  const user = userEvent.setup();
  let attempts = 0;
  stubFetch(
    get('/users/corp-ad/g-dora', () => profile()),
    post('/users/corp-ad/g-dora/cases', () => Response.json(caseView(null))),
    post('/cases/case-9/break-glass', () => {
      attempts++;
      return attempts === 1
        ? Response.json(
            { statusCode: 409, reason: 'breakGlass.alreadyRequested', message: 'This case already has a request' },
            { status: 409 },
          )
        : Response.json({ caseId: 'case-9', breakGlass: breakGlass() }, { status: 201 });
    }),
    get('/cases/case-9', () =>
      caseView(breakGlass({ status: 'denied', decidedBy: sam, comment: 'Call her manager first' })),
    ),
  );
  renderDialog();
  const panel = await screen.findByRole('group', { name: 'Two-person approval' });
  const reason = within(panel).getByRole('textbox', { name: /Reason for the approval/ });
  await user.type(reason, 'Locked out before the payroll run');
  await user.click(within(panel).getByRole('button', { name: 'Ask for approval' }));
  expect(await within(panel).findByRole('alert', { name: 'Already asked' })).toHaveTextContent(
    'This case already has a request',
  );
  await user.click(within(panel).getByRole('button', { name: 'Ask for approval' }));
  const status = await within(panel).findByRole('status', { name: 'Denied' });
  expect(status).toHaveTextContent('Denied by Sam Senior');
  expect(status).toHaveTextContent('Comment: “Call her manager first”');
  expect(within(panel).getByRole('button', { name: 'Ask again' })).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Unlock' })).toBeDisabled();
});

it('picks up the request again when the dialog is reopened (the profile names the case), without a new case', async () => {
  const calls = stubFetch(
    get('/users/corp-ad/g-dora', () => ({ ...profile(), breakGlass: { caseId: 'case-9', status: 'pending' } })),
    get('/cases/case-9', () => caseView(breakGlass())),
  );
  renderDialog();
  const panel = await screen.findByRole('group', { name: 'Two-person approval' });
  expect(await within(panel).findByRole('status', { name: 'Waiting for a second agent' })).toBeInTheDocument();
  expect(within(panel).queryByRole('button', { name: 'Ask for approval' })).not.toBeInTheDocument();
  expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
});
