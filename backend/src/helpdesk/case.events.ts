/**
 * Events of one helpdesk case (stream `case-<caseId>`): one agent, one subject (the caller), the verifications
 * that authenticate the caller, and the unlocks (intent, then outcome per account) with every refusal.
 * No secret is ever in an event: answers are verdicts, codes appear only as keyed hashes, TOTP as a time step.
 */
import type { EnrollmentSnapshot } from '../enrollment/enrollment.decider';
import type { HelpdeskPolicy, Permission } from '../policy/role';
import type { DomainEvent } from '../shared/decider';
import type { AuthenticationType, CodeChannel, DirectoryAccountState, IdentityStoreType } from '../shared/domain-types';
import { createUpcaster, type SchemaVersions } from '../shared/events';

export const caseStreamId = (caseId: string) => `case-${caseId}`;

export type CaseAgent = { storeId: string; userId: string; displayName: string };
/**
 * An account as case events record it. `displayName`: the directory's display name when the event was recorded
 * (optional and additive, so still schema version 1: events recorded before it was added lack it, and readers fall
 * back to other sources such as the DN). It is what history and audit call the person.
 */
export type CaseAccount = {
  storeId: string;
  storeType: IdentityStoreType;
  userId: string;
  dn: string;
  displayName?: string;
};
/**
 * The walk-up kiosk session a case was opened from (claimed by the agent with the session's code); optional and
 * additive in CaseOpened (still schema version 1): absent for cases opened at the admin console.
 */
export type CaseKioskLink = { sessionId: string; kioskId: string; kioskName: string };
export type CaseRoleRef = { roleId: string; name: string; permissions: Permission[] };

export type CaseSettings = {
  /** How long a case stays authenticated (default 15 minutes). */
  authenticationTtlSeconds: number;
  /** Wrong answers/codes (across all methods) before the verification is locked. */
  maxVerificationFailures: number;
  verificationLockSeconds: number;
  codeTtlSeconds: number;
  /** Wrong tries per sent code before that code is dead. */
  codeMaxAttempts: number;
  maxCodesPerChannel: number;
};

export const DEFAULT_CASE_SETTINGS: CaseSettings = {
  authenticationTtlSeconds: 15 * 60,
  maxVerificationFailures: 5,
  verificationLockSeconds: 15 * 60,
  codeTtlSeconds: 5 * 60,
  codeMaxAttempts: 3,
  maxCodesPerChannel: 5,
};

/** Verification state carried over from the user's earlier cases (a per-user read model), so a new case is no bypass. */
export type PriorVerification = { failures: number; lockedUntil: string | null; lastAuthenticatorStep: number | null };

export type VerificationMethod = 'securityQuestion' | 'verificationCode' | 'sendCode' | 'authenticator';

type At = { at: string };
type Outcome = { account: CaseAccount; idempotencyKey: string } & At;

export type CaseOpened = DomainEvent<
  'CaseOpened',
  {
    caseId: string;
    agent: CaseAgent;
    role: CaseRoleRef;
    subject: CaseAccount;
    enrollment: EnrollmentSnapshot;
    policy: HelpdeskPolicy;
    settings: CaseSettings;
    prior: PriorVerification;
    kiosk?: CaseKioskLink;
  } & At
>;
export type CaseOpeningRefused = DomainEvent<
  'CaseOpeningRefused',
  {
    caseId: string;
    agent: CaseAgent;
    subject: CaseAccount;
    role: CaseRoleRef | null;
    reasonCode: string;
    reason: string;
  } & At
>;
export type SecurityAnswerVerified = DomainEvent<'SecurityAnswerVerified', { questionId: string } & At>;
export type SecurityAnswerRejected = DomainEvent<
  'SecurityAnswerRejected',
  { questionId: string; failures: number } & At
>;
export type VerificationCodeSent = DomainEvent<
  'VerificationCodeSent',
  {
    codeId: string;
    channel: CodeChannel;
    maskedDestination: string;
    codeHash: string;
    expiresAt: string;
    maxAttempts: number;
  } & At
>;
export type VerificationCodeVerified = DomainEvent<
  'VerificationCodeVerified',
  { codeId: string; channel: CodeChannel } & At
>;
export type CodeRejectionReason = 'mismatch' | 'expired' | 'used' | 'attemptsExhausted';
export type VerificationCodeRejected = DomainEvent<
  'VerificationCodeRejected',
  { codeId: string; channel: CodeChannel; reason: CodeRejectionReason; attemptsLeft: number; failures: number } & At
>;
export type AuthenticatorCodeVerified = DomainEvent<'AuthenticatorCodeVerified', { step: number } & At>;
export type AuthenticatorCodeRejected = DomainEvent<
  'AuthenticatorCodeRejected',
  { reason: 'mismatch' | 'replayed'; failures: number } & At
>;
export type VerificationLocked = DomainEvent<'VerificationLocked', { failures: number; lockedUntil: string } & At>;
export type VerificationAttemptRefused = DomainEvent<
  'VerificationAttemptRefused',
  { method: VerificationMethod; reasonCode: string; reason: string; lockedUntil: string } & At
>;
export type CaseAuthenticated = DomainEvent<
  'CaseAuthenticated',
  { verifiedTypes: AuthenticationType[]; policy: HelpdeskPolicy; expiresAt: string } & At
>;
export type UnlockRequested = DomainEvent<
  'UnlockRequested',
  {
    account: CaseAccount;
    linked: boolean;
    idempotencyKey: string;
    stateBefore: DirectoryAccountState;
    authenticationTypes: AuthenticationType[];
    ticket: string | null;
    comment: string | null;
    /**
     * Schema version 2: the approved two-person break-glass that allowed this unlock of an unenrolled subject (null:
     * none was needed). Version 1 events are upcast to `null`.
     */
    breakGlass: BreakGlassGrant | null;
  } & At
>;
/** The approved break-glass an unlock relied on: which request, approved by whom. */
export type BreakGlassGrant = { requestId: string; approvedBy: CaseAgent };
export type UnlockRefused = DomainEvent<
  'UnlockRefused',
  {
    account: CaseAccount;
    linked: boolean;
    idempotencyKey: string;
    reasonCode: string;
    reason: string;
    ticket: string | null;
    comment: string | null;
  } & At
>;
export type AccountUnlocked = DomainEvent<
  'AccountUnlocked',
  Outcome & { readBack: DirectoryAccountState; directoryMessage: string | null; reconciled: boolean }
>;
export type UnlockFailed = DomainEvent<
  'UnlockFailed',
  Outcome & {
    readBack: DirectoryAccountState | null;
    reasonCode: string;
    reason: string;
    directoryMessage: string | null;
    reconciled: boolean;
  }
>;
export type CaseClosed = DomainEvent<'CaseClosed', { reason: string } & At>;

/**
 * Two-person break-glass for an unenrolled subject: the case's agent asks, a second agent with Unlock Any Account
 * (in scope, not the subject) approves or denies. `subject` is repeated so read models need no other event.
 */
export type BreakGlassRequested = DomainEvent<
  'BreakGlassRequested',
  {
    requestId: string;
    subject: CaseAccount;
    reason: string;
    ticket: string | null;
    requestedBy: CaseAgent;
    expiresAt: string;
  } & At
>;
export type BreakGlassRequestRefused = DomainEvent<
  'BreakGlassRequestRefused',
  { requestedBy: CaseAgent; reasonCode: string; reason: string; ticket: string | null } & At
>;
export type BreakGlassApproved = DomainEvent<
  'BreakGlassApproved',
  { requestId: string; approver: CaseAgent; comment: string | null; validUntil: string } & At
>;
export type BreakGlassDenied = DomainEvent<
  'BreakGlassDenied',
  { requestId: string; approver: CaseAgent; comment: string | null } & At
>;
export type BreakGlassDecisionRefused = DomainEvent<
  'BreakGlassDecisionRefused',
  {
    /** null: the case has no break-glass request. */
    requestId: string | null;
    decision: 'approve' | 'deny';
    approver: CaseAgent;
    reasonCode: string;
    reason: string;
  } & At
>;

export type CaseEvent =
  | CaseOpened
  | CaseOpeningRefused
  | SecurityAnswerVerified
  | SecurityAnswerRejected
  | VerificationCodeSent
  | VerificationCodeVerified
  | VerificationCodeRejected
  | AuthenticatorCodeVerified
  | AuthenticatorCodeRejected
  | VerificationLocked
  | VerificationAttemptRefused
  | CaseAuthenticated
  | UnlockRequested
  | UnlockRefused
  | AccountUnlocked
  | UnlockFailed
  | CaseClosed
  | BreakGlassRequested
  | BreakGlassRequestRefused
  | BreakGlassApproved
  | BreakGlassDenied
  | BreakGlassDecisionRefused;

export const CASE_EVENT_SCHEMA_VERSIONS: SchemaVersions<CaseEvent['type']> = {
  CaseOpened: 1,
  CaseOpeningRefused: 1,
  SecurityAnswerVerified: 1,
  SecurityAnswerRejected: 1,
  VerificationCodeSent: 1,
  VerificationCodeVerified: 1,
  VerificationCodeRejected: 1,
  AuthenticatorCodeVerified: 1,
  AuthenticatorCodeRejected: 1,
  VerificationLocked: 1,
  VerificationAttemptRefused: 1,
  CaseAuthenticated: 1,
  UnlockRequested: 2,
  UnlockRefused: 1,
  AccountUnlocked: 1,
  UnlockFailed: 1,
  CaseClosed: 1,
  BreakGlassRequested: 1,
  BreakGlassRequestRefused: 1,
  BreakGlassApproved: 1,
  BreakGlassDenied: 1,
  BreakGlassDecisionRefused: 1,
};

export const upcastCaseEvent = createUpcaster<CaseEvent>(CASE_EVENT_SCHEMA_VERSIONS, {
  // v1 → v2: unlocks recorded before break-glass existed relied on none.
  UnlockRequested: { 1: (data) => ({ ...(data as object), breakGlass: null }) },
});

/** Reasons of recorded refusals and failures: a stable code and the sentence the agent sees. */
export const REASONS = {
  'helpdesk.noRole': 'You have no helpdesk role',
  'helpdesk.permissionDenied': 'Your role does not have the Unlock Account permission',
  'helpdesk.selfService': 'Agents cannot authenticate or unlock their own accounts through the helpdesk',
  'helpdesk.outOfScope': "The account is outside your role's scope",
  'verification.locked': 'Verification for this user is locked after too many wrong answers; try again later',
  'unlock.notAuthenticated': "The user has not been authenticated to your role's helpdesk policy in this case",
  'unlock.authenticationExpired':
    'The authentication in this case has expired; open a new case and authenticate the user again',
  'unlock.unenrolledNotAllowed':
    'The user is not enrolled; unenrolled users can be unlocked only with the Unlock Any Account permission and an unrestricted helpdesk policy',
  'unlock.storeNotSupported': 'Account unlock is not supported in a Microsoft Entra ID identity store',
  'unlock.permanentlyLocked':
    'The account is permanently locked by an administrator and cannot be unlocked by the helpdesk',
  'unlock.notLocked': 'The account is not locked',
  'unlock.inProgress': 'An unlock of this account is already in progress in this case',
  'unlock.stillLocked': 'The directory accepted the unlock but the account still reads back as locked',
  'unlock.directoryError': 'The directory refused or failed the unlock',
  'unlock.interrupted': 'The unlock was interrupted and the account is still locked',
  'unlock.accountNotFound': 'The account no longer exists in the directory',
  'breakGlass.notNeeded':
    'No break-glass is needed: the user is enrolled, or your role may already unlock unenrolled users',
  'breakGlass.alreadyRequested': 'A break-glass request for this case is already pending or approved',
  'breakGlass.samePerson': 'A break-glass request must be approved by a second agent, not by the one who asked',
  'breakGlass.permissionDenied': 'Deciding a break-glass request needs the Unlock Any Account permission',
  'breakGlass.notPending': 'There is no pending break-glass request in this case',
  'breakGlass.expired': 'The break-glass request has expired; the agent must ask again',
} as const;
export type ReasonCode = keyof typeof REASONS;
