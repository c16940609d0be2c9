import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it, vi } from 'vitest';
import { createQueryClient, Providers } from '../../app/providers';
import { type Call, on, stubFetch } from '../../testing/stubFetch';
import type { CaseView, KioskSessionWaiting, Permit, UserProfile } from './api';
import { HelpdeskPage } from './HelpdeskPage';
import { normaliseSessionCode, sessionCodeProblem } from './kioskModel';
import { UnlockDialog } from './UnlockDialog';

const ok: Permit = { allowed: true, reasonCode: null, reason: null };
const NOT_AUTHENTICATED: Permit = {
  allowed: false,
  reasonCode: 'unlock.notAuthenticated',
  reason: "The user has not been authenticated to your role's helpdesk policy in this case",
};
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000 - 10_000).toISOString();

const waiting = (over: Partial<KioskSessionWaiting>): KioskSessionWaiting => ({
  sessionId: 's-1',
  kioskId: 'k-1',
  kioskName: 'Lobby kiosk',
  usernameTyped: 'dora',
  startedAt: minutesAgo(3),
  expiresAt: new Date(Date.now() + 7 * 60_000).toISOString(),
  ...over,
});

const restricted = { mode: 'restricted' as const, requiredTypes: 1, minSecurityQuestions: 2 };
const profile: UserProfile = {
  account: { storeId: 'corp-ad', id: 'g-dora', dn: 'CN=Dora Diaz,DC=corp', username: 'dora', displayName: 'Dora Diaz' },
  store: { id: 'corp-ad', name: 'Corp AD', type: 'active-directory', capabilities: { canUnlock: true } },
  lock: { state: 'locked', failedAttempts: 3 },
  passwordLastChanged: null,
  insight: {
    lockedSince: null,
    lockExpiresAt: null,
    failedAttempts: 3,
    lastFailedAt: null,
    passwordMustChange: false,
    passwordExpired: false,
    notes: [],
    recentUnlocks: [],
    unlocksLast7Days: 0,
    warning: null,
  },
  enrollment: {
    types: ['securityQuestions'],
    enrolled: true,
    securityQuestions: [
      { questionId: 'q1', question: 'First pet?' },
      { questionId: 'q2', question: 'Born where?' },
    ],
    maskedEmail: null,
    maskedPhone: null,
  },
  linkedAccounts: [],
  linkErrors: [],
  role: { roleId: 'helpdesk-agent', name: 'Helpdesk agent', permissions: ['UnlockAccount'], policy: restricted },
  actions: {
    openCase: ok,
    skipAuthentication: NOT_AUTHENTICATED,
    unlock: NOT_AUTHENTICATED,
    authenticationRequired: true,
    policy: restricted,
  },
};

function kioskCase(verified: string[] = []): CaseView {
  const met = verified.length >= 2;
  return {
    caseId: 'case-k1',
    status: 'open',
    policy: restricted,
    role: { roleId: 'helpdesk-agent', name: 'Helpdesk agent' },
    enrollment: {
      types: ['securityQuestions'],
      securityQuestions: [
        { questionId: 'q1', question: 'First pet?', verified: verified.includes('q1') },
        { questionId: 'q2', question: 'Born where?', verified: verified.includes('q2') },
      ],
      maskedEmail: null,
      maskedPhone: null,
    },
    progress: {
      met,
      required: 1,
      verifiedTypes: met ? ['securityQuestions'] : [],
      questionsRequired: 2,
      questionsVerified: verified.length,
      attainable: true,
    },
    authenticated: met,
    authenticatedUntil: null,
    authenticationExpired: false,
    verificationLock: { locked: false, lockedUntil: null, failures: 0, maxFailures: 5 },
    codes: { email: null, phone: null },
    kiosk: { sessionId: 's-1', kioskId: 'k-1', kioskName: 'Lobby kiosk' },
  };
}

const stores = on('GET', '/api/directory/stores', () =>
  Response.json([
    { id: 'corp-ad', name: 'Corp AD', type: 'active-directory', capabilities: { canUnlock: true, canSearch: true } },
  ]),
);
const sessions = (list: KioskSessionWaiting[]) =>
  on('GET', '/api/kiosk-sessions', () => Response.json({ sessions: list }));

afterEach(() => vi.unstubAllGlobals());

const renderPage = () =>
  render(
    <Providers client={createQueryClient()}>
      <HelpdeskPage />
    </Providers>,
  );

it('normalises a code read aloud: lower case, a space or dash between the halves', () => {
  expect(normaliseSessionCode('k7q-m2p')).toBe('K7QM2P');
  expect(normaliseSessionCode(' k7q m2p ')).toBe('K7QM2P');
  expect(sessionCodeProblem('k7q-m2')).toBe('The code has 6 characters');
  expect(sessionCodeProblem('k7q-m2p')).toBeNull();
});

it('lists the kiosk sessions waiting: kiosk, typed username and waiting time', async () => {
  stubFetch(
    stores,
    sessions([
      waiting({}),
      waiting({ sessionId: 's-2', kioskName: 'Library kiosk', usernameTyped: 'eve', startedAt: minutesAgo(0) }),
    ]),
  );
  renderPage();
  const list = await screen.findByRole('list', { name: 'Kiosk sessions waiting' });
  expect(screen.getByRole('heading', { name: 'Kiosk sessions waiting (2)' })).toBeInTheDocument();
  const [first, second] = within(list).getAllByRole('listitem');
  expect(first).toHaveTextContent('dora at Lobby kiosk');
  expect(first).toHaveTextContent('waiting 3 min');
  expect(second).toHaveTextContent('eve at Library kiosk');
  expect(second).toHaveTextContent('waiting less than a minute');
  expect(screen.getByRole('form', { name: 'Claim a kiosk session' })).toBeInTheDocument();
});

it('hides the kiosk section when the list answers 403, and stops asking', async () => {
  const calls = stubFetch(
    stores,
    on('GET', '/api/kiosk-sessions', () =>
      Response.json(
        { reason: 'helpdesk.permissionDenied', message: 'Your role lacks Unlock Account' },
        { status: 403 },
      ),
    ),
  );
  renderPage();
  await screen.findByRole('heading', { name: 'Helpdesk Operations' });
  await waitFor(() => expect(calls.some((c) => c.url === '/api/kiosk-sessions')).toBe(true));
  await new Promise((r) => setTimeout(r, 50));
  expect(screen.queryByRole('heading', { name: /Kiosk sessions waiting/ })).not.toBeInTheDocument();
  expect(screen.queryByRole('form', { name: 'Claim a kiosk session' })).not.toBeInTheDocument();
  expect(screen.queryByRole('alert')).not.toBeInTheDocument();
});

it('with no session waiting, the list is hidden and the claim form stays', async () => {
  stubFetch(stores, sessions([]));
  renderPage();
  expect(await screen.findByRole('form', { name: 'Claim a kiosk session' })).toBeInTheDocument();
  expect(screen.queryByRole('heading', { name: /Kiosk sessions waiting/ })).not.toBeInTheDocument();
});

it('claims with the code normalised and opens Unlock Account on the claimed case (no new case)', async () => {
  const user = userEvent.setup();
  let claimed = false;
  const calls = stubFetch(
    stores,
    on('GET', '/api/kiosk-sessions', () => Response.json({ sessions: claimed ? [] : [waiting({})] })),
    on('POST', '/api/kiosk-sessions/claim', () => {
      claimed = true;
      return Response.json({
        sessionId: 's-1',
        caseId: 'case-k1',
        subject: { storeId: 'corp-ad', userId: 'g-dora', displayName: 'Dora Diaz' },
      });
    }),
    on('GET', '/api/users/corp-ad/g-dora', () => Response.json(profile)),
    on('GET', '/api/cases/case-k1', () => Response.json(kioskCase())),
  );
  renderPage();
  const form = await screen.findByRole('form', { name: 'Claim a kiosk session' });
  await user.type(within(form).getByRole('textbox', { name: /Claim a kiosk session/ }), 'k7q-m2p');
  await user.click(within(form).getByRole('button', { name: 'Claim' }));

  const dialog = await screen.findByRole('dialog', { name: 'Unlock Account — Dora Diaz' });
  expect(calls.find((c) => c.url === '/api/kiosk-sessions/claim')?.body).toEqual({ code: 'K7QM2P' });
  expect(await within(dialog).findByText(/The person is at kiosk Lobby kiosk/)).toBeInTheDocument();
  expect(calls.some((c) => c.method === 'GET' && c.url === '/api/cases/case-k1')).toBe(true);
  expect(calls.some((c) => c.method === 'POST' && c.url.endsWith('/cases'))).toBe(false);
  expect(within(dialog).getByRole('textbox', { name: 'Answer to question 1' })).toBeInTheDocument();
  await waitFor(() => expect(screen.queryByRole('list', { name: 'Kiosk sessions waiting' })).not.toBeInTheDocument());
});

it('checks the code’s form before asking the backend', async () => {
  const user = userEvent.setup();
  const calls = stubFetch(stores, sessions([]));
  renderPage();
  const form = await screen.findByRole('form', { name: 'Claim a kiosk session' });
  await user.type(within(form).getByRole('textbox', { name: /Claim a kiosk session/ }), 'k7q');
  await user.click(within(form).getByRole('button', { name: 'Claim' }));
  expect(within(form).getByText('The code has 6 characters')).toBeInTheDocument();
  expect(calls.some((c) => c.method === 'POST')).toBe(false);
});

it.each([
  [404, 'kiosk.codeUnknown', 'No waiting kiosk session has this code', 'Unknown code'],
  [
    409,
    'kiosk.noSuchUser',
    'The name typed at the kiosk matches no account — ask the person to start again',
    'No such account',
  ],
  [409, 'kiosk.alreadyClaimed', 'Another agent has already claimed this kiosk session', 'Already claimed'],
  [403, 'helpdesk.outOfScope', 'The user is outside the scope of your role', 'Outside your scope'],
])('shows the refusal %i %s with the backend’s message', async (status, reason, message, title) => {
  const user = userEvent.setup();
  stubFetch(
    stores,
    sessions([waiting({})]),
    on('POST', '/api/kiosk-sessions/claim', () => Response.json({ statusCode: status, reason, message }, { status })),
  );
  renderPage();
  const form = await screen.findByRole('form', { name: 'Claim a kiosk session' });
  await user.type(within(form).getByRole('textbox', { name: /Claim a kiosk session/ }), 'K7QM2P');
  await user.click(within(form).getByRole('button', { name: 'Claim' }));
  const alert = await within(form).findByRole('alert');
  expect(alert).toHaveTextContent(title);
  expect(alert).toHaveTextContent(message);
  expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
});

it('on a kiosk case, notes the kiosk, reads the case again every 2 s so kiosk answers show, and can end the session', async () => {
  const user = userEvent.setup();
  let kioskAnswered = false;
  let ended = false;
  const calls = stubFetch(
    on('GET', '/api/users/corp-ad/g-dora', () => Response.json(profile)),
    on('GET', '/api/cases/case-k1', () => Response.json(kioskCase(kioskAnswered ? ['q1'] : []))),
    on('POST', '/api/cases/case-k1/security-answers', (c: Call) =>
      Response.json({ outcome: 'verified', case: kioskCase(['q1', (c.body as { questionId: string }).questionId]) }),
    ),
    on('POST', '/api/kiosk-sessions/s-1/end', () => {
      ended = true;
      return Response.json({});
    }),
  );
  render(
    <Providers client={createQueryClient()}>
      <UnlockDialog
        user={{ storeId: 'corp-ad', id: 'g-dora', username: 'Dora Diaz', displayName: 'Dora Diaz' }}
        caseId="case-k1"
        onClose={vi.fn()}
      />
    </Providers>,
  );
  const dialog = await screen.findByRole('dialog', { name: 'Unlock Account — Dora Diaz' });
  expect(
    await within(dialog).findByText(/The person is at kiosk Lobby kiosk: their answers appear here as they give them/),
  ).toBeInTheDocument();
  expect(within(dialog).getByText('0 of 2 answered correctly.', { exact: false })).toBeInTheDocument();

  // The person answers question 1 at the kiosk: the next read of the case shows it.
  kioskAnswered = true;
  await waitFor(() => expect(within(dialog).getByText(/1 of 2 answered correctly/)).toBeInTheDocument(), {
    timeout: 4000,
  });
  const reads = () => calls.filter((c) => c.method === 'GET' && c.url === '/api/cases/case-k1').length;
  expect(reads()).toBeGreaterThanOrEqual(2);

  // The agent can still type an answer.
  await user.type(within(dialog).getByRole('textbox', { name: 'Answer to question 2' }), 'Springfield');
  await user.click(within(dialog).getAllByRole('button', { name: 'Verify' })[0] as HTMLElement);
  await waitFor(() => expect(within(dialog).getByText(/2 of 2 answered correctly/)).toBeInTheDocument());

  await user.click(within(dialog).getByRole('button', { name: 'End kiosk session' }));
  expect(await within(dialog).findByText(/The kiosk session has ended/)).toBeInTheDocument();
  expect(ended).toBe(true);
  const after = reads();
  await new Promise((r) => setTimeout(r, 2500));
  expect(reads()).toBe(after);
}, 15_000);

it('does not read a kiosk case again once the dialog leaves the Authenticate page', async () => {
  const user = userEvent.setup();
  const calls = stubFetch(
    on('GET', '/api/users/corp-ad/g-dora', () => Response.json(profile)),
    on('GET', '/api/cases/case-k1', () => Response.json(kioskCase())),
    on('GET', /\/history/, () => Response.json({ items: [], nextCursor: null })),
  );
  render(
    <Providers client={createQueryClient()}>
      <UnlockDialog
        user={{ storeId: 'corp-ad', id: 'g-dora', username: 'Dora Diaz', displayName: 'Dora Diaz' }}
        caseId="case-k1"
        onClose={vi.fn()}
      />
    </Providers>,
  );
  const dialog = await screen.findByRole('dialog', { name: 'Unlock Account — Dora Diaz' });
  await within(dialog).findByText(/The person is at kiosk Lobby kiosk/);
  await user.click(within(dialog).getByRole('button', { name: 'History' }));
  const reads = () => calls.filter((c) => c.method === 'GET' && c.url === '/api/cases/case-k1').length;
  const before = reads();
  await new Promise((r) => setTimeout(r, 2500));
  expect(reads()).toBe(before);
}, 10_000);

it('says so when the claimed case cannot be read', async () => {
  stubFetch(
    on('GET', '/api/users/corp-ad/g-dora', () => Response.json(profile)),
    on('GET', '/api/cases/case-k1', () =>
      Response.json({ reason: 'case.notYours', message: 'This case belongs to another agent' }, { status: 403 }),
    ),
  );
  render(
    <Providers client={createQueryClient()}>
      <UnlockDialog
        user={{ storeId: 'corp-ad', id: 'g-dora', username: 'Dora Diaz', displayName: 'Dora Diaz' }}
        caseId="case-k1"
        onClose={vi.fn()}
      />
    </Providers>,
  );
  const dialog = await screen.findByRole('dialog', { name: 'Unlock Account — Dora Diaz' });
  expect(await within(dialog).findByRole('alert')).toHaveTextContent('This case belongs to another agent');
});

it('ending a kiosk session the kiosk already ended shows it as ended', async () => {
  const user = userEvent.setup();
  stubFetch(
    on('GET', '/api/users/corp-ad/g-dora', () => Response.json(profile)),
    on('GET', '/api/cases/case-k1', () => Response.json(kioskCase())),
    on('POST', '/api/kiosk-sessions/s-1/end', () =>
      Response.json({ reason: 'kiosk.sessionOver', message: 'The kiosk session is over' }, { status: 410 }),
    ),
  );
  render(
    <Providers client={createQueryClient()}>
      <UnlockDialog
        user={{ storeId: 'corp-ad', id: 'g-dora', username: 'Dora Diaz', displayName: 'Dora Diaz' }}
        caseId="case-k1"
        onClose={vi.fn()}
      />
    </Providers>,
  );
  const dialog = await screen.findByRole('dialog', { name: 'Unlock Account — Dora Diaz' });
  await user.click(await within(dialog).findByRole('button', { name: 'End kiosk session' }));
  expect(await within(dialog).findByText(/The kiosk session has ended/)).toBeInTheDocument();
  expect(within(dialog).queryByText(/was not ended/)).not.toBeInTheDocument();
});
