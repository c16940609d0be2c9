import { api } from '../../api/client';
import type { StoreInfo } from '../../api/stores';

export type LockState = 'locked' | 'unlocked' | 'admin-locked';
export type AuthenticationType = 'securityQuestions' | 'authenticator' | 'email' | 'phone';

export type UserRow = {
  storeId: string;
  id: string;
  dn: string;
  username: string;
  displayName?: string;
  email?: string;
  employeeId?: string;
  lock: { state: LockState; lockedAt?: string; failedAttempts?: number };
  disabled: boolean;
  passwordLastChanged?: string;
  enrolledTypes?: AuthenticationType[];
};

export type UserSearchResult = {
  results: UserRow[];
  errors: { storeId: string; message: string }[];
  truncated?: boolean;
};

export type UserSearchQuery = {
  search: string;
  storeIds: string[];
  lockedOnly: boolean;
  enrolled: 'any' | 'yes' | 'no';
};

export const helpdeskApi = {
  searchUsers(q: UserSearchQuery): Promise<UserSearchResult> {
    const params = new URLSearchParams();
    if (q.search.trim()) params.set('search', q.search.trim());
    if (q.storeIds.length) params.set('storeId', q.storeIds.join(','));
    if (q.lockedOnly) params.set('locked', 'true');
    if (q.enrolled !== 'any') params.set('enrolled', q.enrolled === 'yes' ? 'true' : 'false');
    return api<UserSearchResult>('GET', `/users?${params}`);
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Unlock Account dialog: the user's profile (lock insight, linked accounts, enrollment, what the agent may do and
// why not), cases (caller authentication), unlock (Idempotency-Key) and history. Shapes follow the backend's
// helpdesk and history controllers.

export type AccountRef = { storeId: string; userId: string };

/** A verdict of the backend's case decider: may the agent do this, and if not, why. */
export type Permit = { allowed: boolean; reasonCode: string | null; reason: string | null };

export type HelpdeskPolicy = {
  mode: 'restricted' | 'unrestricted';
  requiredTypes: number;
  minSecurityQuestions: number;
};

export type AccountLockView = {
  state: LockState;
  lockedAt?: string;
  failedAttempts?: number;
  disabled?: boolean;
};

export type LinkedAccount = {
  storeId: string;
  id: string;
  dn: string;
  username?: string;
  displayName?: string | null;
  storeType: StoreInfo['type'];
  storeName: string;
  lock: AccountLockView;
  linkedBy: ('rule' | 'explicit')[];
  canUnlock: Permit;
};

export type RecentUnlock = {
  caseId: string;
  agent: string | null;
  requestedAt: string;
  outcome: 'pending' | 'unlocked' | 'failed' | 'refused' | string;
  reasonCode: string | null;
  reconciled: boolean;
};

export type UserProfile = {
  account: {
    storeId: string;
    id: string;
    dn: string;
    username?: string;
    displayName?: string | null;
    email?: string | null;
    employeeId?: string | null;
    disabled?: boolean;
  };
  store: { id: string; name: string; type: StoreInfo['type']; capabilities: { canUnlock: boolean; reason?: string } };
  lock: AccountLockView;
  passwordLastChanged: string | null;
  insight: {
    lockedSince: string | null;
    lockExpiresAt: string | null;
    failedAttempts: number | null;
    lastFailedAt: string | null;
    passwordMustChange: boolean;
    passwordExpired: boolean;
    notes: string[];
    recentUnlocks: RecentUnlock[];
    unlocksLast7Days: number;
    warning: string | null;
  };
  enrollment: {
    types: AuthenticationType[];
    enrolled: boolean;
    securityQuestions: { questionId: string; question: string }[];
    maskedEmail: string | null;
    maskedPhone: string | null;
  };
  linkedAccounts: LinkedAccount[];
  linkErrors: { storeId: string; message: string }[];
  role: { roleId: string; name: string; permissions: string[]; policy: HelpdeskPolicy } | null;
  actions: {
    openCase: Permit;
    /** Unlock without authenticating (the Authenticate page can be skipped). */
    skipAuthentication: Permit;
    /** Unlock now, as things stand (no authentication in a case). */
    unlock: Permit;
    authenticationRequired: boolean | null;
    policy: HelpdeskPolicy | null;
  };
  /** This agent's two-person request for this user still in play (its case carries the status), if any. */
  breakGlass?: { caseId: string; status: 'pending' | 'approved' } | null;
};

/** The backend's policyStatus of a case. */
export type PolicyProgress = {
  met: boolean;
  required: number;
  verifiedTypes: AuthenticationType[];
  questionsRequired: number;
  questionsVerified: number;
  attainable: boolean;
};

export type CodeStatus = {
  codeId: string;
  expiresAt: string;
  attemptsLeft: number;
  status: 'active' | 'expired' | 'used' | 'exhausted' | string;
  sent: number;
};

export type CaseView = {
  caseId: string;
  status: 'open' | 'closed' | 'new' | 'refused';
  policy: HelpdeskPolicy;
  role: { roleId: string; name: string };
  enrollment: {
    types: AuthenticationType[];
    securityQuestions: { questionId: string; question: string; verified: boolean }[];
    maskedEmail: string | null;
    maskedPhone: string | null;
  };
  progress: PolicyProgress;
  authenticated: boolean;
  authenticatedUntil: string | null;
  authenticationExpired: boolean;
  verificationLock: { locked: boolean; lockedUntil: string | null; failures: number; maxFailures: number };
  codes: { email: CodeStatus | null; phone: CodeStatus | null };
  /** The case's two-person break-glass request (unenrolled users), if one was asked for. */
  breakGlass?: BreakGlass | null;
  /** The walk-up kiosk session this case was opened from (the person answers at the kiosk), if any. */
  kiosk?: KioskLink | null;
};

export type KioskLink = { sessionId: string; kioskId: string; kioskName: string };

// ---------------------------------------------------------------------------------------------------------------
// Two-person break-glass (unenrolled users): the agent asks for a second agent's approval on a case; another agent
// whose role has Unlock Any Account approves or denies; with an approval the first agent can unlock within a window.

export type PersonRef = { storeId: string; userId: string; displayName: string };

export type BreakGlassStatus = 'pending' | 'approved' | 'denied' | 'expired';

export type BreakGlass = {
  requestId: string;
  status: BreakGlassStatus;
  requestedBy: PersonRef;
  reason: string;
  ticket: string | null;
  requestedAt: string;
  expiresAt: string;
  decidedBy?: PersonRef;
  decidedAt?: string;
  comment?: string | null;
  /** Approved: the unlock is possible until then. */
  validUntil?: string;
};

export type BreakGlassRequest = { reason: string; ticket?: string };

export type BreakGlassAnswer = { caseId: string; breakGlass: BreakGlass };

/** A pending request another agent may decide (`canDecide`), or not (`whyNot`). */
export type PendingApproval = {
  caseId: string;
  requestId: string;
  subject: PersonRef;
  requestedBy: PersonRef;
  reason: string;
  ticket: string | null;
  requestedAt: string;
  expiresAt: string;
  canDecide: boolean;
  whyNot?: string;
};

export type PendingApprovals = { requests: PendingApproval[] };

export type BreakGlassDecision = 'approve' | 'deny';

export type StepResult = {
  outcome: 'verified' | 'rejected' | 'locked' | 'sent';
  reason?: string;
  message?: string;
  attemptsLeft?: number;
  lockedUntil?: string;
  case: CaseView;
};

export type CodeChannel = 'email' | 'sms';

export type UnlockRequest = { accounts: AccountRef[]; caseId?: string; ticket?: string; comment?: string };

export type UnlockResultView = {
  storeId: string;
  storeType: StoreInfo['type'];
  userId: string;
  dn: string;
  linked: boolean;
  outcome: 'refused' | 'pending' | 'unlocked' | 'failed';
  reasonCode: string | null;
  reason: string | null;
  /** The lock state the directory reported when read back after the unlock. */
  lock: AccountLockView | null;
  directoryMessage: string | null;
};

export type UnlockResponse = {
  caseId: string;
  idempotencyKey: string;
  results: UnlockResultView[];
  notification:
    | { status: 'sent' | 'pending'; to: string }
    | { status: 'failed'; to: string; reasonCode: string; reason: string }
    | { status: 'skipped'; reason: string };
};

export type HistoryItem = {
  position: string;
  eventId: string;
  type: string;
  time: string;
  action: string;
  summary: string;
  actor: { id: string; displayName: string | null } | null;
  subject: { key: string; displayName: string | null } | null;
  storeId: string | null;
  storeName: string | null;
  authenticationTypes: string[];
  outcome: 'success' | 'failure' | 'refused' | 'requested' | 'locked' | null;
  reason: string | null;
  caseId: string | null;
  ticket: string | null;
  comment: string | null;
  client: string | null;
};

export type HistoryPage = { items: HistoryItem[]; nextCursor: string | null };

const userPath = (u: AccountRef) => `/users/${encodeURIComponent(u.storeId)}/${encodeURIComponent(u.userId)}`;
const casePath = (caseId: string) => `/cases/${encodeURIComponent(caseId)}`;

export const unlockApi = {
  profile: (u: AccountRef) => api<UserProfile>('GET', userPath(u)),
  openCase: (u: AccountRef) => api<CaseView>('POST', `${userPath(u)}/cases`),
  getCase: (caseId: string) => api<CaseView>('GET', casePath(caseId)),
  answer: (caseId: string, questionId: string, answer: string) =>
    api<StepResult>('POST', `${casePath(caseId)}/security-answers`, { questionId, answer }),
  sendCode: (caseId: string, channel: CodeChannel) => api<StepResult>('POST', `${casePath(caseId)}/codes`, { channel }),
  verifyCode: (caseId: string, channel: CodeChannel, code: string) =>
    api<StepResult>('POST', `${casePath(caseId)}/codes/verify`, { channel, code }),
  authenticator: (caseId: string, code: string) =>
    api<StepResult>('POST', `${casePath(caseId)}/authenticator`, { code }),
  /** One Idempotency-Key per Unlock click: a retry of the same click sends the same key and gets the same answer. */
  unlock: (u: AccountRef, request: UnlockRequest, idempotencyKey: string) =>
    api<UnlockResponse>('POST', `${userPath(u)}/unlock`, request, { 'Idempotency-Key': idempotencyKey }),
  history: (u: AccountRef, before?: string) =>
    api<HistoryPage>('GET', `${userPath(u)}/history?limit=50${before ? `&before=${encodeURIComponent(before)}` : ''}`),
};

const approvalPath = (caseId: string) => `/break-glass/${encodeURIComponent(caseId)}`;

export const breakGlassApi = {
  /** Ask a second agent to approve unlocking the case's (unenrolled) user. */
  request: (caseId: string, body: BreakGlassRequest) =>
    api<BreakGlassAnswer>('POST', `${casePath(caseId)}/break-glass`, body),
  /** Pending, unexpired requests, newest first, each with whether this agent may decide it. */
  pending: () => api<PendingApprovals>('GET', '/break-glass'),
  /** Decides the request read in the list (`requestId`): a newer request on the case is refused, not decided unread. */
  decide: (caseId: string, requestId: string, decision: BreakGlassDecision, comment?: string) =>
    api<BreakGlassAnswer>(
      'POST',
      `${approvalPath(caseId)}/${decision}`,
      comment ? { requestId, comment } : { requestId },
    ),
};

// ---------------------------------------------------------------------------------------------------------------
// Walk-up kiosk sessions: a locked-out person starts one at a kiosk and reads its code to an agent, who claims it
// (the backend opens a case for the subject and links it); the person then answers at the kiosk.

/** A waiting (unclaimed, unexpired) kiosk session; its code is not listed, the person tells it to the agent. */
export type KioskSessionWaiting = {
  sessionId: string;
  kioskId: string;
  kioskName: string;
  usernameTyped: string;
  startedAt: string;
  expiresAt: string;
};

export type KioskClaim = { sessionId: string; caseId: string; subject: PersonRef };

const kioskSessionPath = (sessionId: string) => `/kiosk-sessions/${encodeURIComponent(sessionId)}`;

export const kioskSessionsApi = {
  /** Waiting sessions, oldest first. */
  waiting: () => api<{ sessions: KioskSessionWaiting[] }>('GET', '/kiosk-sessions'),
  claim: (code: string) => api<KioskClaim>('POST', '/kiosk-sessions/claim', { code }),
  end: (sessionId: string) => api<unknown>('POST', `${kioskSessionPath(sessionId)}/end`),
};
