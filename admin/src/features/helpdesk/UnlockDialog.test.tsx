import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it, vi } from 'vitest';
import { createQueryClient, Providers } from '../../app/providers';
import { type Call, on, stubFetch } from '../../testing/stubFetch';
import type { CaseView, HistoryItem, LinkedAccount, Permit, UnlockResponse, UserProfile, UserRow } from './api';
import { UnlockDialog } from './UnlockDialog';

const ok: Permit = { allowed: true, reasonCode: null, reason: null };
const no = (reasonCode: string, reason: string): Permit => ({ allowed: false, reasonCode, reason });
const NOT_AUTHENTICATED = no(
  'unlock.notAuthenticated',
  "The user has not been authenticated to your role's helpdesk policy in this case",
);
const UNENROLLED = no(
  'unlock.unenrolledNotAllowed',
  'The user is not enrolled; unenrolled users can be unlocked only with the Unlock Any Account permission and an unrestricted helpdesk policy',
);

const carol: UserRow = {
  storeId: 'corp-ad',
  id: 'g-carol',
  dn: 'CN=Carol Clark,OU=Staff,DC=example,DC=test',
  username: 'carol',
  displayName: 'Carol Clark',
  lock: { state: 'locked', failedAttempts: 3 },
  disabled: false,
};

const linked = (over: Partial<LinkedAccount>): LinkedAccount => ({
  storeId: 'corp-ldap',
  id: 'u-carol',
  dn: 'uid=carol,ou=people,dc=example,dc=test',
  username: 'carol',
  displayName: 'Carol Clark',
  storeType: 'ldap',
  storeName: 'Corp OpenLDAP',
  lock: { state: 'locked', lockedAt: '2026-01-02T09:00:00Z', failedAttempts: 3 },
  linkedBy: ['rule'],
  canUnlock: ok,
  ...over,
});

function profile(over: Partial<UserProfile> = {}, actions: Partial<UserProfile['actions']> = {}): UserProfile {
  const restricted = { mode: 'restricted' as const, requiredTypes: 2, minSecurityQuestions: 2 };
  return {
    account: { storeId: 'corp-ad', id: 'g-carol', dn: carol.dn, username: 'carol', displayName: 'Carol Clark' },
    store: { id: 'corp-ad', name: 'Corp AD', type: 'active-directory', capabilities: { canUnlock: true } },
    lock: { state: 'locked', lockedAt: '2026-01-02T09:00:00Z', failedAttempts: 3 },
    passwordLastChanged: '2025-12-01T10:00:00Z',
    insight: {
      lockedSince: '2026-01-02T09:00:00Z',
      lockExpiresAt: null,
      failedAttempts: 3,
      lastFailedAt: '2026-01-02T09:00:00Z',
      passwordMustChange: false,
      passwordExpired: false,
      notes: [],
      recentUnlocks: [],
      unlocksLast7Days: 3,
      warning: 'repeated lockouts: unlocked 3 times in 7 days; a device may be using an old password',
    },
    enrollment: {
      types: ['securityQuestions', 'email'],
      enrolled: true,
      securityQuestions: [
        { questionId: 'q1', question: 'First pet?' },
        { questionId: 'q2', question: 'Born where?' },
      ],
      maskedEmail: 'c***@example.test',
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
      ...actions,
    },
    ...over,
  };
}

function caseView(verified: string[] = [], emailVerified = false, mode: 'restricted' | 'unrestricted' = 'restricted') {
  const types = [
    ...(verified.length >= 2 ? ['securityQuestions' as const] : []),
    ...(emailVerified ? ['email' as const] : []),
  ];
  const required = mode === 'restricted' ? 2 : 1;
  const met = types.length >= required;
  return {
    caseId: 'case-1',
    status: 'open',
    policy: { mode, requiredTypes: required, minSecurityQuestions: 2 },
    role: { roleId: 'r', name: mode === 'restricted' ? 'Helpdesk agent' : 'Administrator' },
    enrollment: {
      types: ['securityQuestions', 'email'],
      securityQuestions: [
        { questionId: 'q1', question: 'First pet?', verified: verified.includes('q1') },
        { questionId: 'q2', question: 'Born where?', verified: verified.includes('q2') },
      ],
      maskedEmail: 'c***@example.test',
      maskedPhone: null,
    },
    progress: {
      met,
      required,
      verifiedTypes: types,
      questionsRequired: 2,
      questionsVerified: verified.length,
      attainable: true,
    },
    authenticated: met,
    authenticatedUntil: met ? '2026-01-02T09:15:00Z' : null,
    authenticationExpired: false,
    verificationLock: { locked: false, lockedUntil: null, failures: 0, maxFailures: 5 },
    codes: { email: null, phone: null },
  } satisfies CaseView;
}

afterEach(() => vi.unstubAllGlobals());

const get = (path: string, body: unknown) => on('GET', `/api${path}`, () => Response.json(body));
const post = (path: string, answer: (c: Call) => Response) => on('POST', `/api${path}`, answer);

const renderDialog = (initialView: 'unlock' | 'history' = 'unlock') => {
  const onClose = vi.fn();
  render(
    <Providers client={createQueryClient()}>
      <UnlockDialog user={carol} initialView={initialView} onClose={onClose} />
    </Providers>,
  );
  return { onClose, dialog: () => screen.getByRole('dialog', { name: /Carol Clark/ }) };
};

const unlocked = (accounts: { storeId: string; userId: string }[], key: string): UnlockResponse => ({
  caseId: 'case-1',
  idempotencyKey: key,
  results: accounts.map((a) => ({
    storeId: a.storeId,
    storeType: a.storeId === 'corp-ad' ? 'active-directory' : 'ldap',
    userId: a.userId,
    dn: a.userId,
    linked: a.storeId !== 'corp-ad',
    outcome: 'unlocked',
    reasonCode: null,
    reason: null,
    lock: { state: 'unlocked' },
    directoryMessage: null,
  })),
  notification: { status: 'sent', to: 'c***@example.test' },
});

it('restricted mode: Next stays disabled until the backend says the case is authenticated, wrong answers show its message', async () => {
  const user = userEvent.setup();
  let answered: string[] = [];
  stubFetch(
    get('/users/corp-ad/g-carol', profile()),
    post('/users/corp-ad/g-carol/cases', () => Response.json(caseView())),
    post('/cases/case-1/security-answers', (c) => {
      const { questionId, answer } = c.body as { questionId: string; answer: string };
      if (answer !== 'rex' && answer !== 'lisbon')
        return Response.json({
          outcome: 'rejected',
          reason: 'mismatch',
          message: 'That is not right',
          case: caseView(answered),
        });
      answered = [...answered, questionId];
      return Response.json({ outcome: 'verified', case: caseView(answered) });
    }),
    post('/cases/case-1/codes', () =>
      Response.json({
        outcome: 'sent',
        case: {
          ...caseView(answered),
          codes: {
            email: { codeId: 'c1', expiresAt: '2026-01-02T09:05:00Z', attemptsLeft: 3, status: 'active', sent: 1 },
            phone: null,
          },
        },
      }),
    ),
    post('/cases/case-1/codes/verify', () => Response.json({ outcome: 'verified', case: caseView(answered, true) })),
  );
  renderDialog();
  const next = await screen.findByRole('button', { name: 'Next' });
  expect(next).toBeDisabled();
  expect(screen.getByText(/Helpdesk agent/)).toBeInTheDocument();
  expect(screen.getByText('0 of 2 verified')).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Skip authentication' })).not.toBeInTheDocument();

  const first = screen.getByRole('textbox', { name: 'Answer to question 1' });
  await waitFor(() => expect(first).toHaveFocus());
  await user.type(first, 'fluffy{Enter}');
  expect(await screen.findByText('That is not right')).toBeInTheDocument();
  await user.clear(first);
  await user.type(first, 'rex{Enter}');
  await user.type(screen.getByRole('textbox', { name: 'Answer to question 2' }), 'lisbon{Enter}');
  expect(await screen.findByText('1 of 2 verified')).toBeInTheDocument();
  expect(next).toBeDisabled();

  await user.click(screen.getByRole('button', { name: 'Send code to c***@example.test' }));
  const code = await screen.findByRole('textbox', { name: 'E-mail code' });
  expect(screen.getByText(/3 tries left/)).toBeInTheDocument();
  await user.type(code, '123456{Enter}');
  expect(await screen.findByText(/^Authenticated \(2 of 2 verified\)/)).toBeInTheDocument();
  expect(next).toBeEnabled();
  await user.click(next);
  expect(await screen.findByRole('checkbox', { name: /Carol Clark \(carol\) in Corp AD/ })).toBeChecked();
  expect(screen.getByRole('alert', { name: 'Repeated lockouts' })).toHaveTextContent(/unlocked 3 times in 7 days/);
});

it('unrestricted mode: Authenticate can be skipped; the unlock sends the case, ticket and an Idempotency-Key, and shows each result with its read-back', async () => {
  const user = userEvent.setup();
  const unrestricted = { mode: 'unrestricted' as const, requiredTypes: 1, minSecurityQuestions: 0 };
  const calls = stubFetch(
    get(
      '/users/corp-ad/g-carol',
      profile({}, { skipAuthentication: ok, unlock: ok, authenticationRequired: false, policy: unrestricted }),
    ),
    post('/users/corp-ad/g-carol/cases', () => Response.json(caseView([], false, 'unrestricted'))),
    post('/users/corp-ad/g-carol/unlock', (c) =>
      Response.json(unlocked((c.body as { accounts: [] }).accounts, c.headers['Idempotency-Key'] as string)),
    ),
  );
  renderDialog();
  const skip = await screen.findByRole('button', { name: 'Skip authentication' });
  expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
  await user.click(skip);
  await user.type(screen.getByLabelText('Ticket reference'), 'INC-7');
  await user.click(screen.getByRole('button', { name: 'Unlock' }));
  const results = await screen.findByRole('list', { name: 'Unlock results' });
  expect(within(results).getByText('Unlocked')).toBeInTheDocument();
  expect(within(results).getByText(/Read back from the directory/)).toHaveTextContent('Not locked');
  expect(screen.getByText('The user was told by e-mail (c***@example.test).')).toBeInTheDocument();
  const u = calls.find((c) => c.url.endsWith('/unlock'));
  expect(u?.body).toEqual({ accounts: [{ storeId: 'corp-ad', userId: 'g-carol' }], caseId: 'case-1', ticket: 'INC-7' });
  expect(u?.headers['Idempotency-Key']).toMatch(/^unlock-[0-9a-f]{32}$/);
});

it('unenrolled users get only the Unlock page; the backend’s refusal is shown and Unlock is disabled', async () => {
  const calls = stubFetch(
    get(
      '/users/corp-ad/g-carol',
      profile(
        { enrollment: { types: [], enrolled: false, securityQuestions: [], maskedEmail: null, maskedPhone: null } },
        { skipAuthentication: UNENROLLED, unlock: UNENROLLED },
      ),
    ),
  );
  renderDialog();
  expect(await screen.findByText(/the user is not enrolled: no Authenticate page/)).toBeInTheDocument();
  expect(screen.queryByText('Authenticate')).not.toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Next' })).not.toBeInTheDocument();
  expect(screen.getByRole('alert', { name: 'Unlock not allowed' })).toHaveTextContent(UNENROLLED.reason as string);
  expect(screen.getByRole('button', { name: 'Unlock' })).toBeDisabled();
  expect(calls.some((c) => c.url.endsWith('/cases'))).toBe(false); // no case for nothing to authenticate
});

it('lists locked linked accounts: selectable ones checked, Entra ID and admin-locked ones shown but not selectable with the reason', async () => {
  const user = userEvent.setup();
  const unrestricted = { mode: 'unrestricted' as const, requiredTypes: 1, minSecurityQuestions: 0 };
  const calls = stubFetch(
    get(
      '/users/corp-ad/g-carol',
      profile(
        {
          linkedAccounts: [
            linked({}),
            linked({
              storeId: 'corp-ldap',
              id: 'u-carol2',
              username: 'carol2',
              lock: { state: 'admin-locked' },
              canUnlock: no(
                'unlock.permanentlyLocked',
                'The account is permanently locked by an administrator and cannot be unlocked by the helpdesk',
              ),
            }),
            linked({
              storeId: 'cloud',
              id: 'carol@contoso',
              username: 'carol@contoso',
              storeType: 'entra-id',
              storeName: 'Entra ID',
              lock: { state: 'unlocked' },
              canUnlock: no(
                'unlock.storeNotSupported',
                'Account unlock is not supported in a Microsoft Entra ID identity store',
              ),
            }),
            linked({ storeId: 'corp-ldap', id: 'u-other', username: 'other', lock: { state: 'unlocked' } }),
          ],
        },
        { skipAuthentication: ok, unlock: ok, authenticationRequired: false, policy: unrestricted },
      ),
    ),
    post('/users/corp-ad/g-carol/cases', () => Response.json(caseView([], false, 'unrestricted'))),
    post('/users/corp-ad/g-carol/unlock', (c) =>
      Response.json(unlocked((c.body as { accounts: [] }).accounts, c.headers['Idempotency-Key'] as string)),
    ),
  );
  renderDialog();
  await user.click(await screen.findByRole('button', { name: 'Skip authentication' }));
  const ldap = screen.getByRole('checkbox', { name: /\(carol\) in Corp OpenLDAP — linked account/ });
  const admin = screen.getByRole('checkbox', { name: /\(carol2\) in Corp OpenLDAP/ });
  const entra = screen.getByRole('checkbox', { name: /\(carol@contoso\) in Entra ID/ });
  expect(ldap).toBeChecked();
  expect(ldap).toBeEnabled();
  expect(admin).toBeDisabled();
  expect(admin).not.toBeChecked();
  expect(screen.getByText(/permanently locked by an administrator/)).toBeInTheDocument();
  expect(entra).toBeDisabled();
  expect(screen.getByText(/not supported in a Microsoft Entra ID identity store/)).toBeInTheDocument();
  expect(screen.queryByRole('checkbox', { name: /\(other\)/ })).not.toBeInTheDocument();
  expect(screen.getByText('1 other linked account is not locked.')).toBeInTheDocument();

  await user.click(screen.getByRole('button', { name: 'Unlock 2 accounts' }));
  const results = await screen.findByRole('list', { name: 'Unlock results' });
  expect(within(results).getAllByRole('listitem')).toHaveLength(2);
  expect(within(results).getByText('Carol Clark (carol) in Corp OpenLDAP')).toBeInTheDocument();
  expect(calls.find((c) => c.url.endsWith('/unlock'))?.body).toMatchObject({
    accounts: [
      { storeId: 'corp-ad', userId: 'g-carol' },
      { storeId: 'corp-ldap', userId: 'u-carol' },
    ],
  });
});

it('shows the backend’s error; a retry of the same click reuses its Idempotency-Key', async () => {
  const user = userEvent.setup();
  const unrestricted = { mode: 'unrestricted' as const, requiredTypes: 1, minSecurityQuestions: 0 };
  let attempts = 0;
  const calls = stubFetch(
    get(
      '/users/corp-ad/g-carol',
      profile({}, { skipAuthentication: ok, unlock: ok, authenticationRequired: false, policy: unrestricted }),
    ),
    post('/users/corp-ad/g-carol/cases', () => Response.json(caseView([], false, 'unrestricted'))),
    post('/users/corp-ad/g-carol/unlock', (c) => {
      attempts++;
      if (attempts === 1)
        return Response.json(
          { statusCode: 503, reason: 'directory.unavailable', message: 'Corp AD did not answer' },
          { status: 503 },
        );
      return Response.json(unlocked((c.body as { accounts: [] }).accounts, c.headers['Idempotency-Key'] as string));
    }),
  );
  renderDialog();
  await user.click(await screen.findByRole('button', { name: 'Skip authentication' }));
  await user.click(screen.getByRole('button', { name: 'Unlock' }));
  expect(await screen.findByText('Corp AD did not answer')).toBeInTheDocument();
  await user.click(screen.getByRole('button', { name: 'Retry unlock' }));
  await screen.findByRole('list', { name: 'Unlock results' });
  const keys = calls.filter((c) => c.url.endsWith('/unlock')).map((c) => c.headers['Idempotency-Key']);
  expect(keys).toHaveLength(2);
  expect(keys[0]).toBe(keys[1]);
});

it('a case the backend refuses to open shows its reason on the Authenticate page', async () => {
  stubFetch(
    get(
      '/users/corp-ad/g-carol',
      profile(
        {},
        {
          openCase: no('helpdesk.outOfScope', "The account is outside your role's scope"),
          skipAuthentication: no('helpdesk.outOfScope', "The account is outside your role's scope"),
          unlock: no('helpdesk.outOfScope', "The account is outside your role's scope"),
        },
      ),
    ),
  );
  renderDialog();
  expect(await screen.findByText('You cannot authenticate this user')).toBeInTheDocument();
  expect(screen.getAllByText("The account is outside your role's scope").length).toBeGreaterThan(0);
  expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
});

it('History: newest first as sentences, and as a table', async () => {
  const user = userEvent.setup();
  const item = (n: number, summary: string, action: string, outcome: HistoryItem['outcome']): HistoryItem => ({
    position: String(n),
    eventId: `e${n}`,
    type: 'X',
    time: `2026-01-02T09:0${n}:00Z`,
    action,
    summary,
    actor: { id: 'corp-ad:a', displayName: 'Hanna Agent' },
    subject: { key: 'corp-ad:g-carol', displayName: 'Carol Clark' },
    storeId: 'corp-ad',
    storeName: 'Corp AD',
    authenticationTypes: ['securityQuestions'],
    outcome,
    reason: null,
    caseId: 'case-1',
    ticket: n === 2 ? 'INC-9' : null,
    comment: null,
    client: 'admin',
  });
  stubFetch(
    get('/users/corp-ad/g-carol', profile()),
    get('/users/corp-ad/g-carol/history?limit=50', {
      items: [
        item(2, 'Hanna Agent unlocked Carol Clark in Corp AD (read back: not locked)', 'unlock.succeeded', 'success'),
        item(1, 'Hanna Agent opened a case for Carol Clark in Corp AD', 'case.opened', 'success'),
      ],
      nextCursor: null,
    }),
  );
  renderDialog('history');
  const list = await screen.findByRole('list', { name: 'History' });
  const entries = within(list).getAllByRole('listitem');
  expect(entries[0]).toHaveTextContent('unlocked Carol Clark');
  expect(entries[1]).toHaveTextContent('opened a case');
  await user.click(screen.getByText('Table'));
  const table = screen.getByRole('table', { name: 'History table' });
  expect(within(table).getAllByRole('row')[1]).toHaveTextContent('unlock.succeeded');
  expect(within(table).getAllByRole('row')[1]).toHaveTextContent('ticket INC-9');
});
