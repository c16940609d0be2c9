/**
 * Decider for one helpdesk case (stream `case-<caseId>`): open, authenticate the caller, unlock, settle, close.
 *
 * Purity: time (`now`), randomness (`codeId`, the code itself) and verdicts that need secrets come in through the
 * command. The handler verifies a security answer against the enrollment stream's scrypt hash
 * (`answerCorrect`), verifies a TOTP code with the decrypted seed (`result` with the matched time step), and hashes
 * a typed one-time code with the server key (`codeHash`); the decider compares code hashes itself.
 *
 * The role in OpenCase and UnlockAccounts is the agent's effective role at that request (a role change takes
 * effect on the next request). Recorded refusals are events (CaseOpeningRefused, VerificationAttemptRefused,
 * UnlockRefused, the *Rejected events); malformed commands and commands that do not fit the case's state are
 * thrown as DomainRefusal and record nothing.
 *
 * Break-glass (two persons): RequestBreakGlass by the case's agent for an unenrolled subject their role may not unlock;
 * DecideBreakGlass by a second agent with Unlock Any Account in scope; an approved, unexpired request lets
 * UnlockAccounts unlock the subject without the authentication an unenrolled user cannot give (recorded in
 * UnlockRequested.breakGlass). Refusals are recorded (BreakGlassRequestRefused, BreakGlassDecisionRefused).
 */
import type { EnrollmentSnapshot } from '../enrollment/enrollment.decider';
import { hasPermission, isInScope } from '../policy/effective-role';
import type { Role } from '../policy/role';
import { isOneTimeCodeHash, oneTimeCodeHashesEqual } from '../shared/crypto/one-time-code';
import type { TotpVerification } from '../shared/crypto/totp';
import { type Decider, type FieldProblem, refuse } from '../shared/decider';
import {
  accountKey,
  addSeconds,
  type CodeChannel,
  type DirectoryAccountState,
  IDENTITY_STORE_TYPES,
  isAuthenticationType,
  sameAccount,
} from '../shared/domain-types';
import { policyStatus, type VerifiedFacts } from './authentication-policy';
import {
  type BreakGlassGrant,
  type CaseAccount,
  type CaseAgent,
  type CaseEvent,
  type CaseKioskLink,
  type CaseSettings,
  DEFAULT_CASE_SETTINGS,
  type PriorVerification,
  REASONS,
  type ReasonCode,
  type VerificationMethod,
} from './case.events';
import {
  activeBreakGlass,
  breakGlassStatus,
  type CaseState,
  currentFailures,
  evolveCase,
  isAuthenticated,
  isVerificationLocked,
  type OpenCase,
} from './case.state';
import { cleanAccountState, type DirectoryWrite, reconcileUnlock, unlockOutcome } from './unlock-outcome';

export type CaseRole = Pick<Role, 'roleId' | 'name' | 'permissions' | 'scope' | 'policy'>;

export type OpenCaseCommand = {
  type: 'OpenCase';
  caseId: string;
  agent: CaseAgent;
  /** The agent's effective role now (null: no role matches the agent's groups). */
  role: CaseRole | null;
  subject: CaseAccount;
  enrollment: EnrollmentSnapshot;
  prior?: PriorVerification;
  settings?: Partial<CaseSettings>;
  /** The kiosk session the case is opened from (an agent claimed it), recorded in CaseOpened. */
  kiosk?: CaseKioskLink;
  now: Date;
};
export type VerifySecurityAnswer = {
  type: 'VerifySecurityAnswer';
  questionId: string;
  answerCorrect: boolean;
  now: Date;
};
export type SendVerificationCode = {
  type: 'SendVerificationCode';
  channel: CodeChannel;
  codeId: string;
  /** hashOneTimeCode(key, `${caseId}/${channel}`, code) */
  codeHash: string;
  now: Date;
};
export type VerifyVerificationCode = {
  type: 'VerifyVerificationCode';
  channel: CodeChannel;
  codeHash: string;
  now: Date;
};
export type VerifyAuthenticatorCode = { type: 'VerifyAuthenticatorCode'; result: TotpVerification; now: Date };
/** One account to unlock, with its lock state as read live from the directory just before the decision. */
export type UnlockTarget = CaseAccount & { state: DirectoryAccountState };
export type UnlockAccounts = {
  type: 'UnlockAccounts';
  idempotencyKey: string;
  role: CaseRole | null;
  /** The subject's account and/or linked accounts (the handler resolves links; linked = not the subject). */
  accounts: UnlockTarget[];
  ticket?: string;
  comment?: string;
  now: Date;
};
export type RecordUnlockOutcome = {
  type: 'RecordUnlockOutcome';
  account: { storeId: string; userId: string };
  idempotencyKey: string;
  write: DirectoryWrite;
  readBack: DirectoryAccountState | null;
  now: Date;
};
export type ReconcileUnlocks = {
  type: 'ReconcileUnlocks';
  /** Current directory state per pending account (null: the account was not found). */
  readings: { account: { storeId: string; userId: string }; state: DirectoryAccountState | null }[];
  now: Date;
};
export type CloseCase = { type: 'CloseCase'; reason: string; now: Date };

/** Lifetimes of a break-glass request and of its approval (`helpdesk.breakGlass` in the configuration). */
export type BreakGlassSettings = { requestMinutes: number; approvalMinutes: number };
export const DEFAULT_BREAK_GLASS_SETTINGS: BreakGlassSettings = { requestMinutes: 30, approvalMinutes: 15 };

/** The case's agent asks a second agent to approve unlocking the unenrolled subject. Sent only by the case's agent. */
export type RequestBreakGlass = {
  type: 'RequestBreakGlass';
  /** A fresh id from the handler (randomness stays out of the decider). */
  requestId: string;
  reason: string;
  ticket?: string;
  /** The requesting agent's effective role now. */
  role: CaseRole | null;
  requestMinutes?: number;
  now: Date;
};
/** A second agent approves or denies the case's pending break-glass request. */
export type DecideBreakGlass = {
  type: 'DecideBreakGlass';
  decision: 'approve' | 'deny';
  /**
   * The request the approver read (its reason and ticket); another one (a newer request that replaced it) is refused
   * `breakGlass.notPending` instead of being decided unread. Omitted: the case's current request.
   */
  requestId?: string;
  approver: CaseAgent;
  /** The approver's effective role now. */
  approverRole: CaseRole | null;
  comment?: string;
  approvalMinutes?: number;
  now: Date;
};

export type CaseCommand =
  | OpenCaseCommand
  | VerifySecurityAnswer
  | SendVerificationCode
  | VerifyVerificationCode
  | VerifyAuthenticatorCode
  | UnlockAccounts
  | RecordUnlockOutcome
  | ReconcileUnlocks
  | CloseCase
  | RequestBreakGlass
  | DecideBreakGlass;

export const MAX_ACCOUNTS_PER_UNLOCK = 20;

// ---------------------------------------------------------------------------------------------------------------
// helpers

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const LOCK_STATES = ['locked', 'notLocked', 'permanentlyLocked'];

function invalid(code: string, problems: FieldProblem[]): never {
  refuse(code, `Invalid command: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
}

function checkAccount(account: unknown, field: string, problems: FieldProblem[]): void {
  const a = account as Partial<CaseAccount> | undefined;
  if (!a || typeof a !== 'object') {
    problems.push({ field, message: 'is required' });
    return;
  }
  if (!nonEmpty(a.storeId)) problems.push({ field: `${field}.storeId`, message: 'is required' });
  if (!nonEmpty(a.userId)) problems.push({ field: `${field}.userId`, message: 'is required' });
  if (!nonEmpty(a.dn)) problems.push({ field: `${field}.dn`, message: 'is required' });
  if (!(IDENTITY_STORE_TYPES as readonly unknown[]).includes(a.storeType)) {
    problems.push({ field: `${field}.storeType`, message: `must be one of ${IDENTITY_STORE_TYPES.join(', ')}` });
  }
}

const account = (a: CaseAccount): CaseAccount => ({
  storeId: a.storeId,
  storeType: a.storeType,
  userId: a.userId,
  dn: a.dn,
  ...(nonEmpty(a.displayName) ? { displayName: a.displayName.trim().slice(0, 256) } : {}),
});

function requireOpen(state: CaseState): OpenCase {
  if (state.status === 'closed') refuse('case.closed', 'The case is closed');
  if (state.status !== 'open') refuse('case.notOpen', 'There is no open case with this id');
  return state;
}

function requireOpenOrClosed(state: CaseState): OpenCase {
  if (state.status !== 'open' && state.status !== 'closed') refuse('case.notOpen', 'There is no case with this id');
  return state;
}

/** Verification commands need an open case whose authentication (if any) has not expired. */
function requireVerifiable(state: CaseState, now: Date): OpenCase {
  const c = requireOpen(state);
  if (c.authenticationExpiresAt !== null && !isAuthenticated(c, now)) {
    refuse('case.authenticationExpired', REASONS['unlock.authenticationExpired']);
  }
  return c;
}

function lockedRefusal(c: OpenCase, method: VerificationMethod, now: Date): CaseEvent[] | undefined {
  if (!isVerificationLocked(c, now)) return undefined;
  return [
    {
      type: 'VerificationAttemptRefused',
      data: {
        method,
        reasonCode: 'verification.locked',
        reason: REASONS['verification.locked'],
        lockedUntil: c.lockedUntil as string,
        at: now.toISOString(),
      },
    },
  ];
}

/** A counted failure: the new count, and the VerificationLocked event when it reaches the limit. */
function countFailure(c: OpenCase, now: Date): { failures: number; lock: CaseEvent[] } {
  const failures = currentFailures(c, now) + 1;
  if (failures < c.settings.maxVerificationFailures) return { failures, lock: [] };
  const lockedUntil = addSeconds(now, c.settings.verificationLockSeconds).toISOString();
  return { failures, lock: [{ type: 'VerificationLocked', data: { failures, lockedUntil, at: now.toISOString() } }] };
}

/** CaseAuthenticated, when a successful verification makes the case meet its policy for the first time. */
function authenticatedIfMet(c: OpenCase, facts: VerifiedFacts, now: Date): CaseEvent[] {
  if (c.authenticatedAt !== null) return [];
  const status = policyStatus(c.policy, c.enrollment, facts);
  if (!status.met) return [];
  const expiresAt = addSeconds(now, c.settings.authenticationTtlSeconds).toISOString();
  return [
    {
      type: 'CaseAuthenticated',
      data: { verifiedTypes: status.verifiedTypes, policy: c.policy, expiresAt, at: now.toISOString() },
    },
  ];
}

function settingsFrom(partial: Partial<CaseSettings> | undefined): CaseSettings {
  const settings = { ...DEFAULT_CASE_SETTINGS, ...(partial ?? {}) };
  const problems: FieldProblem[] = [];
  for (const [key, value] of Object.entries(settings)) {
    if (!Number.isInteger(value) || (value as number) < 1)
      problems.push({ field: `settings.${key}`, message: 'must be a positive integer' });
  }
  if (problems.length) invalid('case.invalid', problems);
  return settings;
}

// ---------------------------------------------------------------------------------------------------------------
// commands

function openCase(command: OpenCaseCommand, state: CaseState): CaseEvent[] {
  if (state.status !== 'new') refuse('case.alreadyExists', `The case ${command.caseId} already exists`);
  const problems: FieldProblem[] = [];
  if (typeof command.caseId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(command.caseId)) {
    problems.push({ field: 'caseId', message: 'must be 1-64 characters of letters, digits, _ and -' });
  }
  if (!command.agent || !nonEmpty(command.agent.storeId) || !nonEmpty(command.agent.userId)) {
    problems.push({ field: 'agent', message: 'needs storeId and userId' });
  }
  checkAccount(command.subject, 'subject', problems);
  const types = command.enrollment?.types;
  if (
    !Array.isArray(types) ||
    !types.every(isAuthenticationType) ||
    !Array.isArray(command.enrollment.securityQuestions)
  ) {
    problems.push({ field: 'enrollment', message: 'must be an enrollment snapshot' });
  }
  if (problems.length) invalid('case.invalid', problems);
  const settings = settingsFrom(command.settings);

  const at = command.now.toISOString();
  const agent: CaseAgent = {
    storeId: command.agent.storeId,
    userId: command.agent.userId,
    displayName: command.agent.displayName ?? command.agent.userId,
  };
  const subject = account(command.subject);
  const role = command.role;
  const roleRef = role && { roleId: role.roleId, name: role.name, permissions: [...role.permissions] };
  const reasonCode: ReasonCode | undefined = !role
    ? 'helpdesk.noRole'
    : !hasPermission(role, 'UnlockAccount')
      ? 'helpdesk.permissionDenied'
      : sameAccount(agent, subject)
        ? 'helpdesk.selfService'
        : !isInScope(role, subject)
          ? 'helpdesk.outOfScope'
          : undefined;
  if (!role || !roleRef || reasonCode) {
    const code = reasonCode ?? 'helpdesk.noRole';
    return [
      {
        type: 'CaseOpeningRefused',
        data: { caseId: command.caseId, agent, subject, role: roleRef, reasonCode: code, reason: REASONS[code], at },
      },
    ];
  }
  const enrollment: EnrollmentSnapshot = {
    types: [...command.enrollment.types],
    securityQuestions: command.enrollment.securityQuestions.map(({ questionId, question }) => ({
      questionId,
      question,
    })),
  };
  if (command.enrollment.maskedEmail !== undefined) enrollment.maskedEmail = command.enrollment.maskedEmail;
  if (command.enrollment.maskedPhone !== undefined) enrollment.maskedPhone = command.enrollment.maskedPhone;
  return [
    {
      type: 'CaseOpened',
      data: {
        caseId: command.caseId,
        agent,
        role: roleRef,
        subject,
        enrollment,
        policy: { ...role.policy },
        settings,
        prior: command.prior ?? { failures: 0, lockedUntil: null, lastAuthenticatorStep: null },
        ...(command.kiosk
          ? {
              kiosk: {
                sessionId: command.kiosk.sessionId,
                kioskId: command.kiosk.kioskId,
                kioskName: command.kiosk.kioskName,
              },
            }
          : {}),
        at,
      },
    },
  ];
}

function verifySecurityAnswer(command: VerifySecurityAnswer, state: CaseState): CaseEvent[] {
  const c = requireVerifiable(state, command.now);
  if (!c.enrollment.types.includes('securityQuestions')) {
    refuse('verification.notEnrolled', 'The user is not enrolled in security questions');
  }
  if (!c.enrollment.securityQuestions.some((q) => q.questionId === command.questionId)) {
    refuse('verification.unknownQuestion', 'The user is not enrolled in this security question', [
      { field: 'questionId', message: 'is not one of the user\u2019s questions' },
    ]);
  }
  if (c.verified.questions.includes(command.questionId)) {
    refuse('verification.alreadyVerified', 'This question has already been answered correctly in this case');
  }
  if (typeof command.answerCorrect !== 'boolean')
    invalid('case.invalid', [{ field: 'answerCorrect', message: 'must be a boolean' }]);
  const locked = lockedRefusal(c, 'securityQuestion', command.now);
  if (locked) return locked;
  const at = command.now.toISOString();
  if (command.answerCorrect) {
    const facts = { ...c.verified, questions: [...c.verified.questions, command.questionId] };
    return [
      { type: 'SecurityAnswerVerified', data: { questionId: command.questionId, at } },
      ...authenticatedIfMet(c, facts, command.now),
    ];
  }
  const { failures, lock } = countFailure(c, command.now);
  return [{ type: 'SecurityAnswerRejected', data: { questionId: command.questionId, failures, at } }, ...lock];
}

function checkChannel(c: OpenCase, channel: CodeChannel): void {
  if (channel !== 'email' && channel !== 'phone')
    invalid('case.invalid', [{ field: 'channel', message: 'must be email or phone' }]);
  if (!c.enrollment.types.includes(channel))
    refuse('verification.notEnrolled', `The user is not enrolled in ${channel} codes`);
  if (c.verified[channel])
    refuse('verification.alreadyVerified', `The ${channel} code has already been verified in this case`);
}

function sendVerificationCode(command: SendVerificationCode, state: CaseState): CaseEvent[] {
  const c = requireVerifiable(state, command.now);
  checkChannel(c, command.channel);
  const problems: FieldProblem[] = [];
  if (!nonEmpty(command.codeId)) problems.push({ field: 'codeId', message: 'is required' });
  if (!isOneTimeCodeHash(command.codeHash))
    problems.push({ field: 'codeHash', message: 'must be a one-time code hash (otc.v1.…), never the code' });
  if (problems.length) invalid('case.invalid', problems);
  if (Object.values(c.codes).some((code) => code?.codeId === command.codeId))
    refuse('case.invalid', 'The code id is already used');
  const locked = lockedRefusal(c, 'sendCode', command.now);
  if (locked) return locked;
  if (c.codesSent[command.channel] >= c.settings.maxCodesPerChannel) {
    refuse(
      'verification.tooManyCodes',
      `At most ${c.settings.maxCodesPerChannel} ${command.channel} codes can be sent in one case`,
    );
  }
  const masked = command.channel === 'email' ? c.enrollment.maskedEmail : c.enrollment.maskedPhone;
  return [
    {
      type: 'VerificationCodeSent',
      data: {
        codeId: command.codeId,
        channel: command.channel,
        maskedDestination: masked ?? '***',
        codeHash: command.codeHash,
        expiresAt: addSeconds(command.now, c.settings.codeTtlSeconds).toISOString(),
        maxAttempts: c.settings.codeMaxAttempts,
        at: command.now.toISOString(),
      },
    },
  ];
}

function verifyVerificationCode(command: VerifyVerificationCode, state: CaseState): CaseEvent[] {
  const c = requireVerifiable(state, command.now);
  if (command.channel !== 'email' && command.channel !== 'phone') {
    invalid('case.invalid', [{ field: 'channel', message: 'must be email or phone' }]);
  }
  if (!c.enrollment.types.includes(command.channel))
    refuse('verification.notEnrolled', `The user is not enrolled in ${command.channel} codes`);
  const code = c.codes[command.channel];
  if (!code) refuse('verification.noCodeSent', `No ${command.channel} code has been sent in this case`);
  if (typeof command.codeHash !== 'string') invalid('case.invalid', [{ field: 'codeHash', message: 'is required' }]);
  const locked = lockedRefusal(c, 'verificationCode', command.now);
  if (locked) return locked;
  const at = command.now.toISOString();
  const rejected = (reason: 'expired' | 'used' | 'attemptsExhausted', failures: number): CaseEvent[] => [
    {
      type: 'VerificationCodeRejected',
      data: { codeId: code.codeId, channel: command.channel, reason, attemptsLeft: code.attemptsLeft, failures, at },
    },
  ];
  const failuresNow = currentFailures(c, command.now);
  if (code.status === 'used') return rejected('used', failuresNow);
  if (code.status === 'exhausted' || code.attemptsLeft <= 0) return rejected('attemptsExhausted', failuresNow);
  if (command.now.getTime() >= Date.parse(code.expiresAt)) return rejected('expired', failuresNow);
  if (oneTimeCodeHashesEqual(command.codeHash, code.codeHash)) {
    const facts = { ...c.verified, [command.channel]: true };
    return [
      { type: 'VerificationCodeVerified', data: { codeId: code.codeId, channel: command.channel, at } },
      ...authenticatedIfMet(c, facts, command.now),
    ];
  }
  const { failures, lock } = countFailure(c, command.now);
  return [
    {
      type: 'VerificationCodeRejected',
      data: {
        codeId: code.codeId,
        channel: command.channel,
        reason: 'mismatch',
        attemptsLeft: code.attemptsLeft - 1,
        failures,
        at,
      },
    },
    ...lock,
  ];
}

function verifyAuthenticatorCode(command: VerifyAuthenticatorCode, state: CaseState): CaseEvent[] {
  const c = requireVerifiable(state, command.now);
  if (!c.enrollment.types.includes('authenticator'))
    refuse('verification.notEnrolled', 'The user is not enrolled in an authenticator app');
  if (c.verified.authenticator)
    refuse('verification.alreadyVerified', 'The authenticator code has already been verified in this case');
  const result = command.result;
  if (!result || typeof result.valid !== 'boolean' || (result.valid && !Number.isInteger(result.step))) {
    invalid('case.invalid', [{ field: 'result', message: 'must be a TOTP verification result' }]);
  }
  const locked = lockedRefusal(c, 'authenticator', command.now);
  if (locked) return locked;
  const at = command.now.toISOString();
  if (result.valid && (c.lastAuthenticatorStep === null || result.step > c.lastAuthenticatorStep)) {
    const facts = { ...c.verified, authenticator: true };
    return [
      { type: 'AuthenticatorCodeVerified', data: { step: result.step, at } },
      ...authenticatedIfMet(c, facts, command.now),
    ];
  }
  if (result.valid) {
    // RFC 6238 §5.2: an accepted code (or an older one) must not be accepted again. Not counted as a wrong answer.
    return [
      {
        type: 'AuthenticatorCodeRejected',
        data: { reason: 'replayed', failures: currentFailures(c, command.now), at },
      },
    ];
  }
  const { failures, lock } = countFailure(c, command.now);
  return [{ type: 'AuthenticatorCodeRejected', data: { reason: 'mismatch', failures, at } }, ...lock];
}

/** Refusals that apply to every account of the request (who the agent is, whether the caller is authenticated). */
function requestRefusal(c: OpenCase, role: CaseRole | null, now: Date): ReasonCode | undefined {
  if (!role) return 'helpdesk.noRole';
  if (!hasPermission(role, 'UnlockAccount')) return 'helpdesk.permissionDenied';
  const enrolled = c.enrollment.types.length > 0;
  if (!enrolled && !(hasPermission(role, 'UnlockAnyAccount') && role.policy.mode === 'unrestricted')) {
    return 'unlock.unenrolledNotAllowed';
  }
  if (role.policy.mode === 'restricted') {
    if (c.authenticatedAt === null) return 'unlock.notAuthenticated';
    if (!isAuthenticated(c, now)) return 'unlock.authenticationExpired';
    // The policy in force now (the role may have become stricter since the case was authenticated).
    if (!policyStatus(role.policy, c.enrollment, c.verified).met) return 'unlock.notAuthenticated';
  }
  return undefined;
}

function accountRefusal(c: OpenCase, role: CaseRole, target: UnlockTarget): ReasonCode | undefined {
  if (sameAccount(target, c.agent)) return 'helpdesk.selfService';
  if (!isInScope(role, target)) return 'helpdesk.outOfScope';
  if (target.storeType === 'entra-id') return 'unlock.storeNotSupported';
  if (c.unlocks.some((u) => u.outcome === 'pending' && accountKey(u.account) === accountKey(target)))
    return 'unlock.inProgress';
  if (target.state.lockState === 'permanentlyLocked') return 'unlock.permanentlyLocked';
  if (target.state.lockState === 'notLocked') return 'unlock.notLocked';
  return undefined;
}

function unlockAccounts(command: UnlockAccounts, state: CaseState): CaseEvent[] {
  const c = requireOpenOrClosed(state); // a retry after the case closed still gets its (unchanged) result
  const problems: FieldProblem[] = [];
  if (typeof command.idempotencyKey !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(command.idempotencyKey)) {
    problems.push({ field: 'idempotencyKey', message: 'must be 1-200 visible ASCII characters' });
  }
  const accounts = Array.isArray(command.accounts) ? command.accounts : [];
  if (accounts.length === 0 || accounts.length > MAX_ACCOUNTS_PER_UNLOCK) {
    problems.push({ field: 'accounts', message: `must list 1 to ${MAX_ACCOUNTS_PER_UNLOCK} accounts` });
  }
  const seen = new Set<string>();
  accounts.forEach((a, i) => {
    checkAccount(a, `accounts[${i}]`, problems);
    if (!a?.state || !LOCK_STATES.includes(a.state.lockState)) {
      problems.push({ field: `accounts[${i}].state.lockState`, message: `must be one of ${LOCK_STATES.join(', ')}` });
    }
    if (a && nonEmpty(a.storeId) && nonEmpty(a.userId)) {
      if (seen.has(accountKey(a))) problems.push({ field: `accounts[${i}]`, message: 'is listed twice' });
      seen.add(accountKey(a));
    }
  });
  if (command.ticket !== undefined && (typeof command.ticket !== 'string' || command.ticket.length > 100)) {
    problems.push({ field: 'ticket', message: 'must be a string of at most 100 characters' });
  }
  if (command.comment !== undefined && (typeof command.comment !== 'string' || command.comment.length > 1000)) {
    problems.push({ field: 'comment', message: 'must be a string of at most 1000 characters' });
  }
  if (problems.length) invalid('unlock.invalid', problems);

  // Idempotency: a request already decided under this key records nothing new (the handler returns unlockResults).
  const earlier = c.unlocks.filter((u) => u.idempotencyKey === command.idempotencyKey);
  if (earlier.length > 0) {
    const before = [...new Set(earlier.map((u) => accountKey(u.account)))].sort().join('|');
    const now = [...seen].sort().join('|');
    if (before !== now) {
      refuse('unlock.idempotencyConflict', 'This Idempotency-Key was already used for a different set of accounts', [
        { field: 'idempotencyKey', message: 'was used for another request' },
      ]);
    }
    return [];
  }
  if (state.status === 'closed') refuse('case.closed', 'The case is closed');

  const at = command.now.toISOString();
  const ticket = command.ticket?.trim() || null;
  const comment = command.comment?.trim() || null;
  const role = command.role;
  const common = requestRefusal(c, role, command.now);
  const authenticationTypes = role ? policyStatus(role.policy, c.enrollment, c.verified).verifiedTypes : [];
  // An approved, unexpired break-glass stands in for the authentication an unenrolled user cannot give, for the
  // case's subject only (DOMAIN.md); every other rule still applies.
  const glass = common === 'unlock.unenrolledNotAllowed' ? activeBreakGlass(c, command.now) : null;
  const grant: BreakGlassGrant | null = glass?.decidedBy
    ? { requestId: glass.requestId, approvedBy: { ...glass.decidedBy } }
    : null;
  return accounts.map((target): CaseEvent => {
    const linked = !sameAccount(target, c.subject);
    const covered = grant !== null && !linked;
    const reasonCode = (covered ? undefined : common) ?? (role ? accountRefusal(c, role, target) : 'helpdesk.noRole');
    if (reasonCode) {
      return {
        type: 'UnlockRefused',
        data: {
          account: account(target),
          linked,
          idempotencyKey: command.idempotencyKey,
          reasonCode,
          reason: REASONS[reasonCode],
          ticket,
          comment,
          at,
        },
      };
    }
    return {
      type: 'UnlockRequested',
      data: {
        account: account(target),
        linked,
        idempotencyKey: command.idempotencyKey,
        stateBefore: cleanAccountState(target.state),
        authenticationTypes,
        ticket,
        comment,
        breakGlass: covered ? grant : null,
        at,
      },
    };
  });
}

function findIntent(c: OpenCase, acc: { storeId: string; userId: string }, idempotencyKey?: string) {
  const mine = c.unlocks.filter(
    (u) =>
      accountKey(u.account) === accountKey(acc) &&
      (idempotencyKey === undefined || u.idempotencyKey === idempotencyKey),
  );
  return {
    pending: mine.find((u) => u.outcome === 'pending'),
    settled: mine.some((u) => u.outcome === 'unlocked' || u.outcome === 'failed'),
  };
}

function recordUnlockOutcome(command: RecordUnlockOutcome, state: CaseState): CaseEvent[] {
  const c = requireOpenOrClosed(state);
  const { pending, settled } = findIntent(c, command.account, command.idempotencyKey);
  if (!pending) {
    if (settled) return []; // already settled (e.g. by the reconciler): nothing new
    refuse('unlock.noPendingIntent', 'There is no unlock of this account in progress in this case');
  }
  if (!command.write || typeof command.write.ok !== 'boolean')
    invalid('unlock.invalid', [{ field: 'write', message: 'is required' }]);
  if (command.write.ok && command.readBack === null) {
    refuse('unlock.readBackRequired', 'A successful directory write must be read back before its outcome is recorded');
  }
  return [unlockOutcome(pending, command.write, command.readBack, command.now)];
}

function reconcileUnlocks(command: ReconcileUnlocks, state: CaseState): CaseEvent[] {
  const c = requireOpenOrClosed(state);
  const events: CaseEvent[] = [];
  for (const pending of c.unlocks.filter((u) => u.outcome === 'pending')) {
    const reading = command.readings.find((r) => accountKey(r.account) === accountKey(pending.account));
    if (reading) events.push(reconcileUnlock(pending, reading.state, command.now));
  }
  return events;
}

function closeCase(command: CloseCase, state: CaseState): CaseEvent[] {
  if (state.status === 'closed') return [];
  requireOpen(state);
  const reason = nonEmpty(command.reason) ? command.reason.trim().slice(0, 200) : 'closed';
  return [{ type: 'CaseClosed', data: { reason, at: command.now.toISOString() } }];
}

// ---------------------------------------------------------------------------------------------------------------
// two-person break-glass

function minutesSetting(value: number | undefined, fallback: number, field: string, problems: FieldProblem[]) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) problems.push({ field, message: 'must be a positive integer' });
  return value;
}

const agentRef = (a: CaseAgent): CaseAgent => ({
  storeId: a.storeId,
  userId: a.userId,
  displayName: nonEmpty(a.displayName) ? a.displayName : a.userId,
});

/** A request that is pending or approved and not yet expired blocks a new one. */
const liveRequest = (c: OpenCase, now: Date) => {
  const b = c.breakGlass;
  if (!b) return null;
  const status = breakGlassStatus(b, now);
  return status === 'pending' || status === 'approved' ? b : null;
};

function requestBreakGlass(command: RequestBreakGlass, state: CaseState): CaseEvent[] {
  const c = requireOpen(state);
  const problems: FieldProblem[] = [];
  const reason = typeof command.reason === 'string' ? command.reason.trim() : '';
  if (reason.length < 10 || reason.length > 1000) {
    problems.push({ field: 'reason', message: 'must be 10 to 1000 characters (why the user cannot be authenticated)' });
  }
  if (command.ticket !== undefined && (typeof command.ticket !== 'string' || command.ticket.length > 100)) {
    problems.push({ field: 'ticket', message: 'must be a string of at most 100 characters' });
  }
  if (!nonEmpty(command.requestId) || command.requestId.length > 64) {
    problems.push({ field: 'requestId', message: 'must be 1-64 characters' });
  }
  const minutes = minutesSetting(
    command.requestMinutes,
    DEFAULT_BREAK_GLASS_SETTINGS.requestMinutes,
    'requestMinutes',
    problems,
  );
  if (problems.length) invalid('breakGlass.invalid', problems);

  const at = command.now.toISOString();
  const ticket = command.ticket?.trim() || null;
  const role = command.role;
  const enrolled = c.enrollment.types.length > 0;
  const reasonCode: ReasonCode | undefined = !role
    ? 'helpdesk.noRole'
    : !hasPermission(role, 'UnlockAccount')
      ? 'helpdesk.permissionDenied'
      : !isInScope(role, c.subject)
        ? 'helpdesk.outOfScope'
        : enrolled || (hasPermission(role, 'UnlockAnyAccount') && role.policy.mode === 'unrestricted')
          ? 'breakGlass.notNeeded'
          : liveRequest(c, command.now)
            ? 'breakGlass.alreadyRequested'
            : undefined;
  if (reasonCode) {
    return [
      {
        type: 'BreakGlassRequestRefused',
        data: { requestedBy: agentRef(c.agent), reasonCode, reason: REASONS[reasonCode], ticket, at },
      },
    ];
  }
  return [
    {
      type: 'BreakGlassRequested',
      data: {
        requestId: command.requestId,
        subject: account(c.subject),
        reason,
        ticket,
        requestedBy: agentRef(c.agent),
        expiresAt: addSeconds(command.now, minutes * 60).toISOString(),
        at,
      },
    },
  ];
}

/**
 * Why this approver may not decide the case's break-glass request now (undefined: they may). Also what the list of
 * pending requests shows each agent (`canDecide` / `whyNot`).
 */
export function breakGlassDecisionRefusal(
  c: OpenCase,
  approver: { storeId: string; userId: string },
  role: CaseRole | null,
  now: Date,
  requestId?: string,
): ReasonCode | undefined {
  const b = c.breakGlass;
  if (!b || (requestId !== undefined && requestId !== b.requestId)) return 'breakGlass.notPending';
  const status = breakGlassStatus(b, now);
  if (status === 'expired' && b.status === 'pending') return 'breakGlass.expired';
  if (status !== 'pending') return 'breakGlass.notPending';
  return approverRefusal(approver, b.requestedBy, c.subject, role);
}

/** Who may decide a pending request: a second agent (not the requester, not the subject), Unlock Any Account, in scope. */
export function approverRefusal(
  approver: { storeId: string; userId: string },
  requestedBy: { storeId: string; userId: string },
  subject: { storeId: string; userId: string; dn: string },
  role: CaseRole | null,
): ReasonCode | undefined {
  if (sameAccount(approver, requestedBy)) return 'breakGlass.samePerson';
  if (sameAccount(approver, subject)) return 'helpdesk.selfService';
  if (!role || !hasPermission(role, 'UnlockAnyAccount')) return 'breakGlass.permissionDenied';
  if (!isInScope(role, subject)) return 'helpdesk.outOfScope';
  return undefined;
}

function decideBreakGlass(command: DecideBreakGlass, state: CaseState): CaseEvent[] {
  const c = requireOpen(state);
  const problems: FieldProblem[] = [];
  if (command.decision !== 'approve' && command.decision !== 'deny') {
    problems.push({ field: 'decision', message: 'must be approve or deny' });
  }
  const a = command.approver;
  if (!a || !nonEmpty(a.storeId) || !nonEmpty(a.userId)) {
    problems.push({ field: 'approver', message: 'needs storeId and userId' });
  }
  if (command.requestId !== undefined && (!nonEmpty(command.requestId) || command.requestId.length > 64)) {
    problems.push({ field: 'requestId', message: 'must be 1-64 characters' });
  }
  if (command.comment !== undefined && (typeof command.comment !== 'string' || command.comment.length > 1000)) {
    problems.push({ field: 'comment', message: 'must be a string of at most 1000 characters' });
  }
  const minutes = minutesSetting(
    command.approvalMinutes,
    DEFAULT_BREAK_GLASS_SETTINGS.approvalMinutes,
    'approvalMinutes',
    problems,
  );
  if (problems.length) invalid('breakGlass.invalid', problems);

  const at = command.now.toISOString();
  const approver = agentRef(a);
  const comment = command.comment?.trim() || null;
  const reasonCode = breakGlassDecisionRefusal(c, approver, command.approverRole, command.now, command.requestId);
  const b = c.breakGlass;
  if (reasonCode || !b) {
    const code = reasonCode ?? 'breakGlass.notPending';
    return [
      {
        type: 'BreakGlassDecisionRefused',
        data: {
          requestId: command.requestId ?? b?.requestId ?? null,
          decision: command.decision,
          approver,
          reasonCode: code,
          reason: REASONS[code],
          at,
        },
      },
    ];
  }
  if (command.decision === 'deny') {
    return [{ type: 'BreakGlassDenied', data: { requestId: b.requestId, approver, comment, at } }];
  }
  return [
    {
      type: 'BreakGlassApproved',
      data: {
        requestId: b.requestId,
        approver,
        comment,
        validUntil: addSeconds(command.now, minutes * 60).toISOString(),
        at,
      },
    },
  ];
}

export const caseDecider: Decider<CaseCommand, CaseEvent, CaseState> = {
  initialState: () => ({ status: 'new' }),
  evolve: evolveCase,
  decide: (command, state) => {
    if (!(command.now instanceof Date) || Number.isNaN(command.now.getTime())) {
      invalid('case.invalid', [{ field: 'now', message: 'must be a valid Date' }]);
    }
    switch (command.type) {
      case 'OpenCase':
        return openCase(command, state);
      case 'VerifySecurityAnswer':
        return verifySecurityAnswer(command, state);
      case 'SendVerificationCode':
        return sendVerificationCode(command, state);
      case 'VerifyVerificationCode':
        return verifyVerificationCode(command, state);
      case 'VerifyAuthenticatorCode':
        return verifyAuthenticatorCode(command, state);
      case 'UnlockAccounts':
        return unlockAccounts(command, state);
      case 'RecordUnlockOutcome':
        return recordUnlockOutcome(command, state);
      case 'ReconcileUnlocks':
        return reconcileUnlocks(command, state);
      case 'CloseCase':
        return closeCase(command, state);
      case 'RequestBreakGlass':
        return requestBreakGlass(command, state);
      case 'DecideBreakGlass':
        return decideBreakGlass(command, state);
    }
  },
};
