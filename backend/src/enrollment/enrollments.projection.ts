/**
 * Read model `enrollments`: per user (storeId, userId) the event-recorded enrolled types and masked destinations, for
 * list views (search results) that must not fold one stream per row. Directory contacts (mail/mobile counted as
 * enrolled when `helpdesk.enrollFromDirectory` allows) are not events and are added at read time by EnrollmentService.
 */
import type { RecordedEvent } from '../event-store/event-store';
import { type Projection, statement } from '../projections/projection';
import { maskEmail, maskPhone } from '../shared/crypto/mask';
import { AUTHENTICATION_TYPES, type AuthenticationType } from '../shared/domain-types';
import { ENROLLMENT_EVENT_SCHEMA_VERSIONS, upcastEnrollmentEvent } from './enrollment.events';

export const ENROLLMENTS_PROJECTION = 'enrollments';

export type EnrollmentRow = {
  storeId: string;
  userId: string;
  types: AuthenticationType[];
  maskedEmail?: string;
  maskedPhone?: string;
  questionCount: number;
  updatedAt: string;
};

const schemaVersion = (e: RecordedEvent) =>
  typeof e.metadata.schemaVersion === 'number' ? e.metadata.schemaVersion : undefined;

type Raw = {
  store_id: string;
  user_id: string;
  types: string;
  masked_email: string | null;
  masked_phone: string | null;
  question_count: bigint | number;
  updated_at: bigint | number;
};

export const enrollmentsProjection: Projection = {
  name: ENROLLMENTS_PROJECTION,
  version: 1,
  eventTypes: Object.keys(ENROLLMENT_EVENT_SCHEMA_VERSIONS),
  tables: ['enrollments'],
  init(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS enrollments (
      store_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      types TEXT NOT NULL,
      masked_email TEXT,
      masked_phone TEXT,
      question_count INTEGER NOT NULL DEFAULT 0,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (store_id, user_id)
    )`);
  },
  apply(db, recorded) {
    if (!recorded.streamId.startsWith('enrollment-')) return;
    const event = upcastEnrollmentEvent({
      type: recorded.type,
      data: recorded.data,
      schemaVersion: schemaVersion(recorded),
    });
    const { storeId, userId } = event.data;
    const row = statement(db, 'SELECT * FROM enrollments WHERE store_id = ? AND user_id = ?').get(storeId, userId) as
      | Raw
      | undefined;
    const types = new Set<AuthenticationType>(row ? (JSON.parse(row.types) as AuthenticationType[]) : []);
    let maskedEmail = row?.masked_email ?? null;
    let maskedPhone = row?.masked_phone ?? null;
    let questionCount = Number(row?.question_count ?? 0);
    if (event.type === 'AuthenticationTypeEnrolled') {
      const e = event.data.enrollment;
      types.add(e.type);
      if (e.type === 'email') maskedEmail = maskEmail(e.address);
      if (e.type === 'phone') maskedPhone = maskPhone(e.number);
      if (e.type === 'securityQuestions') questionCount = e.questions.length;
    } else {
      const t = event.data.authenticationType;
      types.delete(t);
      if (t === 'email') maskedEmail = null;
      if (t === 'phone') maskedPhone = null;
      if (t === 'securityQuestions') questionCount = 0;
    }
    statement(
      db,
      `INSERT INTO enrollments (store_id, user_id, types, masked_email, masked_phone, question_count, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (store_id, user_id) DO UPDATE SET types = excluded.types, masked_email = excluded.masked_email,
         masked_phone = excluded.masked_phone, question_count = excluded.question_count, updated_at = excluded.updated_at`,
    ).run(
      storeId,
      userId,
      JSON.stringify(AUTHENTICATION_TYPES.filter((t) => types.has(t))),
      maskedEmail,
      maskedPhone,
      questionCount,
      recorded.time.getTime(),
    );
  },
};

export function toEnrollmentRow(raw: Raw): EnrollmentRow {
  return {
    storeId: raw.store_id,
    userId: raw.user_id,
    types: JSON.parse(raw.types) as AuthenticationType[],
    ...(raw.masked_email ? { maskedEmail: raw.masked_email } : {}),
    ...(raw.masked_phone ? { maskedPhone: raw.masked_phone } : {}),
    questionCount: Number(raw.question_count),
    updatedAt: new Date(Number(raw.updated_at)).toISOString(),
  };
}

export type { Raw as EnrollmentRawRow };
