import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { type Projection, statement } from './projection';
import { wellKnownFacts } from './well-known';

/** Audit: every event, with the columns auditors filter on (time, actor, subject, type, outcome) indexed. */
export const auditProjection: Projection = {
  name: 'audit',
  version: 1,
  tables: ['audit'],
  init(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS audit (
        position INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        type TEXT NOT NULL,
        time INTEGER NOT NULL,
        actor TEXT,
        subject TEXT,
        subject_store TEXT,
        client TEXT,
        ip TEXT,
        user_agent TEXT,
        outcome TEXT,
        reason TEXT,
        correlation_id TEXT,
        causation_id TEXT,
        data TEXT NOT NULL,
        metadata TEXT NOT NULL
      )
    `);
  },
  indexes: [
    'CREATE INDEX IF NOT EXISTS audit_time ON audit (time)',
    'CREATE INDEX IF NOT EXISTS audit_actor_time ON audit (actor, time)',
    'CREATE INDEX IF NOT EXISTS audit_subject_time ON audit (subject, time)',
    'CREATE INDEX IF NOT EXISTS audit_type_time ON audit (type, time)',
    'CREATE INDEX IF NOT EXISTS audit_outcome_time ON audit (outcome, time)',
  ],
  apply(db, event) {
    const f = wellKnownFacts(event);
    const meta = event.metadata;
    statement(
      db,
      `INSERT INTO audit (position, event_id, stream_id, type, time, actor, subject, subject_store, client, ip,
         user_agent, outcome, reason, correlation_id, causation_id, data, metadata)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (position) DO NOTHING`,
    ).run(
      event.position,
      event.id,
      event.streamId,
      event.type,
      event.time.getTime(),
      f.actor,
      f.subject,
      f.subjectStore,
      f.client,
      f.ip,
      f.userAgent,
      f.outcome,
      f.reason,
      typeof meta.correlationId === 'string' ? meta.correlationId : null,
      typeof meta.causationId === 'string' ? meta.causationId : null,
      JSON.stringify(event.data) ?? 'null',
      JSON.stringify(meta),
    );
  },
};

export interface AuditFilter {
  from?: Date;
  to?: Date;
  actor?: string;
  subject?: string;
  store?: string;
  type?: string;
  outcome?: string;
  /** Page after this position (newest first: rows with a smaller position). */
  beforePosition?: bigint;
  limit?: number;
}

export interface AuditRow {
  position: bigint;
  eventId: string;
  streamId: string;
  type: string;
  time: Date;
  actor: string | null;
  subject: string | null;
  client: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: string | null;
  reason: string | null;
  correlationId: string | null;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** Newest first. Every filter is optional and combined with AND. */
export function queryAudit(db: DatabaseSync, filter: AuditFilter = {}): AuditRow[] {
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (sql: string, value: SQLInputValue | undefined) => {
    if (value === undefined) return;
    where.push(sql);
    params.push(value);
  };
  add('time >= ?', filter.from?.getTime());
  add('time < ?', filter.to?.getTime());
  add('actor = ?', filter.actor);
  add('subject = ?', filter.subject);
  add('subject_store = ?', filter.store);
  add('type = ?', filter.type);
  add('outcome = ?', filter.outcome);
  add('position < ?', filter.beforePosition);
  const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY position DESC LIMIT ?`;
  params.push(Math.max(1, Math.min(filter.limit ?? 100, 10_000)));
  const rows = statement(db, sql).all(...params) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    position: r.position as bigint,
    eventId: r.event_id as string,
    streamId: r.stream_id as string,
    type: r.type as string,
    time: new Date(Number(r.time)),
    actor: r.actor as string | null,
    subject: r.subject as string | null,
    client: r.client as string | null,
    ip: r.ip as string | null,
    userAgent: r.user_agent as string | null,
    outcome: r.outcome as string | null,
    reason: r.reason as string | null,
    correlationId: r.correlation_id as string | null,
    data: JSON.parse(r.data as string),
    metadata: JSON.parse(r.metadata as string),
  }));
}
