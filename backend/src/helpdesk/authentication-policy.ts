/**
 * When is a caller authenticated to a helpdesk policy? Pure evaluation over what was verified in a case.
 *
 * - Each of the four authentication types counts once.
 * - Security questions count as verified once max(1, minSecurityQuestions) different enrolled questions were
 *   answered correctly.
 * - The threshold is max(1, requiredTypes) (unrestricted policies may say 0: authentication is optional there,
 *   but a case the agent chose to authenticate still needs one verified type to count as authenticated).
 * - The threshold is NOT lowered to what the user happens to be enrolled in: a user enrolled in fewer types than
 *   the policy requires cannot be authenticated (`attainable: false`); that is a security decision, the way out
 *   is a role with an unrestricted policy.
 */
import type { EnrollmentSnapshot } from '../enrollment/enrollment.decider';
import type { HelpdeskPolicy } from '../policy/role';
import { AUTHENTICATION_TYPES, type AuthenticationType } from '../shared/domain-types';

export type VerifiedFacts = {
  /** Ids of security questions answered correctly. */
  questions: readonly string[];
  authenticator: boolean;
  email: boolean;
  phone: boolean;
};

export const NOTHING_VERIFIED: VerifiedFacts = { questions: [], authenticator: false, email: false, phone: false };

export type PolicyStatus = {
  met: boolean;
  required: number;
  verifiedTypes: AuthenticationType[];
  questionsRequired: number;
  questionsVerified: number;
  /** Could this user be authenticated at all with what they are enrolled in? */
  attainable: boolean;
};

export function requiredTypeCount(policy: HelpdeskPolicy): number {
  return Math.max(1, policy.requiredTypes);
}

export function questionsRequired(policy: HelpdeskPolicy): number {
  return Math.max(1, policy.minSecurityQuestions);
}

export function policyStatus(
  policy: HelpdeskPolicy,
  enrollment: EnrollmentSnapshot,
  facts: VerifiedFacts,
): PolicyStatus {
  const enrolled = new Set(enrollment.types);
  const enrolledQuestionIds = new Set(enrollment.securityQuestions.map((q) => q.questionId));
  const questionsVerified = new Set(facts.questions.filter((id) => enrolledQuestionIds.has(id))).size;
  const qRequired = questionsRequired(policy);
  const verified = (type: AuthenticationType): boolean => {
    if (!enrolled.has(type)) return false;
    if (type === 'securityQuestions') return questionsVerified >= qRequired;
    return facts[type];
  };
  const usable = (type: AuthenticationType): boolean =>
    enrolled.has(type) && (type !== 'securityQuestions' || enrolledQuestionIds.size >= qRequired);
  const verifiedTypes = AUTHENTICATION_TYPES.filter(verified);
  const required = requiredTypeCount(policy);
  return {
    met: verifiedTypes.length >= required,
    required,
    verifiedTypes,
    questionsRequired: qRequired,
    questionsVerified,
    attainable: AUTHENTICATION_TYPES.filter(usable).length >= required,
  };
}
