/** State of one helpdesk case, folded from its events, and the read-only questions the API asks of it. */
import type { EnrollmentSnapshot } from '../enrollment/enrollment.decider';
import type { HelpdeskPolicy } from '../policy/role';
import { accountKey, type CodeChannel, type DirectoryAccountState } from '../shared/domain-types';
import type { VerifiedFacts } from './authentication-policy';
import type {
  BreakGlassGrant,
  CaseAccount,
  CaseAgent,
  CaseEvent,
  CaseKioskLink,
  CaseRoleRef,
  CaseSettings,
} from './case.events';

export type SentCode = {
  codeId: string;
  codeHash: string;
  expiresAt: string;
  attemptsLeft: number;
  status: 'active' | 'used' | 'exhausted';
};

export type UnlockEntry = {
  account: CaseAccount;
  linked: boolean;
  idempotencyKey: string;
  outcome: 'refused' | 'pending' | 'unlocked' | 'failed';
  reasonCode: string | null;
  reason: string | null;
  readBack: DirectoryAccountState | null;
  directoryMessage: string | null;
  /** The approved break-glass this unlock relied on (null: none). */
  breakGlass: BreakGlassGrant | null;
};

export type OpenCase = {
  caseId: string;
  agent: CaseAgent;
  role: CaseRoleRef;
  subject: CaseAccount;
  enrollment: EnrollmentSnapshot;
  policy: HelpdeskPolicy;
  settings: CaseSettings;
  openedAt: string;
  verified: VerifiedFacts;
  lastAuthenticatorStep: number | null;
  failures: number;
  lockedUntil: string | null;
  codes: Partial<Record<CodeChannel, SentCode>>;
  codesSent: Record<CodeChannel, number>;
  authenticatedAt: string | null;
  authenticationExpiresAt: string | null;
  /** In order of the events; one entry per account per unlock request. */
  unlocks: UnlockEntry[];
  /** The case's latest break-glass request (an earlier denied or expired one is replaced by a new request). */
  breakGlass: BreakGlassEntry | null;
  /** The kiosk session the case was opened from (null: opened at the admin console). */
  kiosk: CaseKioskLink | null;
};

/** A two-person break-glass request as recorded; `status` is the recorded one (see breakGlassStatus for now). */
export type BreakGlassEntry = {
  requestId: string;
  reason: string;
  ticket: string | null;
  requestedBy: CaseAgent;
  requestedAt: string;
  expiresAt: string;
  status: 'pending' | 'approved' | 'denied';
  decidedBy: CaseAgent | null;
  decidedAt: string | null;
  comment: string | null;
  /** Approved: the unlock may rely on it until then. */
  validUntil: string | null;
};

export type BreakGlassStatus = 'pending' | 'approved' | 'denied' | 'expired';

export type CaseState =
  | { status: 'new' }
  | { status: 'refused'; reasonCode: string }
  | ({ status: 'open' } & OpenCase)
  | ({ status: 'closed'; closeReason: string } & OpenCase);

const withCase = (state: CaseState, update: (c: OpenCase) => Partial<OpenCase>): CaseState =>
  state.status === 'open' || state.status === 'closed' ? ({ ...state, ...update(state) } as CaseState) : state;

const settle = (
  unlocks: UnlockEntry[],
  account: CaseAccount,
  idempotencyKey: string,
  patch: Partial<UnlockEntry>,
): UnlockEntry[] =>
  unlocks.map((u) =>
    u.outcome === 'pending' && u.idempotencyKey === idempotencyKey && accountKey(u.account) === accountKey(account)
      ? { ...u, ...patch }
      : u,
  );

/** A rejection after a lock ran out starts a new count: the old lock is cleared. */
const failuresAt = (c: OpenCase, at: string, failures: number): Partial<OpenCase> => ({
  failures,
  lockedUntil: c.lockedUntil !== null && Date.parse(at) >= Date.parse(c.lockedUntil) ? null : c.lockedUntil,
});

export function evolveCase(state: CaseState, event: CaseEvent): CaseState {
  switch (event.type) {
    case 'CaseOpened': {
      const d = event.data;
      return {
        status: 'open',
        caseId: d.caseId,
        agent: d.agent,
        role: d.role,
        subject: d.subject,
        enrollment: d.enrollment,
        policy: d.policy,
        settings: d.settings,
        openedAt: d.at,
        verified: { questions: [], authenticator: false, email: false, phone: false },
        lastAuthenticatorStep: d.prior.lastAuthenticatorStep,
        failures: d.prior.failures,
        lockedUntil: d.prior.lockedUntil,
        codes: {},
        codesSent: { email: 0, phone: 0 },
        authenticatedAt: null,
        authenticationExpiresAt: null,
        unlocks: [],
        breakGlass: null,
        kiosk: d.kiosk ?? null,
      };
    }
    case 'CaseOpeningRefused':
      return { status: 'refused', reasonCode: event.data.reasonCode };
    case 'SecurityAnswerVerified':
      return withCase(state, (c) => ({
        verified: { ...c.verified, questions: [...c.verified.questions, event.data.questionId] },
      }));
    case 'SecurityAnswerRejected':
    case 'AuthenticatorCodeRejected':
      return withCase(state, (c) => failuresAt(c, event.data.at, event.data.failures));
    case 'VerificationCodeSent':
      return withCase(state, (c) => ({
        codes: {
          ...c.codes,
          [event.data.channel]: {
            codeId: event.data.codeId,
            codeHash: event.data.codeHash,
            expiresAt: event.data.expiresAt,
            attemptsLeft: event.data.maxAttempts,
            status: 'active',
          },
        },
        codesSent: { ...c.codesSent, [event.data.channel]: c.codesSent[event.data.channel] + 1 },
      }));
    case 'VerificationCodeVerified':
      return withCase(state, (c) => {
        const code = c.codes[event.data.channel];
        return {
          verified: { ...c.verified, [event.data.channel]: true },
          codes: code ? { ...c.codes, [event.data.channel]: { ...code, status: 'used' } } : c.codes,
        };
      });
    case 'VerificationCodeRejected':
      return withCase(state, (c) => {
        const code = c.codes[event.data.channel];
        const updated: SentCode | undefined =
          code && code.codeId === event.data.codeId
            ? {
                ...code,
                attemptsLeft: event.data.attemptsLeft,
                status: code.status === 'active' && event.data.attemptsLeft === 0 ? 'exhausted' : code.status,
              }
            : code;
        return {
          ...failuresAt(c, event.data.at, event.data.failures),
          codes: { ...c.codes, [event.data.channel]: updated },
        };
      });
    case 'AuthenticatorCodeVerified':
      return withCase(state, (c) => ({
        verified: { ...c.verified, authenticator: true },
        lastAuthenticatorStep: event.data.step,
      }));
    case 'VerificationLocked':
      return withCase(state, () => ({ failures: event.data.failures, lockedUntil: event.data.lockedUntil }));
    case 'VerificationAttemptRefused':
      return state;
    case 'CaseAuthenticated':
      return withCase(state, () => ({ authenticatedAt: event.data.at, authenticationExpiresAt: event.data.expiresAt }));
    case 'UnlockRequested':
      return withCase(state, (c) => ({
        unlocks: [
          ...c.unlocks,
          {
            account: event.data.account,
            linked: event.data.linked,
            idempotencyKey: event.data.idempotencyKey,
            outcome: 'pending',
            reasonCode: null,
            reason: null,
            readBack: null,
            directoryMessage: null,
            breakGlass: event.data.breakGlass ?? null,
          },
        ],
      }));
    case 'UnlockRefused':
      return withCase(state, (c) => ({
        unlocks: [
          ...c.unlocks,
          {
            account: event.data.account,
            linked: event.data.linked,
            idempotencyKey: event.data.idempotencyKey,
            outcome: 'refused',
            reasonCode: event.data.reasonCode,
            reason: event.data.reason,
            readBack: null,
            directoryMessage: null,
            breakGlass: null,
          },
        ],
      }));
    case 'AccountUnlocked':
      return withCase(state, (c) => ({
        unlocks: settle(c.unlocks, event.data.account, event.data.idempotencyKey, {
          outcome: 'unlocked',
          readBack: event.data.readBack,
          directoryMessage: event.data.directoryMessage,
        }),
      }));
    case 'UnlockFailed':
      return withCase(state, (c) => ({
        unlocks: settle(c.unlocks, event.data.account, event.data.idempotencyKey, {
          outcome: 'failed',
          reasonCode: event.data.reasonCode,
          reason: event.data.reason,
          readBack: event.data.readBack,
          directoryMessage: event.data.directoryMessage,
        }),
      }));
    case 'CaseClosed':
      return state.status === 'open' ? { ...state, status: 'closed', closeReason: event.data.reason } : state;
    case 'BreakGlassRequested':
      return withCase(state, () => ({
        breakGlass: {
          requestId: event.data.requestId,
          reason: event.data.reason,
          ticket: event.data.ticket,
          requestedBy: event.data.requestedBy,
          requestedAt: event.data.at,
          expiresAt: event.data.expiresAt,
          status: 'pending',
          decidedBy: null,
          decidedAt: null,
          comment: null,
          validUntil: null,
        },
      }));
    case 'BreakGlassApproved':
    case 'BreakGlassDenied':
      return withCase(state, (c) =>
        c.breakGlass && c.breakGlass.requestId === event.data.requestId
          ? {
              breakGlass: {
                ...c.breakGlass,
                status: event.type === 'BreakGlassApproved' ? 'approved' : 'denied',
                decidedBy: event.data.approver,
                decidedAt: event.data.at,
                comment: event.data.comment,
                validUntil: event.type === 'BreakGlassApproved' ? event.data.validUntil : null,
              },
            }
          : {},
      );
    case 'BreakGlassRequestRefused':
    case 'BreakGlassDecisionRefused':
      return state;
  }
}

/**
 * A break-glass request's status now: a pending request expires at `expiresAt`, an approval at `validUntil` (both
 * then read `expired`); a denial stays denied.
 */
export function breakGlassStatus(b: BreakGlassEntry, now: Date): BreakGlassStatus {
  const t = now.getTime();
  if (b.status === 'pending') return t < Date.parse(b.expiresAt) ? 'pending' : 'expired';
  if (b.status === 'approved') return b.validUntil !== null && t < Date.parse(b.validUntil) ? 'approved' : 'expired';
  return 'denied';
}

/** The approved, unexpired break-glass of the case, if any. */
export function activeBreakGlass(state: OpenCase, now: Date): BreakGlassEntry | null {
  const b = state.breakGlass;
  return b && breakGlassStatus(b, now) === 'approved' ? b : null;
}

/** Unlock intents without an outcome: what the start-up reconciler must settle. */
export function pendingUnlocks(state: CaseState): UnlockEntry[] {
  return state.status === 'open' || state.status === 'closed'
    ? state.unlocks.filter((u) => u.outcome === 'pending')
    : [];
}

/** The per-account result of one unlock request (what a retried request with the same Idempotency-Key returns). */
export function unlockResults(state: CaseState, idempotencyKey: string): UnlockEntry[] {
  return state.status === 'open' || state.status === 'closed'
    ? state.unlocks.filter((u) => u.idempotencyKey === idempotencyKey)
    : [];
}

export function isVerificationLocked(state: OpenCase, now: Date): boolean {
  return state.lockedUntil !== null && now.getTime() < Date.parse(state.lockedUntil);
}

/** Failures that still count: a lock that has run out resets the count. */
export function currentFailures(state: OpenCase, now: Date): number {
  return state.lockedUntil !== null && now.getTime() >= Date.parse(state.lockedUntil) ? 0 : state.failures;
}

export function isAuthenticated(state: OpenCase, now: Date): boolean {
  return state.authenticationExpiresAt !== null && now.getTime() < Date.parse(state.authenticationExpiresAt);
}
