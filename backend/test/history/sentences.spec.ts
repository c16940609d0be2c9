/**
 * Every event type the backend appends has an action code and a readable sentence (never the raw `event.<Type>`
 * fallback), and names people by the display names the events carry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ENROLLMENT_EVENT_SCHEMA_VERSIONS, type EnrollmentEvent } from '../../src/enrollment/enrollment.events';
import type { NewEvent } from '../../src/event-store/event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { CASE_EVENT_SCHEMA_VERSIONS, type CaseEvent, DEFAULT_CASE_SETTINGS } from '../../src/helpdesk/case.events';
import { DELIVERY_EVENT_SCHEMA_VERSIONS, type DeliveryEvent } from '../../src/helpdesk/delivery';
import { LINK_EVENT_SCHEMA_VERSIONS, type LinkEvent } from '../../src/helpdesk/links';
import {
  KIOSK_EVENT_SCHEMA_VERSIONS,
  KIOSK_SESSION_EVENT_SCHEMA_VERSIONS,
  type KioskEvent,
  type KioskSessionEvent,
  type KioskSignInEvent,
} from '../../src/kiosk/kiosk.events';
import { ROLE_EVENT_SCHEMA_VERSIONS, type RoleEvent } from '../../src/policy/role.events';
import { auditProjection, queryAudit, verifyAuditChain } from '../../src/projections/audit.projection';
import { type Describable, describe as sentence } from '../../src/projections/describe';
import { ACTIONS } from '../../src/projections/helpdesk-facts';
import { historyFor, historyProjection } from '../../src/projections/history.projection';
import { openReadModelDb } from '../../src/projections/projection';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { SIGN_IN_EVENT_SCHEMA_VERSIONS, type SignInEvent } from '../../src/session/sign-in-events';

/** Every event type the backend appends: the schema-version tables, and the one-off roles bootstrap event. */
const ALL_TYPES = [
  ...Object.keys(CASE_EVENT_SCHEMA_VERSIONS),
  ...Object.keys(DELIVERY_EVENT_SCHEMA_VERSIONS),
  ...Object.keys(LINK_EVENT_SCHEMA_VERSIONS),
  ...Object.keys(ENROLLMENT_EVENT_SCHEMA_VERSIONS),
  ...Object.keys(ROLE_EVENT_SCHEMA_VERSIONS),
  ...Object.keys(SIGN_IN_EVENT_SCHEMA_VERSIONS),
  ...Object.keys(KIOSK_EVENT_SCHEMA_VERSIONS),
  ...Object.keys(KIOSK_SESSION_EVENT_SCHEMA_VERSIONS),
  'RolesBootstrapped',
];

const STORES: Record<string, string> = { 'corp-ad': 'Corp AD', ldap: 'Corp OpenLDAP' };
const storeName = (id: string) => STORES[id];

const HENRY = { storeId: 'corp-ad', userId: 'aaaa0000-0000-4000-8000-00000000000h', displayName: 'Henry Admin' };
const HENRY_ACTOR = `corp-ad:${HENRY.userId}`;
const DAVE = {
  storeId: 'corp-ad',
  storeType: 'active-directory' as const,
  userId: '3755285c-23fa-48ef-91cc-674f68e79d11',
  dn: 'CN=Dave Dunn,OU=Staff,DC=corp,DC=test',
  displayName: 'Dave Dunn',
};
const DAVE_KEY = `corp-ad:${DAVE.userId}`;
/** Linked OpenLDAP account: its DN only gives the username ("dave"); the event carries the display name. */
const DAVE_LDAP = {
  storeId: 'ldap',
  storeType: 'ldap' as const,
  userId: '5e1ec7ed-0000-4000-8000-0000000000d1',
  dn: 'uid=dave,ou=people,dc=example,dc=test',
  displayName: 'Dave Dunn',
};
const DAVE_LDAP_KEY = `ldap:${DAVE_LDAP.userId}`;
const ERIN = {
  storeId: 'corp-ad',
  storeType: 'active-directory' as const,
  userId: 'e0000000-0000-4000-8000-00000000000e',
  dn: 'CN=Erin Early,OU=Staff,DC=corp,DC=test',
};

const at = (i: number) => new Date(Date.UTC(2030, 0, 1, 9, 0, i)).toISOString();
const meta = (actor: string) => ({ actor, client: 'admin', correlationId: 'corr-9', schemaVersion: 1 });
type Any =
  | CaseEvent
  | DeliveryEvent
  | LinkEvent
  | EnrollmentEvent
  | RoleEvent
  | SignInEvent
  | KioskEvent
  | KioskSessionEvent
  | KioskSignInEvent;
const ev = (e: Any, actor = HENRY_ACTOR): NewEvent => ({ type: e.type, data: e.data, metadata: meta(actor) });

const policy = { mode: 'restricted' as const, requiredTypes: 2, minSecurityQuestions: 1 };
const role = { roleId: 'helpdesk', name: 'Helpdesk', permissions: ['UnlockAccount' as const] };
const roleBody = {
  roleId: 'helpdesk',
  name: 'Helpdesk',
  priority: 10,
  mappedGroups: [{ storeId: 'corp-ad', group: 'Helpdesk Agents' }],
  permissions: ['UnlockAccount' as const],
  scope: { storeIds: ['*'] },
  policy,
};
const reason = (code: string, text: string) => ({ reasonCode: code, reason: text });

const HANNA = { storeId: 'corp-ad', userId: 'aaaa0000-0000-4000-8000-0000000000a1', displayName: 'Hanna Agent' };
const HANNA_ACTOR = `corp-ad:${HANNA.userId}`;
/** A case Hanna opened for Erin, who is not enrolled (break-glass samples). */
const bgOpened = (caseId: string) => ({
  caseId,
  agent: HANNA,
  role,
  subject: ERIN,
  enrollment: { types: [], securityQuestions: [] },
  policy,
  settings: DEFAULT_CASE_SETTINGS,
  prior: { failures: 0, lockedUntil: null, lastAuthenticatorStep: null },
  at: at(23),
});

/** One event of every type, in a realistic order, each with the sentence it must read as. */
const SEQUENCE: { stream: string; event: NewEvent; sentence: string }[] = [
  {
    stream: 'agent-corp-ad-henry',
    event: ev(
      {
        type: 'AgentSignInFailed',
        data: { storeId: 'corp-ad', username: 'henry', outcome: 'failed', reason: 'invalid-credentials' },
      },
      'system',
    ),
    sentence: 'Sign-in as henry to Corp AD failed: wrong username or password',
  },
  {
    stream: 'agent-corp-ad-henry',
    event: ev({
      type: 'AgentSignedIn',
      data: {
        subject: { storeId: HENRY.storeId, userId: HENRY.userId },
        username: 'henry',
        displayName: HENRY.displayName,
        groups: ['Helpdesk Admins'],
        outcome: 'success',
      },
    }),
    sentence: 'Henry Admin signed in to Corp AD',
  },
  {
    stream: 'roles-bootstrap',
    event: {
      type: 'RolesBootstrapped',
      data: { roleIds: ['helpdesk', 'old'], created: ['helpdesk'], source: 'configuration' },
      metadata: { actor: 'system', client: 'system', schemaVersion: 1 },
    },
    sentence: 'The system set up 2 roles from the configuration (1 created)',
  },
  {
    stream: 'role-helpdesk',
    event: ev({ type: 'RoleCreated', data: roleBody }),
    sentence: 'Henry Admin created role Helpdesk',
  },
  {
    stream: 'role-helpdesk',
    event: ev({ type: 'RoleChanged', data: { ...roleBody, changedFields: ['permissions'] } }),
    sentence: 'Henry Admin changed role Helpdesk (permissions)',
  },
  {
    stream: 'role-old',
    event: ev({ type: 'RoleDeleted', data: { roleId: 'old', name: 'Old Helpdesk' } }),
    sentence: 'Henry Admin deleted role Old Helpdesk',
  },
  {
    stream: `enrollment-corp-ad-${DAVE.userId}`,
    event: ev({
      type: 'AuthenticationTypeEnrolled',
      data: {
        storeId: DAVE.storeId,
        userId: DAVE.userId,
        displayName: 'Dave Dunn',
        enrollment: { type: 'email', address: 'dave.dunn@example.test' },
        source: 'import',
        replaced: false,
      },
    }),
    // Before any case: the name comes from the event itself (was the raw key "corp-ad:3755…").
    sentence: 'Henry Admin enrolled Dave Dunn in e-mail code (d***@example.test) via import',
  },
  {
    stream: `enrollment-corp-ad-${DAVE.userId}`,
    event: ev({
      type: 'AuthenticationTypeRemoved',
      data: { storeId: DAVE.storeId, userId: DAVE.userId, authenticationType: 'phone', reason: 'lost phone' },
    }),
    sentence: "Henry Admin removed SMS code from Dave Dunn's enrollment: lost phone",
  },
  {
    stream: 'links-x',
    event: ev({ type: 'AccountsLinked', data: { account: DAVE, other: DAVE_LDAP, comment: null, at: at(1) } }),
    sentence: 'Henry Admin linked Dave Dunn in Corp AD to Dave Dunn in Corp OpenLDAP',
  },
  {
    stream: 'links-x',
    event: ev({ type: 'AccountsUnlinked', data: { account: DAVE, other: DAVE_LDAP, comment: 'wrong', at: at(2) } }),
    sentence: 'Henry Admin unlinked Dave Dunn in Corp AD from Dave Dunn in Corp OpenLDAP',
  },
  {
    stream: 'links-x',
    event: ev({
      type: 'AccountLinkRefused',
      data: {
        account: DAVE,
        other: DAVE_LDAP,
        action: 'link',
        ...reason('helpdesk.outOfScope', "The account is outside your role's scope"),
        at: at(3),
      },
    }),
    sentence:
      "Henry Admin's link of Dave Dunn in Corp AD and Dave Dunn in Corp OpenLDAP was refused: The account is outside your role's scope",
  },
  {
    stream: 'case-refused',
    event: ev({
      type: 'CaseOpeningRefused',
      data: {
        caseId: 'refused',
        agent: HENRY,
        subject: ERIN,
        role: null,
        ...reason('helpdesk.noRole', 'You have no helpdesk role'),
        at: at(4),
      },
    }),
    // An old-style account (no display name): the DN's common name.
    sentence: 'Henry Admin was refused a case for Erin Early in Corp AD: You have no helpdesk role',
  },
  {
    stream: 'case-k1',
    event: ev({
      type: 'CaseOpened',
      data: {
        caseId: 'k1',
        agent: HENRY,
        role,
        subject: DAVE,
        enrollment: {
          types: ['securityQuestions', 'email'],
          securityQuestions: [{ questionId: 'pet', question: 'First pet?' }],
          maskedEmail: 'd***@example.test',
        },
        policy,
        settings: DEFAULT_CASE_SETTINGS,
        prior: { failures: 0, lockedUntil: null, lastAuthenticatorStep: null },
        at: at(5),
      },
    }),
    sentence: 'Henry Admin opened a case for Dave Dunn in Corp AD',
  },
  {
    stream: 'case-k1',
    event: ev({ type: 'SecurityAnswerRejected', data: { questionId: 'pet', failures: 1, at: at(6) } }),
    sentence: 'Dave Dunn answered security question "First pet?" wrongly',
  },
  {
    stream: 'case-k1',
    event: ev({ type: 'SecurityAnswerVerified', data: { questionId: 'pet', at: at(7) } }),
    sentence: 'Dave Dunn answered security question "First pet?" correctly',
  },
  {
    stream: 'case-k1',
    event: ev({
      type: 'VerificationCodeSent',
      data: {
        codeId: 'email-1',
        channel: 'email',
        maskedDestination: 'd***@example.test',
        codeHash: 'hmac-sha256:00',
        expiresAt: at(300),
        maxAttempts: 3,
        at: at(8),
      },
    }),
    sentence: 'Henry Admin sent an e-mail code to Dave Dunn at d***@example.test',
  },
  {
    stream: 'delivery-k1',
    event: ev({
      type: 'VerificationCodeDeliveryFailed',
      data: {
        caseId: 'k1',
        subject: { storeId: DAVE.storeId, userId: DAVE.userId },
        codeId: 'email-1',
        channel: 'email',
        maskedDestination: 'd***@example.test',
        ...reason('smtp.unavailable', 'The mail server could not be reached'),
        at: at(8),
      },
    }),
    sentence:
      'The e-mail code for Dave Dunn could not be delivered to d***@example.test: The mail server could not be reached',
  },
  {
    stream: 'case-k1',
    event: ev({
      type: 'VerificationCodeRejected',
      data: { codeId: 'email-1', channel: 'email', reason: 'expired', attemptsLeft: 2, failures: 2, at: at(9) },
    }),
    sentence: 'Dave Dunn gave a wrong e-mail code (The code had expired)',
  },
  {
    stream: 'case-k1',
    event: ev({ type: 'VerificationCodeVerified', data: { codeId: 'email-1', channel: 'email', at: at(10) } }),
    sentence: 'Dave Dunn confirmed the e-mail code',
  },
  {
    stream: 'case-k1',
    event: ev({ type: 'AuthenticatorCodeRejected', data: { reason: 'replayed', failures: 3, at: at(11) } }),
    sentence: 'Dave Dunn gave a wrong authenticator code (The authenticator code was already used)',
  },
  {
    stream: 'case-k1',
    event: ev({ type: 'AuthenticatorCodeVerified', data: { step: 63_000_000, at: at(12) } }),
    sentence: 'Dave Dunn confirmed an authenticator code',
  },
  {
    stream: 'case-k1',
    event: ev({
      type: 'VerificationLocked',
      data: { failures: 5, lockedUntil: '2030-01-01T09:15:00.000Z', at: at(13) },
    }),
    sentence: 'Verification of Dave Dunn was locked until 2030-01-01T09:15:00.000Z',
  },
  {
    stream: 'case-k1',
    event: ev({
      type: 'VerificationAttemptRefused',
      data: {
        method: 'securityQuestion',
        ...reason('verification.locked', 'Verification is locked'),
        lockedUntil: '2030-01-01T09:15:00.000Z',
        at: at(14),
      },
    }),
    sentence: 'A verification of Dave Dunn was refused: Verification is locked',
  },
  {
    stream: 'case-k1',
    event: ev({
      type: 'CaseAuthenticated',
      data: { verifiedTypes: ['securityQuestions', 'email'], policy, expiresAt: at(900), at: at(15) },
    }),
    sentence: 'Henry Admin authenticated Dave Dunn with security questions, e-mail code',
  },
  {
    stream: 'case-k1',
    event: ev({
      type: 'UnlockRequested',
      data: {
        account: DAVE,
        linked: false,
        idempotencyKey: 'idem-1',
        stateBefore: { lockState: 'locked' },
        authenticationTypes: ['securityQuestions', 'email'],
        ticket: 'INC-7',
        comment: null,
        breakGlass: null,
        at: at(16),
      },
    }),
    sentence: 'Henry Admin requested an unlock of Dave Dunn in Corp AD',
  },
  {
    stream: 'case-k1',
    event: ev({
      type: 'UnlockRequested',
      data: {
        account: DAVE_LDAP,
        linked: true,
        idempotencyKey: 'idem-1',
        stateBefore: { lockState: 'locked' },
        authenticationTypes: ['securityQuestions', 'email'],
        ticket: 'INC-7',
        comment: null,
        breakGlass: null,
        at: at(16),
      },
    }),
    sentence: 'Henry Admin requested an unlock of Dave Dunn in Corp OpenLDAP',
  },
  {
    stream: 'case-k1',
    event: ev({
      type: 'UnlockRefused',
      data: {
        account: { ...DAVE_LDAP, displayName: undefined },
        linked: true,
        idempotencyKey: 'idem-2',
        ...reason('unlock.notLocked', 'The account is not locked'),
        ticket: null,
        comment: null,
        at: at(17),
      },
    }),
    // No display name in this event: the one remembered from an earlier event, not the DN's "dave".
    sentence: "Henry Admin's unlock of Dave Dunn in Corp OpenLDAP was refused: The account is not locked",
  },
  {
    stream: 'case-k1',
    event: ev({
      type: 'AccountUnlocked',
      data: {
        account: DAVE,
        idempotencyKey: 'idem-1',
        readBack: { lockState: 'notLocked' },
        directoryMessage: null,
        reconciled: false,
        at: at(18),
      },
    }),
    sentence: 'Henry Admin unlocked Dave Dunn in Corp AD (read back: not locked)',
  },
  {
    stream: 'case-k1',
    event: ev({
      type: 'UnlockFailed',
      data: {
        account: DAVE_LDAP,
        idempotencyKey: 'idem-1',
        readBack: { lockState: 'permanentlyLocked' },
        ...reason('unlock.permanentlyLocked', 'The account is permanently locked by an administrator'),
        directoryMessage: null,
        reconciled: false,
        at: at(18),
      },
    }),
    sentence:
      "Henry Admin's unlock of Dave Dunn in Corp OpenLDAP failed: The account is permanently locked by an administrator (read back: locked by an administrator)",
  },
  {
    stream: 'delivery-k1',
    event: ev({
      type: 'UnlockNoticeRequested',
      data: {
        caseId: 'k1',
        subject: { storeId: DAVE.storeId, userId: DAVE.userId },
        idempotencyKey: 'idem-1',
        maskedDestination: 'd***@example.test',
        accounts: [`corp-ad/${DAVE.userId}`],
        at: at(19),
      },
    }),
    sentence:
      'An e-mail to Dave Dunn (d***@example.test) was queued to tell them that Henry Admin unlocked their account',
  },
  {
    stream: 'delivery-k1',
    event: ev({
      type: 'UnlockNoticeSent',
      data: {
        caseId: 'k1',
        subject: { storeId: DAVE.storeId, userId: DAVE.userId },
        idempotencyKey: 'idem-1',
        maskedDestination: 'd***@example.test',
        at: at(20),
      },
    }),
    sentence: 'Dave Dunn was told by e-mail (d***@example.test) that Henry Admin unlocked their account',
  },
  {
    stream: 'delivery-k1',
    event: ev({
      type: 'UnlockNoticeFailed',
      data: {
        caseId: 'k1',
        subject: { storeId: DAVE.storeId, userId: DAVE.userId },
        idempotencyKey: 'idem-3',
        maskedDestination: 'd***@example.test',
        ...reason('smtp.rejected', 'The mail server refused the message'),
        at: at(21),
      },
    }),
    sentence:
      'Dave Dunn could not be told by e-mail (d***@example.test) that Henry Admin unlocked their account: The mail server refused the message',
  },
  {
    stream: 'case-k1',
    event: ev({ type: 'CaseClosed', data: { reason: 'done', at: at(22) } }),
    sentence: 'Henry Admin closed the case for Dave Dunn (done)',
  },
  // Two-person break-glass: Hanna asks for an unenrolled user, Henry (a second agent) decides on Hanna's case.
  {
    stream: 'case-bg',
    event: ev({ type: 'CaseOpened', data: bgOpened('bg') }, HANNA_ACTOR),
    sentence: 'Hanna Agent opened a case for Erin Early in Corp AD',
  },
  {
    stream: 'case-bg',
    event: ev(
      {
        type: 'BreakGlassRequested',
        data: {
          requestId: 'bg-1',
          subject: ERIN,
          reason: 'No enrolled method; identity confirmed by her manager',
          ticket: 'INC-1',
          requestedBy: HANNA,
          expiresAt: at(50),
          at: at(24),
        },
      },
      HANNA_ACTOR,
    ),
    sentence:
      "Hanna Agent asked for a second agent's approval to unlock Erin Early (ticket INC-1): No enrolled method; identity confirmed by her manager",
  },
  {
    stream: 'case-bg',
    event: ev(
      {
        type: 'BreakGlassRequestRefused',
        data: {
          requestedBy: HANNA,
          ticket: null,
          ...reason(
            'breakGlass.alreadyRequested',
            'A break-glass request for this case is already pending or approved',
          ),
          at: at(25),
        },
      },
      HANNA_ACTOR,
    ),
    sentence:
      "Hanna Agent's request for a second agent's approval to unlock Erin Early was refused: A break-glass request for this case is already pending or approved",
  },
  {
    stream: 'case-bg',
    event: ev(
      {
        type: 'BreakGlassDecisionRefused',
        data: {
          requestId: 'bg-1',
          decision: 'approve',
          approver: HANNA,
          ...reason('breakGlass.samePerson', 'A break-glass request must be approved by a second agent'),
          at: at(26),
        },
      },
      HANNA_ACTOR,
    ),
    sentence:
      "Hanna Agent's approval of the break-glass unlock of Erin Early requested by Hanna Agent was refused: A break-glass request must be approved by a second agent",
  },
  {
    stream: 'case-bg',
    event: ev({
      type: 'BreakGlassApproved',
      data: { requestId: 'bg-1', approver: HENRY, comment: 'checked', validUntil: at(56), at: at(27) },
    }),
    sentence: 'Henry Admin approved the break-glass unlock of Erin Early requested by Hanna Agent',
  },
  {
    stream: 'case-bg',
    event: ev(
      {
        type: 'UnlockRequested',
        data: {
          account: ERIN,
          linked: false,
          idempotencyKey: 'idem-bg',
          stateBefore: { lockState: 'locked' },
          authenticationTypes: [],
          ticket: 'INC-1',
          comment: null,
          breakGlass: { requestId: 'bg-1', approvedBy: HENRY },
          at: at(28),
        },
      },
      HANNA_ACTOR,
    ),
    sentence: 'Hanna Agent requested an unlock of Erin Early in Corp AD (break-glass approved by Henry Admin)',
  },
  {
    stream: 'case-bg',
    event: ev(
      {
        type: 'AccountUnlocked',
        data: {
          account: ERIN,
          idempotencyKey: 'idem-bg',
          readBack: { lockState: 'notLocked' },
          directoryMessage: null,
          reconciled: false,
          at: at(29),
        },
      },
      HANNA_ACTOR,
    ),
    sentence:
      'Hanna Agent unlocked Erin Early in Corp AD (read back: not locked) (break-glass approved by Henry Admin)',
  },
  {
    stream: 'case-bg2',
    event: ev({ type: 'CaseOpened', data: bgOpened('bg2') }, HANNA_ACTOR),
    sentence: 'Hanna Agent opened a case for Erin Early in Corp AD',
  },
  {
    stream: 'case-bg2',
    event: ev(
      {
        type: 'BreakGlassRequested',
        data: {
          requestId: 'bg-2',
          subject: ERIN,
          reason: 'Caller says she is Erin, no enrolled method',
          ticket: null,
          requestedBy: HANNA,
          expiresAt: at(59),
          at: at(31),
        },
      },
      HANNA_ACTOR,
    ),
    sentence:
      "Hanna Agent asked for a second agent's approval to unlock Erin Early: Caller says she is Erin, no enrolled method",
  },
  {
    stream: 'case-bg2',
    event: ev({
      type: 'BreakGlassDenied',
      data: { requestId: 'bg-2', approver: HENRY, comment: 'Call back via the service desk', at: at(32) },
    }),
    sentence:
      'Henry Admin denied the break-glass unlock of Erin Early requested by Hanna Agent: Call back via the service desk',
  },
  {
    stream: 'agent-corp-ad-henry',
    event: ev({
      type: 'AgentSignedOut',
      data: { subject: { storeId: HENRY.storeId, userId: HENRY.userId }, username: 'henry' },
    }),
    sentence: 'Henry Admin signed out',
  },
  {
    stream: 'agent-corp-ad-henry',
    event: ev(
      {
        type: 'AgentSessionEnded',
        data: {
          subject: { storeId: HENRY.storeId, userId: HENRY.userId },
          username: 'henry',
          reason: 'disabled',
          detail: 'the account is disabled in the directory',
        },
      },
      'system',
    ),
    sentence: "Henry Admin's session was ended: the account is disabled in the directory",
  },
  // Walk-up kiosk: registered, activated (a used code refused), Dave asks for help, Hanna takes it; an unknown username.
  {
    stream: 'kiosk-k1',
    event: ev({
      type: 'KioskRegistered',
      data: {
        kioskId: 'k1',
        name: 'Lobby',
        location: 'Building A',
        storeId: 'corp-ad',
        activationCodeHash: 'otc.v1.x',
        activationExpiresAt: at(59),
        by: HENRY,
        at: at(40),
      },
    }),
    sentence: 'Henry Admin registered kiosk Lobby (Building A) for Corp AD',
  },
  {
    stream: 'kiosk-k1',
    event: ev({ type: 'KioskActivated', data: { deviceTokenHash: 'h', at: at(41) } }, 'kiosk:k1'),
    sentence: 'Kiosk Lobby was activated',
  },
  {
    stream: 'kiosk-k1',
    event: ev(
      {
        type: 'KioskActivationRefused',
        data: { reasonCode: 'kiosk.activationUsed', reason: 'The activation code was already used', at: at(42) },
      },
      'kiosk:k1',
    ),
    sentence: 'An activation of kiosk Lobby was refused: The activation code was already used',
  },
  {
    stream: 'kiosk-session-s1',
    event: ev(
      {
        type: 'KioskSessionStarted',
        data: {
          sessionId: 's1',
          kioskId: 'k1',
          code: 'K7M2QX',
          usernameTyped: 'dave',
          subject: { storeId: DAVE.storeId, userId: DAVE.userId, displayName: 'Dave Dunn' },
          expiresAt: at(53),
          at: at(43),
        },
      },
      'kiosk:k1',
    ),
    sentence: 'Dave Dunn asked for help at kiosk Lobby',
  },
  {
    stream: 'kiosk-session-s1',
    event: ev({ type: 'KioskSessionClaimed', data: { agent: HANNA, caseId: 'kc1', at: at(44) } }, HANNA_ACTOR),
    sentence: "Hanna Agent took Dave Dunn's kiosk session at Lobby",
  },
  {
    stream: 'kiosk-session-s1',
    event: ev({ type: 'KioskSessionEnded', data: { by: 'kiosk', at: at(45) } }, 'kiosk:k1'),
    sentence: 'The kiosk session of Dave Dunn at Lobby ended (ended at the kiosk)',
  },
  {
    stream: 'kiosk-session-s2',
    event: ev(
      {
        type: 'KioskSessionStarted',
        data: {
          sessionId: 's2',
          kioskId: 'k1',
          code: 'ABCDEF',
          usernameTyped: 'nobody',
          subject: null,
          expiresAt: at(56),
          at: at(46),
        },
      },
      'kiosk:k1',
    ),
    sentence: 'Someone asked for help at kiosk Lobby with an unknown username ("nobody")',
  },
  {
    stream: 'kiosk-session-s2',
    event: ev(
      {
        type: 'KioskSessionClaimRefused',
        data: {
          agent: HANNA,
          reasonCode: 'kiosk.noSuchUser',
          reason: 'The username typed at the kiosk matched no account',
          at: at(47),
        },
      },
      HANNA_ACTOR,
    ),
    sentence:
      "Hanna Agent's claim of a kiosk session at Lobby was refused: The username typed at the kiosk matched no account",
  },
  {
    stream: 'kiosk-signin-k1',
    event: ev(
      {
        type: 'KioskUserSignedIn',
        data: {
          kioskId: 'k1',
          storeId: 'corp-ad',
          purpose: 'enrollment',
          subject: { storeId: DAVE.storeId, userId: DAVE.userId },
          username: 'dave',
          displayName: 'Dave Dunn',
        },
      },
      'kiosk:k1',
    ),
    sentence: 'Dave Dunn signed in at kiosk Lobby to set up how they are verified',
  },
  {
    stream: 'kiosk-signin-k1',
    event: ev(
      {
        type: 'KioskUserSignInFailed',
        data: {
          kioskId: 'k1',
          storeId: 'corp-ad',
          purpose: 'enrollment',
          subject: null,
          username: 'n… (6 characters)',
          displayName: null,
          reason: 'invalid-credentials',
        },
      },
      'kiosk:k1',
    ),
    sentence: 'A sign-in at kiosk Lobby as n… (6 characters) failed: wrong username or password',
  },
  {
    stream: 'kiosk-k1',
    event: ev({ type: 'KioskRevoked', data: { by: HENRY, reason: 'Moved', at: at(48) } }),
    sentence: 'Henry Admin revoked kiosk Lobby: Moved',
  },
];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function project() {
  const store = new SqliteEventStore({ file: ':memory:' });
  const db = openReadModelDb(':memory:');
  const runner = new ProjectionRunner(store, db, [historyProjection, auditProjection], { batchSize: 5 });
  cleanups.push(async () => {
    await runner.stop();
    db.close();
    await store.close();
  });
  for (const s of SEQUENCE) await store.append(s.stream, [s.event]);
  await runner.catchUp();
  return { db };
}

const toDescribable = (e: {
  action: string;
  type: string;
  actor: { id: string; displayName: string | null } | null;
  subject: { key: string; displayName: string | null } | null;
  storeId: string | null;
  outcome: string | null;
  reason: string | null;
  authenticationTypes: string[];
  details: Record<string, unknown>;
}): Describable => ({
  ...e,
  actor: e.actor?.id ?? null,
  actorName: e.actor?.displayName ?? null,
  subject: e.subject?.key ?? null,
  subjectName: e.subject?.displayName ?? null,
  store: e.storeId,
});

describe('history and audit sentences for every event type', () => {
  it('the sample sequence holds one event of every type the backend appends', () => {
    const sampled = new Set(SEQUENCE.map((s) => s.event.type));
    expect(ALL_TYPES.filter((t) => !sampled.has(t))).toEqual([]);
  });

  it('maps every event type to a known action code (none falls back to event.<Type>)', async () => {
    const { db } = await project();
    const rows = queryAudit(db, { limit: 1000 });
    const byType = new Map<string, string[]>();
    for (const r of rows) byType.set(r.type, [...(byType.get(r.type) ?? []), r.action]);
    for (const type of ALL_TYPES) {
      const actions = byType.get(type) ?? [];
      expect({ type, actions }).toEqual({ type, actions: expect.arrayContaining([expect.any(String)]) });
      for (const action of actions) {
        expect({ type, action }).not.toEqual({ type, action: `event.${type}` });
        expect(ACTIONS).toContain(action);
      }
    }
  });

  it('renders each event as its sentence, names from the events, read-back states in words', async () => {
    const { db } = await project();
    const rows = queryAudit(db, { limit: 1000 }).reverse();
    expect(rows.map((r) => sentence(toDescribable(r), storeName))).toEqual(SEQUENCE.map((s) => s.sentence));
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('every action code has its own sentence (none falls back to the generic wording)', () => {
    for (const action of ACTIONS) {
      const text = sentence(
        {
          action,
          type: 'RawTypeName',
          actor: 'corp-ad:x',
          actorName: 'Henry Admin',
          subject: 'corp-ad:y',
          subjectName: 'Dave Dunn',
          store: 'corp-ad',
          outcome: 'success',
          reason: null,
          authenticationTypes: [],
          details: {},
        },
        storeName,
      );
      expect({ action, text }).toEqual({ action, text: expect.not.stringContaining('RawTypeName') });
    }
  });

  it("a linked OpenLDAP account's unlock appears in both people's histories under the display name", async () => {
    const { db } = await project();
    const ldap = historyFor(db, { key: DAVE_LDAP_KEY, limit: 100 }).entries.map((e) =>
      sentence(toDescribable(e), storeName),
    );
    expect(ldap).toContain(
      "Henry Admin's unlock of Dave Dunn in Corp OpenLDAP failed: The account is permanently locked by an administrator (read back: locked by an administrator)",
    );
    const ad = historyFor(db, { key: DAVE_KEY, limit: 100 }).entries.map((e) => sentence(toDescribable(e), storeName));
    expect(ad).toContain('Dave Dunn was told by e-mail (d***@example.test) that Henry Admin unlocked their account');
    expect(ad).toContain(
      'The e-mail code for Dave Dunn could not be delivered to d***@example.test: The mail server could not be reached',
    );
  });

  it("the admin app's audit action filter lists exactly the backend's action codes", () => {
    const file = readFileSync(join(__dirname, '../../../admin/src/features/audit/api.ts'), 'utf8');
    const list = /export const ACTIONS = \[([\s\S]*?)\] as const/.exec(file)?.[1] ?? '';
    const admin = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(admin).toEqual([...ACTIONS]);
  });
});
