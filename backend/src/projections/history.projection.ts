import type { DatabaseSync } from 'node:sqlite';
import { type Projection, statement } from './projection';
import { wellKnownFacts } from './well-known';

/**
 * Helpdesk history: one row per event about a user (a subject) or done by someone (an actor), for the History button
 * ("actions on and by the user"). Generic columns from well-known fields; the helpdesk issue refines them.
 */
export const historyProjection: Projection = {
  name: 'history',
  version: 1,
  tables: ['history'],
  init(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS history (
        position INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        type TEXT NOT NULL,
        subject TEXT,
        subject_store TEXT,
        subject_user_id TEXT,
        actor TEXT,
        client TEXT,
        ip TEXT,
        outcome TEXT,
        reason TEXT,
        time INTEGER NOT NULL,
        data TEXT NOT NULL
      )
    `);
  },
  indexes: [
    'CREATE INDEX IF NOT EXISTS history_subject_time ON history (subject, time)',
    'CREATE INDEX IF NOT EXISTS history_actor_time ON history (actor, time)',
  ],
  apply(db, event) {
    const f = wellKnownFacts(event);
    if (f.subject === null && f.actor === null) return;
    statement(
      db,
      `INSERT INTO history (position, event_id, stream_id, type, subject, subject_store, subject_user_id, actor, client,
         ip, outcome, reason, time, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (position) DO NOTHING`,
    ).run(
      event.position,
      event.id,
      event.streamId,
      event.type,
      f.subject,
      f.subjectStore,
      f.subjectUserId,
      f.actor,
      f.client,
      f.ip,
      f.outcome,
      f.reason,
      event.time.getTime(),
      JSON.stringify(event.data) ?? 'null',
    );
  },
};

export interface HistoryRow {
  position: bigint;
  eventId: string;
  streamId: string;
  type: string;
  subject: string | null;
  actor: string | null;
  client: string | null;
  ip: string | null;
  outcome: string | null;
  reason: string | null;
  time: Date;
  data: unknown;
}

/** Actions on and by a user, newest first. `subject` is `store:userId`; `actor` the user's own actor id, if any. */
export function historyFor(
  db: DatabaseSync,
  query: { subject: string; actor?: string; limit?: number; before?: Date },
): HistoryRow[] {
  const before = query.before?.getTime() ?? Number.MAX_SAFE_INTEGER;
  const rows = statement(
    db,
    `SELECT * FROM history WHERE subject = ? AND time < ?
     UNION
     SELECT * FROM history WHERE actor = ? AND time < ?
     ORDER BY time DESC, position DESC LIMIT ?`,
  ).all(query.subject, before, query.actor ?? null, before, query.limit ?? 100) as Array<Record<string, unknown>>;
  return rows.map(toHistoryRow);
}

function toHistoryRow(r: Record<string, unknown>): HistoryRow {
  return {
    position: r.position as bigint,
    eventId: r.event_id as string,
    streamId: r.stream_id as string,
    type: r.type as string,
    subject: r.subject as string | null,
    actor: r.actor as string | null,
    client: r.client as string | null,
    ip: r.ip as string | null,
    outcome: r.outcome as string | null,
    reason: r.reason as string | null,
    time: new Date(Number(r.time)),
    data: JSON.parse(r.data as string),
  };
}
