import { describe, expect, it } from '@jest/globals';
import type { VerifyAuthenticatorCode } from './case.decider';
import type { CaseEvent } from './case.events';
import { REASONS } from './case.events';
import {
  answerVerified,
  authenticated,
  codeHash,
  codeVerified,
  fullEnrollment,
  iso,
  opened,
  restrictedPolicy,
  spec,
  T0,
  tPlus,
  unrestrictedPolicy,
} from './testing/case-fixtures';

const answer = (questionId: string, answerCorrect: boolean, now = T0) =>
  ({ type: 'VerifySecurityAnswer', questionId, answerCorrect, now }) as const;
const rejectedAnswer = (questionId: string, failures: number, at = T0): CaseEvent => ({
  type: 'SecurityAnswerRejected',
  data: { questionId, failures, at: iso(at) },
});
const lockedEvent = (failures: number, at = T0): CaseEvent => ({
  type: 'VerificationLocked',
  data: { failures, lockedUntil: iso(tPlus(15 * 60, at)), at: iso(at) },
});
const attemptRefused = (method: string, lockedUntil: Date, at: Date): CaseEvent =>
  ({
    type: 'VerificationAttemptRefused',
    data: {
      method,
      reasonCode: 'verification.locked',
      reason: REASONS['verification.locked'],
      lockedUntil: iso(lockedUntil),
      at: iso(at),
    },
  }) as CaseEvent;
const send = (code: string, channel: 'email' | 'phone' = 'email', now = T0, codeId = `${channel}-1`) =>
  ({ type: 'SendVerificationCode', channel, codeId, codeHash: codeHash(code, channel), now }) as const;
const sent = (code: string, channel: 'email' | 'phone' = 'email', at = T0, codeId = `${channel}-1`): CaseEvent => ({
  type: 'VerificationCodeSent',
  data: {
    codeId,
    channel,
    maskedDestination: channel === 'email' ? 'a***@example.test' : '***-**12',
    codeHash: codeHash(code, channel),
    expiresAt: iso(tPlus(300, at)),
    maxAttempts: 3,
    at: iso(at),
  },
});
const typeCode = (code: string, channel: 'email' | 'phone' = 'email', now = T0) =>
  ({ type: 'VerifyVerificationCode', channel, codeHash: codeHash(code, channel), now }) as const;
const codeRejected = (reason: string, attemptsLeft: number, failures: number, at = T0, channel = 'email'): CaseEvent =>
  ({
    type: 'VerificationCodeRejected',
    data: { codeId: `${channel}-1`, channel, reason, attemptsLeft, failures, at: iso(at) },
  }) as CaseEvent;
const totp = (valid: boolean, step = 100, now = T0): VerifyAuthenticatorCode => ({
  type: 'VerifyAuthenticatorCode',
  result: valid ? { valid: true, step } : { valid: false },
  now,
});

describe('security questions', () => {
  it('records a correct answer; one question is not enough for a policy needing two questions and two types', () => {
    const { state } = spec
      .given([opened()])
      .when(answer('pet', true))
      .then([answerVerified('pet')]);
    expect(state.status === 'open' && state.authenticatedAt).toBe(null);
  });

  it('authenticates the case when the policy is met (two questions + an e-mail code), expiring after 15 minutes', () => {
    spec
      .given([opened(), answerVerified('pet'), codeVerified('email')])
      .when(answer('city', true, tPlus(30)))
      .then([answerVerified('city', tPlus(30)), authenticated(tPlus(30))]);
  });

  it('uses the configured authentication lifetime', () => {
    const custom = opened();
    if (custom.type !== 'CaseOpened') throw new Error('fixture');
    custom.data.settings = { ...custom.data.settings, authenticationTtlSeconds: 120 };
    spec
      .given([custom, answerVerified('pet'), codeVerified('email')])
      .when(answer('city', true))
      .thenEvents((events) =>
        expect(events[1]).toMatchObject({ type: 'CaseAuthenticated', data: { expiresAt: iso(tPlus(120)) } }),
      );
  });

  it('records a wrong answer with the failure count', () => {
    spec
      .given([opened()])
      .when(answer('pet', false))
      .then([rejectedAnswer('pet', 1)]);
  });

  it('refuses unknown questions, questions already answered, and users not enrolled in questions', () => {
    spec.given([opened()]).when(answer('school-bus', true)).thenRefuses('verification.unknownQuestion', ['questionId']);
    spec
      .given([opened(), answerVerified('pet')])
      .when(answer('pet', true))
      .thenRefuses('verification.alreadyVerified');
    const noQuestions = opened(restrictedPolicy, { ...fullEnrollment, types: ['email'], securityQuestions: [] });
    spec.given([noQuestions]).when(answer('pet', true)).thenRefuses('verification.notEnrolled');
  });

  it('requires a boolean verdict from the handler', () => {
    spec
      .given([opened()])
      .when({ type: 'VerifySecurityAnswer', questionId: 'pet', answerCorrect: 'yes' as unknown as boolean, now: T0 })
      .thenRefuses('case.invalid', ['answerCorrect']);
  });
});

describe('verification lock (too many wrong answers)', () => {
  const fourWrong = [opened(), ...[1, 2, 3, 4].map((n) => rejectedAnswer('pet', n))];

  it('locks the verification on the fifth failure, and records it', () => {
    spec
      .given(fourWrong)
      .when(answer('city', false))
      .then([rejectedAnswer('city', 5), lockedEvent(5)]);
  });

  it('refuses (and records) every verification attempt while locked, even a correct one', () => {
    const lockedCase = [...fourWrong, rejectedAnswer('city', 5), lockedEvent(5)];
    const until = tPlus(15 * 60);
    spec
      .given(lockedCase)
      .when(answer('pet', true, tPlus(60)))
      .then([attemptRefused('securityQuestion', until, tPlus(60))]);
    spec
      .given(lockedCase)
      .when(typeCode('123456', 'email', tPlus(60)))
      .thenRefuses('verification.noCodeSent');
    spec
      .given([...lockedCase, sent('123456')])
      .when(typeCode('123456', 'email', tPlus(60)))
      .then([attemptRefused('verificationCode', until, tPlus(60))]);
    spec
      .given(lockedCase)
      .when(send('123456', 'email', tPlus(60)))
      .then([attemptRefused('sendCode', until, tPlus(60))]);
    spec
      .given(lockedCase)
      .when(totp(true, 100, tPlus(60)))
      .then([attemptRefused('authenticator', until, tPlus(60))]);
  });

  it('lets verification resume after the lock runs out, with a fresh count', () => {
    const lockedCase = [...fourWrong, rejectedAnswer('city', 5), lockedEvent(5)];
    const later = tPlus(15 * 60 + 1);
    const { state } = spec
      .given(lockedCase)
      .when(answer('pet', false, later))
      .then([rejectedAnswer('pet', 1, later)]);
    expect(state.status === 'open' && state.lockedUntil).toBe(null);
    spec
      .given(lockedCase)
      .when(answer('pet', true, later))
      .then([answerVerified('pet', later)]);
  });

  it('counts wrong codes and wrong TOTP codes toward the same lock', () => {
    spec
      .given([...fourWrong, sent('123456')])
      .when(typeCode('654321'))
      .then([codeRejected('mismatch', 2, 5), lockedEvent(5)]);
    spec
      .given(fourWrong)
      .when(totp(false))
      .then([
        { type: 'AuthenticatorCodeRejected', data: { reason: 'mismatch', failures: 5, at: iso(T0) } },
        lockedEvent(5),
      ]);
  });

  it('carries failures and a running lock over from the user’s earlier cases', () => {
    spec
      .given([
        opened(restrictedPolicy, fullEnrollment, { failures: 4, lockedUntil: null, lastAuthenticatorStep: null }),
      ])
      .when(answer('pet', false))
      .then([rejectedAnswer('pet', 5), lockedEvent(5)]);
    const until = tPlus(600);
    spec
      .given([
        opened(restrictedPolicy, fullEnrollment, { failures: 5, lockedUntil: iso(until), lastAuthenticatorStep: null }),
      ])
      .when(answer('pet', true))
      .then([attemptRefused('securityQuestion', until, T0)]);
  });
});

describe('one-time codes (e-mail and SMS)', () => {
  it('records the sent code: channel, masked destination, keyed hash, expiry and attempt limit', () => {
    const { events } = spec
      .given([opened()])
      .when(send('042917'))
      .then([sent('042917')]);
    expect(JSON.stringify(events)).not.toContain('042917');
    spec
      .given([opened()])
      .when(send('042917', 'phone'))
      .then([sent('042917', 'phone')]);
  });

  it('refuses a code in clear, a channel the user is not enrolled in, and a channel already verified', () => {
    spec
      .given([opened()])
      .when({ type: 'SendVerificationCode', channel: 'email', codeId: 'e1', codeHash: '042917', now: T0 })
      .thenRefuses('case.invalid', ['codeHash']);
    const emailOnly = opened(restrictedPolicy, { ...fullEnrollment, types: ['email'] });
    spec.given([emailOnly]).when(send('1', 'phone')).thenRefuses('verification.notEnrolled');
    spec
      .given([opened(), sent('042917'), codeVerified('email')])
      .when(send('111111', 'email', T0, 'email-2'))
      .thenRefuses('verification.alreadyVerified');
  });

  it('limits how many codes can be sent per channel in one case', () => {
    const fiveSent = [opened(), ...[1, 2, 3, 4, 5].map((n) => sent(`00000${n}`, 'email', T0, `email-${n}`))];
    spec
      .given(fiveSent)
      .when(send('000006', 'email', T0, 'email-6'))
      .thenRefuses('verification.tooManyCodes');
  });

  it('verifies the right code', () => {
    spec
      .given([opened(), sent('042917')])
      .when(typeCode('042917', 'email', tPlus(60)))
      .then([codeVerified('email', tPlus(60))]);
  });

  it('rejects a wrong code, counting the attempt and the failure', () => {
    spec
      .given([opened(), sent('042917')])
      .when(typeCode('042918'))
      .then([codeRejected('mismatch', 2, 1)]);
  });

  it('kills the code after its attempt limit, even if the right code comes afterwards', () => {
    const threeWrong = [
      opened(),
      sent('042917'),
      codeRejected('mismatch', 2, 1),
      codeRejected('mismatch', 1, 2),
      codeRejected('mismatch', 0, 3),
    ];
    spec
      .given(threeWrong)
      .when(typeCode('042917'))
      .then([codeRejected('attemptsExhausted', 0, 3)]);
  });

  it('rejects an expired code without counting it as a wrong answer', () => {
    const late = tPlus(300);
    spec
      .given([opened(), sent('042917')])
      .when(typeCode('042917', 'email', late))
      .then([codeRejected('expired', 3, 0, late)]);
  });

  it('is single-use: a verified code cannot be used again', () => {
    spec
      .given([opened(), sent('042917'), codeVerified('email')])
      .when(typeCode('042917'))
      .then([codeRejected('used', 3, 0)]);
  });

  it('a new code replaces the previous one', () => {
    const resent = [opened(), sent('111111'), sent('222222', 'email', tPlus(10), 'email-2')];
    spec
      .given(resent)
      .when(typeCode('111111', 'email', tPlus(20)))
      .then([
        {
          type: 'VerificationCodeRejected',
          data: {
            codeId: 'email-2',
            channel: 'email',
            reason: 'mismatch',
            attemptsLeft: 2,
            failures: 1,
            at: iso(tPlus(20)),
          },
        },
      ]);
    spec
      .given(resent)
      .when(typeCode('222222', 'email', tPlus(20)))
      .then([codeVerified('email', tPlus(20), 'email-2')]);
  });

  it('does not accept the e-mail code on the phone channel', () => {
    spec
      .given([opened(), sent('042917', 'email'), sent('555555', 'phone')])
      .when({ ...typeCode('042917', 'phone') })
      .then([codeRejected('mismatch', 2, 1, T0, 'phone')]);
  });

  it('refuses to verify when no code was sent', () => {
    spec.given([opened()]).when(typeCode('042917')).thenRefuses('verification.noCodeSent');
  });
});

describe('authenticator (TOTP)', () => {
  it('records the verified time step, and authenticates when that meets the policy', () => {
    const { state } = spec
      .given([opened({ mode: 'restricted', requiredTypes: 1, minSecurityQuestions: 0 })])
      .when(totp(true, 4242))
      .then([
        { type: 'AuthenticatorCodeVerified', data: { step: 4242, at: iso(T0) } },
        authenticated(T0, ['authenticator'], { mode: 'restricted', requiredTypes: 1, minSecurityQuestions: 0 }),
      ]);
    expect(state.status === 'open' && state.lastAuthenticatorStep).toBe(4242);
  });

  it('rejects a wrong code as a failure', () => {
    spec
      .given([opened()])
      .when(totp(false))
      .then([{ type: 'AuthenticatorCodeRejected', data: { reason: 'mismatch', failures: 1, at: iso(T0) } }]);
  });

  it('rejects a replayed code (same or older step than one accepted before), not counted as a failure', () => {
    const prior = opened(restrictedPolicy, fullEnrollment, {
      failures: 0,
      lockedUntil: null,
      lastAuthenticatorStep: 4242,
    });
    spec
      .given([prior])
      .when(totp(true, 4242))
      .then([{ type: 'AuthenticatorCodeRejected', data: { reason: 'replayed', failures: 0, at: iso(T0) } }]);
    spec
      .given([prior])
      .when(totp(true, 4243))
      .then([{ type: 'AuthenticatorCodeVerified', data: { step: 4243, at: iso(T0) } }]);
  });

  it('refuses when the user has no authenticator or it was already verified', () => {
    spec
      .given([opened(restrictedPolicy, { ...fullEnrollment, types: ['email'] })])
      .when(totp(true))
      .thenRefuses('verification.notEnrolled');
    spec
      .given([opened(), { type: 'AuthenticatorCodeVerified', data: { step: 1, at: iso(T0) } }])
      .when(totp(true, 2))
      .thenRefuses('verification.alreadyVerified');
  });
});

describe('case lifecycle around verification', () => {
  it('authenticates an unrestricted case after one verified type', () => {
    spec
      .given([opened(unrestrictedPolicy)])
      .when(answer('pet', true))
      .then([answerVerified('pet'), authenticated(T0, ['securityQuestions'], unrestrictedPolicy)]);
  });

  it('refuses further verification once the authentication has expired (open a new case)', () => {
    const expired = [opened(), answerVerified('pet'), answerVerified('city'), codeVerified('email'), authenticated()];
    spec
      .given(expired)
      .when(totp(true, 5, tPlus(15 * 60)))
      .thenRefuses('case.authenticationExpired');
    spec
      .given(expired)
      .when(totp(true, 5, tPlus(15 * 60 - 1)))
      .thenEvents(([e]) => expect(e?.type).toBe('AuthenticatorCodeVerified'));
  });

  it('refuses verification on a closed case or a case that does not exist', () => {
    spec
      .given([opened(), { type: 'CaseClosed', data: { reason: 'done', at: iso(T0) } }])
      .when(answer('pet', true))
      .thenRefuses('case.closed');
    spec.given([]).when(answer('pet', true)).thenRefuses('case.notOpen');
  });
});
