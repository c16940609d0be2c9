import { describe, expect, it } from '@jest/globals';
import type { EnrollmentSnapshot } from '../enrollment/enrollment.decider';
import { NOTHING_VERIFIED, policyStatus } from './authentication-policy';

const enrollment: EnrollmentSnapshot = {
  types: ['securityQuestions', 'email', 'phone'],
  securityQuestions: [
    { questionId: 'pet', question: 'Pet?' },
    { questionId: 'city', question: 'City?' },
  ],
};

describe('policyStatus', () => {
  it('needs requiredTypes distinct verified types', () => {
    const policy = { mode: 'restricted' as const, requiredTypes: 2, minSecurityQuestions: 0 };
    expect(policyStatus(policy, enrollment, { ...NOTHING_VERIFIED, email: true }).met).toBe(false);
    const both = policyStatus(policy, enrollment, { ...NOTHING_VERIFIED, email: true, phone: true });
    expect(both).toMatchObject({ met: true, verifiedTypes: ['email', 'phone'], required: 2 });
  });
  it('counts security questions once max(1, minSecurityQuestions) different questions are verified', () => {
    const policy = { mode: 'restricted' as const, requiredTypes: 1, minSecurityQuestions: 2 };
    expect(policyStatus(policy, enrollment, { ...NOTHING_VERIFIED, questions: ['pet'] }).met).toBe(false);
    expect(policyStatus(policy, enrollment, { ...NOTHING_VERIFIED, questions: ['pet', 'pet'] }).met).toBe(false);
    expect(policyStatus(policy, enrollment, { ...NOTHING_VERIFIED, questions: ['pet', 'city'] })).toMatchObject({
      met: true,
      verifiedTypes: ['securityQuestions'],
      questionsVerified: 2,
    });
    const one = { mode: 'restricted' as const, requiredTypes: 1, minSecurityQuestions: 0 };
    expect(policyStatus(one, enrollment, { ...NOTHING_VERIFIED, questions: ['city'] }).met).toBe(true);
  });
  it('ignores verifications of types or questions the user is not enrolled in', () => {
    const policy = { mode: 'restricted' as const, requiredTypes: 1, minSecurityQuestions: 0 };
    expect(policyStatus(policy, enrollment, { ...NOTHING_VERIFIED, authenticator: true }).met).toBe(false);
    expect(policyStatus(policy, enrollment, { ...NOTHING_VERIFIED, questions: ['school'] }).met).toBe(false);
  });
  it('does not lower the requirement to what the user is enrolled in (attainable: false)', () => {
    const policy = { mode: 'restricted' as const, requiredTypes: 4, minSecurityQuestions: 0 };
    const all = { questions: ['pet', 'city'], authenticator: true, email: true, phone: true };
    expect(policyStatus(policy, enrollment, all)).toMatchObject({ met: false, attainable: false });
    const tooManyQuestions = { mode: 'restricted' as const, requiredTypes: 3, minSecurityQuestions: 3 };
    expect(policyStatus(tooManyQuestions, enrollment, NOTHING_VERIFIED).attainable).toBe(false);
    expect(
      policyStatus({ ...tooManyQuestions, minSecurityQuestions: 2 }, enrollment, NOTHING_VERIFIED).attainable,
    ).toBe(true);
  });
  it('treats requiredTypes 0 (unrestricted) as one type when the agent authenticates anyway', () => {
    const policy = { mode: 'unrestricted' as const, requiredTypes: 0, minSecurityQuestions: 0 };
    expect(policyStatus(policy, enrollment, NOTHING_VERIFIED).met).toBe(false);
    expect(policyStatus(policy, enrollment, { ...NOTHING_VERIFIED, phone: true }).met).toBe(true);
  });
});
