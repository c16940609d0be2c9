import type { DomainEvent } from '../shared/decider';
import type { AuthenticationType } from '../shared/domain-types';
import { createUpcaster, type SchemaVersions } from '../shared/events';

/** Stream: `enrollment-<storeId>-<userId>`. */
export const enrollmentStreamId = (storeId: string, userId: string) => `enrollment-${storeId}-${userId}`;

export type EnrollmentSource = 'import' | 'directory' | 'kiosk' | 'admin';

/** A security question as enrolled: the answer only as a salted scrypt hash of the normalised answer. */
export type EnrolledQuestion = { questionId: string; question: string; answerHash: string };

/**
 * What is stored per type. Never a secret in clear: answers are scrypt hashes, the TOTP seed is an
 * AES-256-GCM token (`enc.v1.<keyId>.…`, bound to `enrollment/<storeId>/<userId>`). E-mail address and phone
 * number are contact details, needed in clear to send codes; they are shown masked to agents.
 */
export type TypeEnrollment =
  | { type: 'securityQuestions'; questions: EnrolledQuestion[] }
  | { type: 'authenticator'; encryptedSecret: string }
  | { type: 'email'; address: string }
  | { type: 'phone'; number: string };

export type AuthenticationTypeEnrolled = DomainEvent<
  'AuthenticationTypeEnrolled',
  {
    storeId: string;
    userId: string;
    /**
     * The user's display name in the directory when the handler resolved them (optional and additive, so still
     * schema version 1: older events lack it). History and audit name the person by it.
     */
    displayName?: string;
    enrollment: TypeEnrollment;
    source: EnrollmentSource;
    replaced: boolean;
  }
>;
export type AuthenticationTypeRemoved = DomainEvent<
  'AuthenticationTypeRemoved',
  { storeId: string; userId: string; authenticationType: AuthenticationType; reason: string }
>;
export type EnrollmentEvent = AuthenticationTypeEnrolled | AuthenticationTypeRemoved;

export const ENROLLMENT_EVENT_SCHEMA_VERSIONS: SchemaVersions<EnrollmentEvent['type']> = {
  AuthenticationTypeEnrolled: 1,
  AuthenticationTypeRemoved: 1,
};

export const upcastEnrollmentEvent = createUpcaster<EnrollmentEvent>(ENROLLMENT_EVENT_SCHEMA_VERSIONS);
