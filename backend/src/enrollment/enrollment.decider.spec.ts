import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { normaliseAnswer } from '../shared/crypto/normalise-answer';
import { encryptSecret } from '../shared/crypto/secret-box';
import { hashSecret, verifySecret } from '../shared/crypto/secret-hash';
import { fold } from '../shared/decider';
import { deciderSpec } from '../shared/testing/decider-spec';
import {
  answerHashFor,
  type EnrollAuthenticationType,
  enrolledTypes,
  enrollmentDecider,
  enrollmentSecretContext,
  enrollmentSnapshot,
} from './enrollment.decider';
import { ENROLLMENT_EVENT_SCHEMA_VERSIONS, type EnrollmentEvent, type TypeEnrollment } from './enrollment.events';

const spec = deciderSpec(enrollmentDecider, { schemaVersions: ENROLLMENT_EVENT_SCHEMA_VERSIONS });
const subject = { storeId: 'ad', userId: 'alice' };
const enroll = (enrollment: TypeEnrollment, source: EnrollAuthenticationType['source'] = 'import') => ({
  type: 'EnrollAuthenticationType' as const,
  ...subject,
  enrollment,
  source,
});
const enrolled = (enrollment: TypeEnrollment, replaced = false): EnrollmentEvent => ({
  type: 'AuthenticationTypeEnrolled',
  data: { ...subject, enrollment, source: 'import', replaced },
});

let questions: TypeEnrollment;
let authenticator: TypeEnrollment;
const email: TypeEnrollment = { type: 'email', address: 'alice.smith@example.test' };
const phone: TypeEnrollment = { type: 'phone', number: '+447700900512' };

beforeAll(async () => {
  const fast = { logN: 10, r: 8, p: 1 };
  questions = {
    type: 'securityQuestions',
    questions: [
      {
        questionId: 'pet',
        question: 'Name of your first pet?',
        answerHash: await hashSecret(normaliseAnswer(' Fluffy '), fast),
      },
      {
        questionId: 'city',
        question: 'City you were born in?',
        answerHash: await hashSecret(normaliseAnswer('Leeds'), fast),
      },
    ],
  };
  authenticator = {
    type: 'authenticator',
    encryptedSecret: encryptSecret(
      'JBSWY3DPEHPK3PXP',
      { id: 'k1', key: randomBytes(32) },
      enrollmentSecretContext('ad', 'alice'),
    ),
  };
});

describe('enrollment decider: enroll', () => {
  it('records each type with hashes/encrypted secrets only', () => {
    spec
      .given([])
      .when(enroll(questions))
      .then([enrolled(questions)]);
    spec
      .given([])
      .when(enroll(authenticator))
      .then([enrolled(authenticator)]);
    spec
      .given([])
      .when(enroll(email))
      .then([enrolled(email)]);
    spec
      .given([])
      .when(enroll(phone))
      .then([enrolled(phone)]);
  });

  it('refuses clear answers and clear TOTP seeds', () => {
    const clear = {
      type: 'securityQuestions',
      questions: [{ questionId: 'pet', question: 'Pet?', answerHash: 'fluffy' }],
    } as TypeEnrollment;
    spec.given([]).when(enroll(clear)).thenRefuses('enrollment.invalid', ['enrollment.questions[0].answerHash']);
    spec
      .given([])
      .when(enroll({ type: 'authenticator', encryptedSecret: 'JBSWY3DPEHPK3PXP' }))
      .thenRefuses('enrollment.invalid', ['enrollment.encryptedSecret']);
  });

  it('refuses empty, duplicate or nameless questions', () => {
    spec
      .given([])
      .when(enroll({ type: 'securityQuestions', questions: [] }))
      .thenRefuses('enrollment.invalid', ['enrollment.questions']);
    if (questions.type !== 'securityQuestions') throw new Error('fixture');
    const q = questions.questions[0] as (typeof questions.questions)[0];
    spec
      .given([])
      .when(enroll({ type: 'securityQuestions', questions: [q, { ...q, question: ' ' }] }))
      .thenRefuses('enrollment.invalid', ['enrollment.questions[1].questionId', 'enrollment.questions[1].question']);
  });

  it('validates and normalises e-mail addresses and phone numbers', () => {
    spec
      .given([])
      .when(enroll({ type: 'email', address: ' Alice.Smith@EXAMPLE.test ' }))
      .then([enrolled({ type: 'email', address: 'Alice.Smith@example.test' })]);
    spec
      .given([])
      .when(enroll({ type: 'email', address: 'alice' }))
      .thenRefuses('enrollment.invalid', ['enrollment.address']);
    spec
      .given([])
      .when(enroll({ type: 'phone', number: '+44 (7700) 900-512' }))
      .then([enrolled(phone)]);
    spec
      .given([])
      .when(enroll({ type: 'phone', number: '07700 900512' }))
      .thenRefuses('enrollment.invalid', ['enrollment.number']);
  });

  it('refuses an unknown type or source', () => {
    spec
      .given([])
      .when(enroll({ type: 'fingerprint' } as unknown as TypeEnrollment))
      .thenRefuses('enrollment.invalid', ['enrollment.type']);
    spec
      .given([])
      .when({ ...enroll(email), source: 'guess' as 'import' })
      .thenRefuses('enrollment.invalid', ['source']);
  });

  it('replaces an enrolled type, and records nothing when the address is unchanged', () => {
    const other: TypeEnrollment = { type: 'email', address: 'a.smith@example.test' };
    spec
      .given([enrolled(email)])
      .when(enroll(other))
      .then([enrolled(other, true)]);
    spec
      .given([enrolled(email)])
      .when(enroll(email))
      .thenNothing();
  });

  it('refuses a command for another user than the stream', () => {
    spec
      .given([enrolled(email)])
      .when({ ...enroll(phone), userId: 'bob' })
      .thenRefuses('enrollment.wrongStream');
  });
});

describe('enrollment decider: remove', () => {
  it('records the removal with a reason', () => {
    const { state } = spec
      .given([enrolled(email), enrolled(phone)])
      .when({ type: 'RemoveAuthenticationType', ...subject, authenticationType: 'email', reason: 'left the company' })
      .then([
        {
          type: 'AuthenticationTypeRemoved',
          data: { ...subject, authenticationType: 'email', reason: 'left the company' },
        },
      ]);
    expect(enrolledTypes(state)).toEqual(['phone']);
  });
  it('refuses to remove a type that is not enrolled', () => {
    spec
      .given([enrolled(email)])
      .when({ type: 'RemoveAuthenticationType', ...subject, authenticationType: 'phone', reason: 'x' })
      .thenRefuses('enrollment.typeNotEnrolled');
  });
});

describe('enrolledTypes / enrollmentSnapshot', () => {
  it('lists types in canonical order and exposes no secrets or clear contact details', async () => {
    const state = fold(enrollmentDecider, [
      enrolled(phone),
      enrolled(email),
      enrolled(questions),
      enrolled(authenticator),
    ]);
    expect(enrolledTypes(state)).toEqual(['securityQuestions', 'authenticator', 'email', 'phone']);
    const snapshot = enrollmentSnapshot(state);
    expect(snapshot).toEqual({
      types: ['securityQuestions', 'authenticator', 'email', 'phone'],
      securityQuestions: [
        { questionId: 'pet', question: 'Name of your first pet?' },
        { questionId: 'city', question: 'City you were born in?' },
      ],
      maskedEmail: 'a***@example.test',
      maskedPhone: '***-**12',
    });
    expect(JSON.stringify(snapshot)).not.toMatch(/scrypt|enc\.v1|alice\.smith|900512/);
    expect(await verifySecret(normaliseAnswer('FLUFFY'), answerHashFor(state, 'pet') as string)).toBe(true);
    expect(answerHashFor(state, 'school')).toBeUndefined();
  });
  it('is empty for an unenrolled user', () => {
    expect(enrolledTypes(fold(enrollmentDecider, []))).toEqual([]);
  });
});

describe('display name (optional, for history and audit)', () => {
  it('records the display name the handler resolved, and nothing when it has none', () => {
    spec
      .given([])
      .when({ ...enroll(email), displayName: ' Alice Smith ' })
      .then([
        {
          type: 'AuthenticationTypeEnrolled',
          data: { ...subject, displayName: 'Alice Smith', enrollment: email, source: 'import', replaced: false },
        },
      ]);
    spec
      .given([])
      .when({ ...enroll(email), displayName: '' })
      .then([enrolled(email)]);
  });
});
