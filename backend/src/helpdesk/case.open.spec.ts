import { describe, expect, it } from '@jest/globals';
import { type CaseEvent, type CaseRoleRef, DEFAULT_CASE_SETTINGS, REASONS, upcastCaseEvent } from './case.events';
import {
  adminAccount,
  agent,
  alice,
  aliceEntra,
  fullEnrollment,
  iso,
  openCommand,
  opened,
  restrictedPolicy,
  role,
  spec,
  T0,
} from './testing/case-fixtures';

const openingRefused = (reasonCode: keyof typeof REASONS, roleRef: CaseRoleRef | null, subject = alice): CaseEvent => ({
  type: 'CaseOpeningRefused',
  data: { caseId: 'c1', agent, subject, role: roleRef, reasonCode, reason: REASONS[reasonCode], at: iso(T0) },
});
const helpdeskRef: CaseRoleRef = {
  roleId: 'helpdesk',
  name: 'Helpdesk',
  permissions: ['UnlockAccount', 'ViewHistory'],
};

describe('OpenCase', () => {
  it('snapshots the subject, the enrolled types, the policy of the agent’s role and the settings', () => {
    const { state } = spec.given([]).when(openCommand()).then([opened()]);
    expect(state.status).toBe('open');
  });

  it('carries configured settings and the verification state of the user’s earlier cases', () => {
    const prior = { failures: 3, lockedUntil: null, lastAuthenticatorStep: 1234 };
    spec
      .given([])
      .when(openCommand({ settings: { authenticationTtlSeconds: 600 }, prior }))
      .thenEvents(([event]) => {
        if (event?.type !== 'CaseOpened') throw new Error('expected CaseOpened');
        expect(event.data.settings).toEqual({ ...DEFAULT_CASE_SETTINGS, authenticationTtlSeconds: 600 });
        expect(event.data.prior).toEqual(prior);
      });
  });

  it('records the kiosk session it was opened from (a claimed walk-up kiosk session); none otherwise', () => {
    const kiosk = { sessionId: 's1', kioskId: 'k1', kioskName: 'Lobby kiosk' };
    const { state } = spec
      .given([])
      .when(openCommand({ kiosk }))
      .thenEvents(([event]) => {
        if (event?.type !== 'CaseOpened') throw new Error('expected CaseOpened');
        expect(event.data.kiosk).toEqual(kiosk);
      });
    expect(state.status === 'open' && state.kiosk).toEqual(kiosk);
    const plain = spec.given([]).when(openCommand()).then([opened()]);
    expect(plain.state.status === 'open' && plain.state.kiosk).toBeNull();
  });

  it('keeps only question ids and texts from the enrollment snapshot', () => {
    const leaky = {
      ...fullEnrollment,
      securityQuestions: [{ questionId: 'pet', question: 'First pet?', answerHash: '$scrypt$…' }],
    };
    spec
      .given([])
      .when(openCommand({ enrollment: leaky }))
      .thenEvents(([event]) => {
        expect(JSON.stringify(event)).not.toContain('scrypt');
      });
  });

  it('records a refusal when the agent has no role', () => {
    spec
      .given([])
      .when(openCommand({ role: null }))
      .then([openingRefused('helpdesk.noRole', null)]);
  });

  it('records a refusal when the role lacks Unlock Account', () => {
    spec
      .given([])
      .when(openCommand({ role: role(restrictedPolicy, ['ViewHistory']) }))
      .then([openingRefused('helpdesk.permissionDenied', { ...helpdeskRef, permissions: ['ViewHistory'] })]);
  });

  it('records a refusal when the agent opens a case for their own account', () => {
    const self = { ...adminAccount, userId: 'HelpDesk1', dn: 'CN=Helen Desk,OU=Staff,DC=corp,DC=test' };
    spec
      .given([])
      .when(openCommand({ subject: self }))
      .then([openingRefused('helpdesk.selfService', helpdeskRef, self)]);
  });

  it('records a refusal when the subject is outside the role’s scope', () => {
    spec
      .given([])
      .when(openCommand({ subject: adminAccount }))
      .then([openingRefused('helpdesk.outOfScope', helpdeskRef, adminAccount)]);
  });

  it('opens a case for an Entra ID user (shown, but unlock will be refused)', () => {
    spec
      .given([])
      .when(openCommand({ subject: aliceEntra }))
      .thenEvents(([event]) => expect(event?.type).toBe('CaseOpened'));
  });

  it('refuses to open the same case twice, and refuses anything on a refused case', () => {
    spec.given([opened()]).when(openCommand()).thenRefuses('case.alreadyExists');
    spec
      .given([openingRefused('helpdesk.noRole', null)])
      .when({ type: 'VerifySecurityAnswer', questionId: 'pet', answerCorrect: true, now: T0 })
      .thenRefuses('case.notOpen');
  });

  it('refuses malformed input naming the fields', () => {
    spec
      .given([])
      .when(openCommand({ caseId: 'a/b', subject: { ...alice, dn: '', storeType: 'novell' as 'ldap' } }))
      .thenRefuses('case.invalid', ['caseId', 'subject.dn', 'subject.storeType']);
    spec
      .given([])
      .when(openCommand({ settings: { codeMaxAttempts: 0 } }))
      .thenRefuses('case.invalid', ['settings.codeMaxAttempts']);
    spec
      .given([])
      .when(openCommand({ now: new Date('nope') }))
      .thenRefuses('case.invalid', ['now']);
  });

  it('reads stored version-1 case events', () => {
    const stored = JSON.parse(JSON.stringify(opened()));
    expect(upcastCaseEvent({ ...stored, schemaVersion: 1 })).toEqual(opened());
  });
});
