/**
 * Decider for one user's enrollment stream (`enrollment-<storeId>-<userId>`).
 *
 * Commands carry already-protected material: the handler normalises and hashes answers (`hashSecret(
 * normaliseAnswer(answer))`) and encrypts the TOTP seed (`encryptSecret(seed, key, enrollmentSecretContext(…))`).
 * The decider refuses anything that does not look protected, so a clear answer or seed can never reach an event.
 *
 * Enrolling a type that is already enrolled replaces it (`replaced: true`); enrolling the same e-mail address or
 * phone number again records nothing. Removing a type that is not enrolled is refused.
 */

import { maskEmail, maskPhone } from '../shared/crypto/mask';
import { isEncryptedSecret } from '../shared/crypto/secret-box';
import { isSecretHash } from '../shared/crypto/secret-hash';
import { type Decider, type FieldProblem, refuse } from '../shared/decider';
import { AUTHENTICATION_TYPES, type AuthenticationType, isAuthenticationType } from '../shared/domain-types';
import type { EnrolledQuestion, EnrollmentEvent, EnrollmentSource, TypeEnrollment } from './enrollment.events';

export const MAX_SECURITY_QUESTIONS = 10;

type Subject = { storeId: string; userId: string };
export type EnrollAuthenticationType = Subject & {
  type: 'EnrollAuthenticationType';
  enrollment: TypeEnrollment;
  source: EnrollmentSource;
  /** The user's directory display name, if the handler resolved them (recorded for history; not validated). */
  displayName?: string;
};
export type RemoveAuthenticationType = Subject & {
  type: 'RemoveAuthenticationType';
  authenticationType: AuthenticationType;
  reason: string;
};
export type EnrollmentCommand = EnrollAuthenticationType | RemoveAuthenticationType;

export type EnrollmentState = {
  subject?: Subject;
  types: Partial<Record<AuthenticationType, TypeEnrollment>>;
};

/** The AAD context an authenticator seed is encrypted under, binding it to this user. */
export const enrollmentSecretContext = (storeId: string, userId: string) => `enrollment/${storeId}/${userId}`;

const SOURCES: EnrollmentSource[] = ['import', 'directory', 'kiosk', 'admin'];

function invalid(problems: FieldProblem[]): never {
  refuse(
    'enrollment.invalid',
    `The enrollment is invalid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
    problems,
  );
}

export function normaliseEmailAddress(address: string): string {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

/** E.164: `+`, country code and subscriber number, 7 to 15 digits; spaces, dots, dashes and brackets dropped. */
export function normalisePhoneNumber(number: string): string {
  return number.replace(/[\s().-]/g, '');
}

function validEnrollment(enrollment: TypeEnrollment): TypeEnrollment {
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });
  if (!enrollment || !isAuthenticationType(enrollment.type)) {
    invalid([{ field: 'enrollment.type', message: `must be one of ${AUTHENTICATION_TYPES.join(', ')}` }]);
  }
  switch (enrollment.type) {
    case 'securityQuestions': {
      const questions = Array.isArray(enrollment.questions) ? enrollment.questions : [];
      if (questions.length === 0 || questions.length > MAX_SECURITY_QUESTIONS) {
        problem('enrollment.questions', `must list 1 to ${MAX_SECURITY_QUESTIONS} questions`);
      }
      const ids = new Set<string>();
      const clean: EnrolledQuestion[] = [];
      questions.forEach((q, i) => {
        const id = typeof q?.questionId === 'string' ? q.questionId.trim() : '';
        const text = typeof q?.question === 'string' ? q.question.trim() : '';
        if (!id) problem(`enrollment.questions[${i}].questionId`, 'must be a non-empty string');
        else if (ids.has(id)) problem(`enrollment.questions[${i}].questionId`, 'is a duplicate');
        ids.add(id);
        if (!text || text.length > 200) problem(`enrollment.questions[${i}].question`, 'must be 1-200 characters');
        if (!isSecretHash(q?.answerHash)) {
          problem(`enrollment.questions[${i}].answerHash`, 'must be a scrypt hash (answers are never stored in clear)');
        }
        clean.push({ questionId: id, question: text, answerHash: q?.answerHash });
      });
      if (problems.length) invalid(problems);
      return { type: 'securityQuestions', questions: clean };
    }
    case 'authenticator':
      if (!isEncryptedSecret(enrollment.encryptedSecret)) {
        invalid([
          {
            field: 'enrollment.encryptedSecret',
            message: 'must be an encrypted secret (enc.v1.…), never the seed in clear',
          },
        ]);
      }
      return { type: 'authenticator', encryptedSecret: enrollment.encryptedSecret };
    case 'email': {
      const address = typeof enrollment.address === 'string' ? enrollment.address.trim() : '';
      if (address.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
        invalid([{ field: 'enrollment.address', message: 'must be an e-mail address' }]);
      }
      return { type: 'email', address: normaliseEmailAddress(address) };
    }
    case 'phone': {
      const number = typeof enrollment.number === 'string' ? normalisePhoneNumber(enrollment.number) : '';
      if (!/^\+[1-9]\d{6,14}$/.test(number)) {
        invalid([{ field: 'enrollment.number', message: 'must be an international number, e.g. +44 7700 900123' }]);
      }
      return { type: 'phone', number };
    }
  }
}

function checkSubject(command: Subject, state: EnrollmentState): void {
  const problems: FieldProblem[] = [];
  if (typeof command.storeId !== 'string' || !command.storeId.trim())
    problems.push({ field: 'storeId', message: 'is required' });
  if (typeof command.userId !== 'string' || !command.userId.trim())
    problems.push({ field: 'userId', message: 'is required' });
  if (problems.length) invalid(problems);
  if (state.subject && (state.subject.storeId !== command.storeId || state.subject.userId !== command.userId)) {
    refuse('enrollment.wrongStream', 'The command is for another user than this enrollment stream');
  }
}

const displayNameOf = (c: EnrollAuthenticationType): string | undefined =>
  typeof c.displayName === 'string' && c.displayName.trim() ? c.displayName.trim().slice(0, 256) : undefined;

export const enrollmentDecider: Decider<EnrollmentCommand, EnrollmentEvent, EnrollmentState> = {
  initialState: () => ({ types: {} }),

  evolve: (state, event) => {
    const subject = { storeId: event.data.storeId, userId: event.data.userId };
    switch (event.type) {
      case 'AuthenticationTypeEnrolled':
        return { subject, types: { ...state.types, [event.data.enrollment.type]: event.data.enrollment } };
      case 'AuthenticationTypeRemoved': {
        const { [event.data.authenticationType]: _removed, ...types } = state.types;
        return { subject, types };
      }
    }
  },

  decide: (command, state) => {
    checkSubject(command, state);
    const { storeId, userId } = command;
    switch (command.type) {
      case 'EnrollAuthenticationType': {
        if (!SOURCES.includes(command.source))
          invalid([{ field: 'source', message: `must be one of ${SOURCES.join(', ')}` }]);
        const enrollment = validEnrollment(command.enrollment);
        const current = state.types[enrollment.type];
        if (current && JSON.stringify(current) === JSON.stringify(enrollment)) return [];
        return [
          {
            type: 'AuthenticationTypeEnrolled',
            data: {
              storeId,
              userId,
              ...(displayNameOf(command) ? { displayName: displayNameOf(command) } : {}),
              enrollment,
              source: command.source,
              replaced: current !== undefined,
            },
          },
        ];
      }
      case 'RemoveAuthenticationType': {
        if (!isAuthenticationType(command.authenticationType)) {
          invalid([{ field: 'authenticationType', message: `must be one of ${AUTHENTICATION_TYPES.join(', ')}` }]);
        }
        if (!state.types[command.authenticationType]) {
          refuse('enrollment.typeNotEnrolled', `The user is not enrolled in ${command.authenticationType}`);
        }
        const reason = typeof command.reason === 'string' && command.reason.trim() ? command.reason.trim() : 'removed';
        return [
          {
            type: 'AuthenticationTypeRemoved',
            data: { storeId, userId, authenticationType: command.authenticationType, reason },
          },
        ];
      }
    }
  },
};

/** The enrolled types, in canonical order (securityQuestions, authenticator, email, phone). */
export function enrolledTypes(state: EnrollmentState): AuthenticationType[] {
  return AUTHENTICATION_TYPES.filter((t) => state.types[t] !== undefined);
}

/**
 * What a helpdesk case may know about the enrollment: types, question ids and texts, masked destinations.
 * No answer hashes, no secrets, no clear contact details.
 */
export type EnrollmentSnapshot = {
  types: AuthenticationType[];
  securityQuestions: { questionId: string; question: string }[];
  maskedEmail?: string;
  maskedPhone?: string;
};

export function enrollmentSnapshot(state: EnrollmentState): EnrollmentSnapshot {
  const snapshot: EnrollmentSnapshot = { types: enrolledTypes(state), securityQuestions: [] };
  const questions = state.types.securityQuestions;
  if (questions?.type === 'securityQuestions') {
    snapshot.securityQuestions = questions.questions.map(({ questionId, question }) => ({ questionId, question }));
  }
  const email = state.types.email;
  if (email?.type === 'email') snapshot.maskedEmail = maskEmail(email.address);
  const phone = state.types.phone;
  if (phone?.type === 'phone') snapshot.maskedPhone = maskPhone(phone.number);
  return snapshot;
}

/** The stored answer hash for a question (for the handler that verifies an answer), if enrolled. */
export function answerHashFor(state: EnrollmentState, questionId: string): string | undefined {
  const questions = state.types.securityQuestions;
  if (questions?.type !== 'securityQuestions') return undefined;
  return questions.questions.find((q) => q.questionId === questionId)?.answerHash;
}
