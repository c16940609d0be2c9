/** Shared fixtures for the case decider specs (not used by production code). */
import { randomBytes } from 'node:crypto';
import type { EnrollmentSnapshot } from '../../enrollment/enrollment.decider';
import type { HelpdeskPolicy, Permission } from '../../policy/role';
import { hashOneTimeCode } from '../../shared/crypto/one-time-code';
import type { AuthenticationType } from '../../shared/domain-types';
import { deciderSpec } from '../../shared/testing/decider-spec';
import type { CaseRole, OpenCaseCommand, UnlockAccounts, UnlockTarget } from '../case.decider';
import { caseDecider } from '../case.decider';
import { CASE_EVENT_SCHEMA_VERSIONS, type CaseAccount, type CaseEvent, DEFAULT_CASE_SETTINGS } from '../case.events';

export const spec = deciderSpec(caseDecider, { schemaVersions: CASE_EVENT_SCHEMA_VERSIONS });

export const T0 = new Date('2030-01-01T09:00:00.000Z');
export const tPlus = (seconds: number, from = T0) => new Date(from.getTime() + seconds * 1000);
export const iso = (d: Date) => d.toISOString();

export const agent = { storeId: 'ad', userId: 'helpdesk1', displayName: 'Helen Desk' };
export const alice: CaseAccount = {
  storeId: 'ad',
  storeType: 'active-directory',
  userId: 'alice',
  dn: 'CN=Alice Smith,OU=Staff,DC=corp,DC=test',
};
export const aliceLdap: CaseAccount = {
  storeId: 'ldap',
  storeType: 'ldap',
  userId: 'alice',
  dn: 'uid=alice,ou=people,dc=example,dc=test',
};
export const aliceEntra: CaseAccount = {
  storeId: 'entra',
  storeType: 'entra-id',
  userId: 'alice@corp.test',
  dn: 'CN=alice@corp.test',
};
export const adminAccount: CaseAccount = {
  storeId: 'ad',
  storeType: 'active-directory',
  userId: 'admin',
  dn: 'CN=Admin,OU=Admins,DC=corp,DC=test',
};

export const restrictedPolicy: HelpdeskPolicy = { mode: 'restricted', requiredTypes: 2, minSecurityQuestions: 2 };
export const unrestrictedPolicy: HelpdeskPolicy = { mode: 'unrestricted', requiredTypes: 1, minSecurityQuestions: 0 };

export const role = (
  policy: HelpdeskPolicy = restrictedPolicy,
  permissions: Permission[] = ['UnlockAccount', 'ViewHistory'],
  scope: CaseRole['scope'] = {
    storeIds: ['ad', 'ldap', 'entra'],
    baseDns: ['OU=Staff,DC=corp,DC=test', 'ou=people,dc=example,dc=test', 'CN=alice@corp.test'],
  },
): CaseRole => ({ roleId: 'helpdesk', name: 'Helpdesk', permissions, scope, policy });

export const fullEnrollment: EnrollmentSnapshot = {
  types: ['securityQuestions', 'authenticator', 'email', 'phone'],
  securityQuestions: [
    { questionId: 'pet', question: 'First pet?' },
    { questionId: 'city', question: 'Birth city?' },
    { questionId: 'school', question: 'First school?' },
  ],
  maskedEmail: 'a***@example.test',
  maskedPhone: '***-**12',
};
export const noEnrollment: EnrollmentSnapshot = { types: [], securityQuestions: [] };

export const openCommand = (overrides: Partial<OpenCaseCommand> = {}): OpenCaseCommand => ({
  type: 'OpenCase',
  caseId: 'c1',
  agent,
  role: role(),
  subject: alice,
  enrollment: fullEnrollment,
  now: T0,
  ...overrides,
});

export const opened = (
  policy: HelpdeskPolicy = restrictedPolicy,
  enrollment: EnrollmentSnapshot = fullEnrollment,
  prior = { failures: 0, lockedUntil: null as string | null, lastAuthenticatorStep: null as number | null },
): CaseEvent => ({
  type: 'CaseOpened',
  data: {
    caseId: 'c1',
    agent,
    role: { roleId: 'helpdesk', name: 'Helpdesk', permissions: ['UnlockAccount', 'ViewHistory'] },
    subject: alice,
    enrollment,
    policy,
    settings: DEFAULT_CASE_SETTINGS,
    prior,
    at: iso(T0),
  },
});

export const codeKey = randomBytes(32);
export const codeHash = (code: string, channel = 'email') => hashOneTimeCode(codeKey, `c1/${channel}`, code);

export const answerVerified = (questionId: string, at = T0): CaseEvent => ({
  type: 'SecurityAnswerVerified',
  data: { questionId, at: iso(at) },
});
export const codeVerified = (channel: 'email' | 'phone', at = T0, codeId = `${channel}-1`): CaseEvent => ({
  type: 'VerificationCodeVerified',
  data: { codeId, channel, at: iso(at) },
});
export const authenticated = (
  at = T0,
  verifiedTypes: AuthenticationType[] = ['securityQuestions', 'email'],
  policy = restrictedPolicy,
): CaseEvent => ({
  type: 'CaseAuthenticated',
  data: { verifiedTypes, policy, expiresAt: iso(tPlus(15 * 60, at)), at: iso(at) },
});

/** A restricted case authenticated at T0 with two questions and an e-mail code. */
export const authenticatedCase = (at = T0): CaseEvent[] => [
  opened(),
  answerVerified('pet', at),
  answerVerified('city', at),
  codeVerified('email', at),
  authenticated(at),
];

export const locked = (account: CaseAccount = alice): UnlockTarget => ({
  ...account,
  state: { lockState: 'locked', failedAttempts: 5 },
});

export const unlock = (overrides: Partial<UnlockAccounts> = {}): UnlockAccounts => ({
  type: 'UnlockAccounts',
  idempotencyKey: 'key-1',
  role: role(),
  accounts: [locked()],
  now: tPlus(60),
  ...overrides,
});

export const requested = (
  account: CaseAccount = alice,
  overrides: Partial<Extract<CaseEvent, { type: 'UnlockRequested' }>['data']> = {},
): CaseEvent => ({
  type: 'UnlockRequested',
  data: {
    account,
    linked: account !== alice,
    idempotencyKey: 'key-1',
    stateBefore: { lockState: 'locked', failedAttempts: 5 },
    authenticationTypes: ['securityQuestions', 'email'],
    ticket: null,
    comment: null,
    breakGlass: null,
    at: iso(tPlus(60)),
    ...overrides,
  },
});

export const refused = (
  reasonCode: string,
  reason: string,
  account: CaseAccount = alice,
  overrides: Partial<Extract<CaseEvent, { type: 'UnlockRefused' }>['data']> = {},
): CaseEvent => ({
  type: 'UnlockRefused',
  data: {
    account,
    linked: account !== alice,
    idempotencyKey: 'key-1',
    reasonCode,
    reason,
    ticket: null,
    comment: null,
    at: iso(tPlus(60)),
    ...overrides,
  },
});
