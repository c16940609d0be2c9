import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { canonicalJson, chainHash, chainHashCanonical, GENESIS_HASH, redact } from './audit-chain';
import { factJson, nullable, requestColumns, sharedEntryFields } from './fact-columns';
import { FactContext, factOf } from './helpdesk-facts';
import { type Projection, statement } from './projection';

const context = new FactContext('audit');

/**
 * Audit: every event, with the facts auditors filter on and its link in the hash chain (see audit-chain.ts). The
 * chain is computed here in global order from the previous row's hash, so a rebuild reproduces every hash.
 * `seq` numbers the chain 1, 2, 3… (positions may have gaps on EventStoreDB), so a verifier knows which row follows
 * which. Version 2: real-event facts, redacted data, hash chain. Version 3: delivery, link and roles-bootstrap
 * events mapped, display names carried by events (the facts changed; the chain hashes only the event, so a rebuild
 * reproduces every hash).
 */
export const auditProjection: Projection = {
  name: 'audit',
  version: 3,
  tables: ['audit', ...context.tables],
  init(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS audit (
        position INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        type TEXT NOT NULL,
        time INTEGER NOT NULL,
        time_iso TEXT NOT NULL,
        action TEXT NOT NULL,
        actor TEXT,
        actor_name TEXT,
        subject TEXT,
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
        causation_id TEXT,
        details TEXT NOT NULL,
        data TEXT NOT NULL,
        metadata TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      )
    `);
    context.init(db);
    lastLinks.delete(db);
  },
  indexes: [
    'CREATE INDEX IF NOT EXISTS audit_time ON audit (time)',
    'CREATE INDEX IF NOT EXISTS audit_actor ON audit (actor, position)',
    'CREATE INDEX IF NOT EXISTS audit_subject ON audit (subject, position)',
    'CREATE INDEX IF NOT EXISTS audit_store ON audit (store, position)',
    'CREATE INDEX IF NOT EXISTS audit_action ON audit (action, position)',
    'CREATE INDEX IF NOT EXISTS audit_outcome ON audit (outcome, position)',
  ],
  apply(db, event) {
    const f = factOf(db, context, event);
    // The previous link: the row this projection wrote last, unless this is a replay of an older position.
    const last = lastLinks.get(db);
    let prev = last && last.position < event.position ? last : undefined;
    if (!prev) {
      const row = statement(db, 'SELECT seq, hash FROM audit WHERE position < ? ORDER BY position DESC LIMIT 1').get(
        event.position,
      ) as { seq: bigint; hash: string } | undefined;
      prev = row ? { position: 0n, seq: row.seq, hash: row.hash } : undefined;
    }
    const prevHash = prev?.hash ?? GENESIS_HASH;
    const seq = (prev?.seq ?? 0n) + 1n;
    const timeIso = event.time.toISOString();
    const data = canonicalJson(redact(event.data ?? null));
    const metadata = canonicalJson(redact(event.metadata ?? {}));
    const hash = chainHashCanonical(
      prevHash,
      { position: event.position.toString(), id: event.id, type: event.type, stream: event.streamId, time: timeIso },
      data,
      metadata,
    );
    const req = requestColumns(event.metadata);
    const json = factJson(f);
    const inserted = statement(db, INSERT_AUDIT).run(
      event.position,
      seq,
      event.id,
      event.streamId,
      event.type,
      event.time.getTime(),
      timeIso,
      f.action,
      f.actor,
      f.actorName,
      f.subject,
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
      req.causationId,
      json.details,
      data,
      metadata,
      prevHash,
      hash,
    );
    // Already there (a replay): the stored row is the link to follow, read it next time.
    if (Number(inserted.changes) > 0) lastLinks.set(db, { position: event.position, seq, hash });
    else lastLinks.delete(db);
  },
  rolledBack(db) {
    context.discard(db);
    lastLinks.delete(db);
  },
};

/** The last row this projection inserted (the next event's previous link), while no batch was rolled back. */
const lastLinks = new WeakMap<DatabaseSync, { position: bigint; seq: bigint; hash: string }>();

const INSERT_AUDIT = `INSERT INTO audit (position, seq, event_id, stream_id, type, time, time_iso, action, actor, actor_name,
    subject, subject_name, store, auth_types, outcome, reason_code, reason, case_id, ticket, comment, client,
    ip, user_agent, correlation_id, causation_id, details, data, metadata, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (position) DO NOTHING`;

export interface AuditFilter {
  from?: Date;
  to?: Date;
  actor?: string;
  subject?: string;
  store?: string;
  action?: string;
  /** Event type, e.g. `AccountUnlocked`. */
  type?: string;
  outcome?: string;
  /** Newest first: rows with a smaller position. */
  beforePosition?: bigint;
  /** Oldest first (exports): rows with a larger position. */
  afterPosition?: bigint;
  limit?: number;
}

export interface AuditEntry {
  position: string;
  seq: number;
  eventId: string;
  stream: string;
  type: string;
  time: string;
  action: string;
  actor: { id: string; displayName: string | null } | null;
  subject: { key: string; displayName: string | null } | null;
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
  causationId: string | null;
  details: Record<string, unknown>;
  data: unknown;
  metadata: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

function where(filter: AuditFilter): { sql: string; params: SQLInputValue[] } {
  const clauses: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (sql: string, value: SQLInputValue | undefined) => {
    if (value === undefined) return;
    clauses.push(sql);
    params.push(value);
  };
  add('time >= ?', filter.from?.getTime());
  add('time < ?', filter.to?.getTime());
  add('actor = ?', filter.actor);
  add('subject = ?', filter.subject);
  add('store = ?', filter.store);
  add('action = ?', filter.action);
  add('type = ?', filter.type);
  add('outcome = ?', filter.outcome);
  add('position < ?', filter.beforePosition);
  add('position > ?', filter.afterPosition);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** Newest first. Every filter is optional and combined with AND. */
export function queryAudit(db: DatabaseSync, filter: AuditFilter = {}): AuditEntry[] {
  const w = where(filter);
  const limit = Math.max(1, Math.min(filter.limit ?? 100, 10_000));
  const rows = statement(db, `SELECT * FROM audit ${w.sql} ORDER BY position DESC LIMIT ?`).all(
    ...w.params,
    limit,
  ) as Array<Record<string, unknown>>;
  return rows.map(toAuditEntry);
}

/** Oldest first (chain order), in pages, for exports and verification. */
export function* iterateAudit(
  db: DatabaseSync,
  filter: Omit<AuditFilter, 'beforePosition' | 'limit'> = {},
  pageSize = 1000,
): Generator<AuditEntry[]> {
  let after = filter.afterPosition;
  for (;;) {
    const w = where({ ...filter, afterPosition: after });
    const rows = statement(db, `SELECT * FROM audit ${w.sql} ORDER BY position ASC LIMIT ?`).all(
      ...w.params,
      pageSize,
    ) as Array<Record<string, unknown>>;
    if (rows.length === 0) return;
    yield rows.map(toAuditEntry);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].position as bigint;
  }
}

function toAuditEntry(r: Record<string, unknown>): AuditEntry {
  return {
    position: String(r.position),
    seq: Number(r.seq),
    eventId: r.event_id as string,
    stream: r.stream_id as string,
    type: r.type as string,
    time: r.time_iso as string,
    ...sharedEntryFields(r),
    subject: r.subject ? { key: r.subject as string, displayName: nullable(r.subject_name) } : null,
    causationId: nullable(r.causation_id),
    data: JSON.parse(r.data as string),
    metadata: JSON.parse(r.metadata as string),
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  headPosition: string | null;
  headHash: string;
  firstBroken?: { position: string; seq: number; problem: string };
}

/** Recomputes the chain over the stored rows (oldest first) and reports the first broken link. */
export async function verifyAuditChain(db: DatabaseSync, pageSize = 2000): Promise<ChainVerification> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  let headPosition: string | null = null;
  for (const page of iterateAudit(db, {}, pageSize)) {
    for (const e of page) {
      const problem =
        e.seq !== expectedSeq
          ? `seq ${e.seq} where ${expectedSeq} was expected (a row is missing or was inserted)`
          : e.prevHash !== prevHash
            ? 'prevHash does not match the previous row’s hash'
            : chainHash(prevHash, {
                  position: e.position,
                  id: e.eventId,
                  type: e.type,
                  stream: e.stream,
                  time: e.time,
                  data: e.data,
                  metadata: e.metadata,
                }) !== e.hash
              ? 'hash does not match the row’s content'
              : undefined;
      if (problem) {
        return {
          ok: false,
          checked,
          headPosition,
          headHash: prevHash,
          firstBroken: { position: e.position, seq: e.seq, problem },
        };
      }
      prevHash = e.hash;
      expectedSeq += 1;
      checked += 1;
      headPosition = e.position;
    }
    await new Promise((r) => setImmediate(r)); // let other requests in between pages
  }
  return { ok: true, checked, headPosition, headHash: prevHash };
}
