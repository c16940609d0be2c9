import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { RecordedEvent } from '../event-store/event-store';
import { factJson, nullable, requestColumns, sharedEntryFields } from './fact-columns';
import { FactContext, factOf, type HelpdeskFact } from './helpdesk-facts';
import { type Projection, statement } from './projection';

/** Exported for the benchmark's raw floor (the same mapping without the runner). */
export const historyContext = new FactContext('history');
const context = historyContext;

/**
 * Helpdesk history: one row per event that concerns a person, and one `history_people_index` row per person it
 * concerns (the subject, the actor, and for a linked-account unlock the case's subject too), so "actions on and by a
 * user" is one index range scan: `key = ? AND position < ? ORDER BY position DESC LIMIT ?`.
 * Version 2: facts mapped from the real case, enrollment, role and sign-in events (was: generic fields).
 * Version 3: delivery, link and roles-bootstrap events mapped (were `event.<Type>`); display names from the events
 * that carry them (case accounts, enrollment).
 */
export const historyProjection: Projection = {
  name: 'history',
  version: 3,
  tables: ['history', 'history_people_index', ...context.tables],
  init(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS history (
        position INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        type TEXT NOT NULL,
        time INTEGER NOT NULL,
        action TEXT NOT NULL,
        actor TEXT,
        actor_name TEXT,
        subject TEXT,
        subject_store TEXT,
        subject_user_id TEXT,
        subject_name TEXT,
        store TEXT,
        auth_types TEXT NOT NULL,
        outcome TEXT,
        reason_code TEXT,
        reason TEXT,
        case_id TEXT,
        ticket TEXT,
        comment TEXT,
        client TEXT,
        ip TEXT,
        user_agent TEXT,
        correlation_id TEXT,
        details TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS history_people_index (
        key TEXT NOT NULL,
        position INTEGER NOT NULL,
        as_actor INTEGER NOT NULL
      );
    `);
    context.init(db);
  },
  indexes: [
    'CREATE UNIQUE INDEX IF NOT EXISTS history_people_key_position ON history_people_index (key, position, as_actor)',
  ],
  apply(db, event) {
    const f = factOf(db, context, event);
    if (f.people.length === 0) return;
    if (Number(statement(db, INSERT_HISTORY).run(...historyRow(event, f)).changes) === 0) return; // already applied
    const index = statement(db, 'INSERT INTO history_people_index (key, position, as_actor) VALUES (?, ?, ?)');
    for (const p of f.people) index.run(p.key, event.position, p.asActor ? 1 : 0);
  },
  rolledBack(db) {
    context.discard(db);
  },
};

/** The history table's columns, in the order of historyRow's values. */
export const HISTORY_COLUMNS = [
  'position',
  'event_id',
  'type',
  'time',
  'action',
  'actor',
  'actor_name',
  'subject',
  'subject_store',
  'subject_user_id',
  'subject_name',
  'store',
  'auth_types',
  'outcome',
  'reason_code',
  'reason',
  'case_id',
  'ticket',
  'comment',
  'client',
  'ip',
  'user_agent',
  'correlation_id',
  'details',
] as const;

/** The history row of an event and its fact (HISTORY_COLUMNS), for the projection and the benchmark's raw floor. */
export function historyRow(event: RecordedEvent, f: HelpdeskFact): SQLInputValue[] {
  const req = requestColumns(event.metadata);
  const json = factJson(f);
  return [
    event.position,
    event.id,
    event.type,
    event.time.getTime(),
    f.action,
    f.actor,
    f.actorName,
    f.subject,
    f.subjectStore,
    f.subjectUserId,
    f.subjectName,
    f.store,
    json.authTypes,
    f.outcome,
    f.reasonCode,
    f.reason,
    f.caseId,
    f.ticket,
    f.comment,
    req.client,
    req.ip,
    req.userAgent,
    req.correlationId,
    json.details,
  ];
}

const INSERT_HISTORY = `INSERT INTO history (${HISTORY_COLUMNS.join(', ')})
  VALUES (${HISTORY_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (position) DO NOTHING`;

export interface HistoryEntry {
  position: string;
  eventId: string;
  type: string;
  time: string;
  action: string;
  actor: { id: string; displayName: string | null } | null;
  subject: { storeId: string | null; userId: string | null; key: string; displayName: string | null } | null;
  storeId: string | null;
  authenticationTypes: string[];
  outcome: string | null;
  reasonCode: string | null;
  reason: string | null;
  caseId: string | null;
  ticket: string | null;
  comment: string | null;
  client: string | null;
  ip: string | null;
  userAgent: string | null;
  correlationId: string | null;
  details: Record<string, unknown>;
}

export interface HistoryQuery {
  /** `<storeId>:<userId>` (see personKey). */
  key: string;
  /** Only what the person did (agent history) rather than everything on and by them. */
  asActor?: boolean;
  limit?: number;
  /** Cursor: a position; only older entries. */
  before?: bigint;
}

/** Newest first; one more row than `limit` is read to tell whether there is a next page. */
export function historyFor(db: DatabaseSync, q: HistoryQuery): { entries: HistoryEntry[]; more: boolean } {
  const limit = Math.max(1, Math.min(q.limit ?? 50, 500));
  const rows = statement(
    db,
    `SELECT h.* FROM history_people_index k JOIN history h ON h.position = k.position
     WHERE k.key = ? AND k.position < ? AND k.as_actor >= ?
     ORDER BY k.position DESC LIMIT ?`,
  ).all(q.key, q.before ?? 9223372036854775807n, q.asActor ? 1 : 0, limit + 1) as Array<Record<string, unknown>>;
  return { entries: rows.slice(0, limit).map(toEntry), more: rows.length > limit };
}

function toEntry(r: Record<string, unknown>): HistoryEntry {
  return {
    position: String(r.position),
    eventId: r.event_id as string,
    type: r.type as string,
    time: new Date(Number(r.time)).toISOString(),
    ...sharedEntryFields(r),
    subject: r.subject
      ? {
          key: r.subject as string,
          storeId: nullable(r.subject_store),
          userId: nullable(r.subject_user_id),
          displayName: nullable(r.subject_name),
        }
      : null,
  };
}
