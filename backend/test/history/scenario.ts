/**
 * A realistic sequence of the product's events (shapes from case.events.ts, enrollment.events.ts, role.events.ts and
 * sign-in-events.ts, metadata as the handlers write it), for the history and audit tests and the benchmark.
 */
import type { EventStore, NewEvent } from '../../src/event-store/event-store';
import { CASE_EVENT_SCHEMA_VERSIONS, type CaseEvent, DEFAULT_CASE_SETTINGS } from '../../src/helpdesk/case.events';

export const HANNA = { storeId: 'corp-ad', userId: 'a1b2c3d4-0000-4000-8000-00000000000a', displayName: 'Hanna Agent' };
export const HANNA_KEY = `corp-ad:${HANNA.userId}`;
export const CAROL = {
  storeId: 'corp-ad',
  storeType: 'active-directory' as const,
  userId: 'c0ffee00-0000-4000-8000-00000000000c',
  dn: 'CN=Carol Jones,OU=Staff,DC=corp,DC=test',
};
export const CAROL_KEY = `corp-ad:${CAROL.userId}`;
export const CAROL_LDAP = {
  storeId: 'ldap',
  storeType: 'ldap' as const,
  userId: '5e1ec7ed-0000-4000-8000-0000000000c1',
  dn: 'uid=carol,ou=people,dc=example,dc=test',
};
export const CAROL_LDAP_KEY = `ldap:${CAROL_LDAP.userId}`;
export const ADMIN_KEY = 'corp-ad:ad000000-0000-4000-8000-000000000001';

export const TICKET = 'INC-42, "urgent"';
export const COMMENT = 'Caller on the phone;\nverified by Hanna — café ☕';

export type Appended = { stream: string; events: NewEvent[] };

const meta = (actor: string, extra: Record<string, unknown> = {}) => ({
  actor,
  client: 'admin',
  ip: '192.0.2.10',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140',
  correlationId: 'corr-1',
  ...extra,
});

const caseEvent = (e: CaseEvent, actor = `corp-ad:${HANNA.userId}`): NewEvent => ({
  type: e.type,
  data: e.data,
  metadata: meta(actor, { schemaVersion: CASE_EVENT_SCHEMA_VERSIONS[e.type] }),
});

const at = (i: number) => new Date(Date.UTC(2030, 0, 1, 9, 0, i)).toISOString();

/** A case for Carol: verification, a lock in another case, unlock of her AD account and her linked LDAP account. */
export function scenario(caseId = 'c1', caseId2 = 'c2'): Appended[] {
  const agent = HANNA;
  const policy = { mode: 'restricted' as const, requiredTypes: 2, minSecurityQuestions: 1 };
  const role = {
    roleId: 'helpdesk',
    name: 'Helpdesk',
    permissions: ['UnlockAccount' as const, 'ViewHistory' as const],
  };
  return [
    {
      stream: `agent-corp-ad-hanna`,
      events: [
        {
          type: 'AgentSignedIn',
          data: {
            subject: { storeId: HANNA.storeId, userId: HANNA.userId },
            username: 'hanna',
            displayName: HANNA.displayName,
            groups: ['Helpdesk Agents'],
            outcome: 'success',
          },
          metadata: { ...meta(HANNA_KEY), schemaVersion: 1 },
        },
      ],
    },
    {
      stream: 'role-helpdesk',
      events: [
        {
          type: 'RoleCreated',
          data: {
            roleId: 'helpdesk',
            name: 'Helpdesk',
            priority: 10,
            mappedGroups: [{ storeId: 'corp-ad', group: 'Helpdesk Agents' }],
            permissions: ['UnlockAccount', 'ViewHistory'],
            scope: { storeIds: ['*'] },
            policy,
          },
          metadata: meta(ADMIN_KEY, { schemaVersion: 1 }),
        },
      ],
    },
    {
      stream: `enrollment-corp-ad-${CAROL.userId}`,
      events: [
        {
          type: 'AuthenticationTypeEnrolled',
          data: {
            storeId: CAROL.storeId,
            userId: CAROL.userId,
            enrollment: {
              type: 'securityQuestions',
              questions: [
                { questionId: 'pet', question: 'First pet?', answerHash: 'scrypt$N=16384$c2FsdA$aGFzaA' },
                { questionId: 'city', question: 'Birth city?', answerHash: 'scrypt$N=16384$c2FsdB$aGFzaB' },
              ],
            },
            source: 'import',
            replaced: false,
          },
          metadata: meta(ADMIN_KEY, { schemaVersion: 1 }),
        },
        {
          type: 'AuthenticationTypeEnrolled',
          data: {
            storeId: CAROL.storeId,
            userId: CAROL.userId,
            enrollment: { type: 'email', address: 'carol.jones@example.test' },
            source: 'directory',
            replaced: false,
          },
          metadata: meta('system', { client: 'system' }),
        },
      ],
    },
    {
      stream: `case-${caseId}`,
      events: [
        caseEvent({
          type: 'CaseOpened',
          data: {
            caseId,
            agent,
            role,
            subject: CAROL,
            enrollment: {
              types: ['securityQuestions', 'email'],
              securityQuestions: [
                { questionId: 'pet', question: 'First pet?' },
                { questionId: 'city', question: 'Birth city?' },
              ],
              maskedEmail: 'c***@example.test',
            },
            policy,
            settings: DEFAULT_CASE_SETTINGS,
            prior: { failures: 0, lockedUntil: null, lastAuthenticatorStep: null },
            at: at(1),
          },
        }),
        caseEvent({ type: 'SecurityAnswerRejected', data: { questionId: 'city', failures: 1, at: at(2) } }),
        caseEvent({ type: 'SecurityAnswerVerified', data: { questionId: 'pet', at: at(3) } }),
        caseEvent({
          type: 'VerificationCodeSent',
          data: {
            codeId: 'email-1',
            channel: 'email',
            maskedDestination: 'c***@example.test',
            codeHash: 'hmac-sha256:0f0e0d0c0b0a',
            expiresAt: at(300),
            maxAttempts: 3,
            at: at(4),
          },
        }),
        caseEvent({
          type: 'VerificationCodeRejected',
          data: { codeId: 'email-1', channel: 'email', reason: 'mismatch', attemptsLeft: 2, failures: 2, at: at(5) },
        }),
        caseEvent({ type: 'VerificationCodeVerified', data: { codeId: 'email-1', channel: 'email', at: at(6) } }),
        caseEvent({
          type: 'CaseAuthenticated',
          data: { verifiedTypes: ['securityQuestions', 'email'], policy, expiresAt: at(906), at: at(6) },
        }),
        caseEvent({
          type: 'UnlockRequested',
          data: {
            account: CAROL,
            linked: false,
            idempotencyKey: 'idem-1',
            stateBefore: { lockState: 'locked', failedAttempts: 5 },
            authenticationTypes: ['securityQuestions', 'email'],
            ticket: TICKET,
            comment: COMMENT,
            breakGlass: null,
            at: at(7),
          },
        }),
        caseEvent({
          type: 'UnlockRequested',
          data: {
            account: CAROL_LDAP,
            linked: true,
            idempotencyKey: 'idem-1',
            stateBefore: { lockState: 'locked' },
            authenticationTypes: ['securityQuestions', 'email'],
            ticket: TICKET,
            comment: COMMENT,
            breakGlass: null,
            at: at(7),
          },
        }),
        caseEvent({
          type: 'AccountUnlocked',
          data: {
            account: CAROL,
            idempotencyKey: 'idem-1',
            readBack: { lockState: 'notLocked', failedAttempts: 0 },
            directoryMessage: null,
            reconciled: false,
            at: at(8),
          },
        }),
        caseEvent({
          type: 'UnlockFailed',
          data: {
            account: CAROL_LDAP,
            idempotencyKey: 'idem-1',
            readBack: { lockState: 'locked' },
            reasonCode: 'unlock.stillLocked',
            reason: 'The directory accepted the unlock but the account still reads back as locked',
            directoryMessage: null,
            reconciled: false,
            at: at(8),
          },
        }),
        caseEvent({ type: 'CaseClosed', data: { reason: 'done', at: at(9) } }),
      ],
    },
    {
      stream: `case-${caseId2}`,
      events: [
        caseEvent({
          type: 'CaseOpened',
          data: {
            caseId: caseId2,
            agent,
            role,
            subject: CAROL,
            enrollment: {
              types: ['securityQuestions'],
              securityQuestions: [{ questionId: 'pet', question: 'First pet?' }],
            },
            policy,
            settings: DEFAULT_CASE_SETTINGS,
            prior: { failures: 2, lockedUntil: null, lastAuthenticatorStep: null },
            at: at(20),
          },
        }),
        caseEvent({ type: 'AuthenticatorCodeRejected', data: { reason: 'mismatch', failures: 5, at: at(21) } }),
        caseEvent({
          type: 'VerificationLocked',
          data: { failures: 5, lockedUntil: '2030-01-01T09:15:21.000Z', at: at(21) },
        }),
        caseEvent({
          type: 'VerificationAttemptRefused',
          data: {
            method: 'securityQuestion',
            reasonCode: 'verification.locked',
            reason: 'Verification for this user is locked after too many wrong answers; try again later',
            lockedUntil: '2030-01-01T09:15:21.000Z',
            at: at(22),
          },
        }),
        caseEvent({
          type: 'UnlockRefused',
          data: {
            account: CAROL,
            linked: false,
            idempotencyKey: 'idem-2',
            reasonCode: 'unlock.notAuthenticated',
            reason: "The user has not been authenticated to your role's helpdesk policy in this case",
            ticket: 'INC-43',
            comment: null,
            at: at(23),
          },
        }),
      ],
    },
    {
      stream: 'agent-corp-ad-hanna',
      events: [
        {
          type: 'AgentSignInFailed',
          data: { storeId: 'corp-ad', username: 'Hanna', outcome: 'failed', reason: 'invalid-credentials' },
          metadata: meta('anonymous:192.0.2.99', { ip: '192.0.2.99', schemaVersion: 1 }),
        },
        {
          type: 'AgentSignedOut',
          data: { subject: { storeId: HANNA.storeId, userId: HANNA.userId }, username: 'hanna' },
          metadata: meta(HANNA_KEY, { schemaVersion: 1 }),
        },
      ],
    },
  ];
}

export async function appendAll(store: EventStore, batches: Appended[]): Promise<bigint> {
  let last = 0n;
  for (const b of batches) last = (await store.append(b.stream, b.events)).position;
  return last;
}
