/**
 * The write side of the embedded event store: appends (with EventStoreDB-like idempotency and expected-revision
 * checks) and the group commit, on one node:sqlite connection. Used in-thread (':memory:', `appendSync`, fsync
 * policies other than FULL) and by the writer thread that this same file runs as (see the end of the file and
 * SqliteEventStore): with synchronous=FULL every commit waits for an fsync, which blocks the thread that runs it for
 * a millisecond or more; on the writer thread it no longer stalls request handling on the main thread.
 *
 * This file is also loaded on its own by a worker thread (compiled `.js`, or the `.ts` source through Node's type
 * stripping), so it imports only `node:` modules at run time and uses erasable TypeScript syntax only.
 */
import { randomUUID } from 'node:crypto';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { ExpectedRevision } from './event-store';

/** One append as it crosses to the writer: data and metadata already serialised. */
export type WireAppend = {
  streamId: string;
  events: { id: string | undefined; type: string; data: string; metadata: string }[];
  expectedRevision: ExpectedRevision;
};

export type WireOutcome =
  | { ok: true; nextRevision: bigint; position: bigint }
  | { ok: false; conflict: { streamId: string; expected: ExpectedRevision; actual: bigint | 'no_stream' } }
  | { ok: false; error: { name: string; message: string } };

/** The writer thread's answer to one group commit: per-append outcomes, or the commit itself failed. */
export type WireReply = { seq: number; outcomes?: WireOutcome[]; failed?: { name: string; message: string } };

export const WRITER_ROLE = 'unlockdesk-sqlite-event-store-writer';

/** Thrown inside a savepoint for an expected-revision mismatch (turned into WrongExpectedVersionError by the store). */
export class AppendConflict extends Error {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly actual: bigint | 'no_stream';
  constructor(streamId: string, expected: ExpectedRevision, actual: bigint | 'no_stream') {
    super('conflict');
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

function matches(expected: ExpectedRevision, actual: bigint | 'no_stream'): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    default:
      return actual === expected;
  }
}

export class SqliteAppender {
  private readonly db: DatabaseSync;
  private readonly firstPosition: bigint;
  private readonly insert: StatementSync;
  private readonly findAtRevision: StatementSync;
  private readonly findInStream: StatementSync;
  private readonly streamHead: StatementSync;
  private readonly maxPosition: StatementSync;
  private readonly streamRange: StatementSync;

  constructor(db: DatabaseSync, firstPosition: bigint) {
    this.db = db;
    this.firstPosition = firstPosition;
    const prep = (sql: string): StatementSync => {
      const s = db.prepare(sql);
      s.setReadBigInts(true);
      return s;
    };
    this.insert = prep(
      'INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    // No index on event_id: random UUIDs make such an index cost 3-4x on append throughput. Idempotency checks look
    // where a retried batch must be (one index lookup for an exact/no_stream expectation) or scan the stream's rows.
    this.findAtRevision = prep('SELECT event_id FROM events WHERE stream_id = ? AND revision = ?');
    this.findInStream = prep('SELECT revision FROM events WHERE stream_id = ? AND event_id = ?');
    this.streamHead = prep('SELECT max(revision) AS r FROM events WHERE stream_id = ?');
    this.maxPosition = prep('SELECT max(position) AS p FROM events');
    this.streamRange = prep(
      'SELECT event_id, revision, position FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?',
    );
  }

  /**
   * Group commit: the appends share one transaction (one fsync), each in its own savepoint, so each stays atomic and
   * is checked against the revisions left by the appends before it, in order, exactly as if they had run one by one.
   * Throws when the commit itself fails (nothing of the batch is stored).
   */
  appendBatch(batch: readonly WireAppend[]): WireOutcome[] {
    const db = this.db;
    const outcomes: WireOutcome[] = [];
    try {
      db.exec('BEGIN IMMEDIATE');
      for (const a of batch) {
        db.exec('SAVEPOINT append');
        try {
          outcomes.push({ ok: true, ...this.appendInTransaction(a) });
          db.exec('RELEASE append');
        } catch (error) {
          db.exec('ROLLBACK TO append');
          db.exec('RELEASE append');
          outcomes.push(
            error instanceof AppendConflict
              ? { ok: false, conflict: { streamId: error.streamId, expected: error.expected, actual: error.actual } }
              : { ok: false, error: errorInfo(error) },
          );
        }
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
    return outcomes;
  }

  /** One append in its own transaction (no group commit). Throws AppendConflict for a revision mismatch. */
  appendOne(a: WireAppend): { nextRevision: bigint; position: bigint } {
    const db = this.db;
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = this.appendInTransaction(a);
      db.exec('COMMIT');
      return result;
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }

  private appendInTransaction({ streamId, events, expectedRevision }: WireAppend): {
    nextRevision: bigint;
    position: bigint;
  } {
    const firstId = events[0]?.id;
    if (firstId !== undefined) {
      const seen = this.findRetried(streamId, firstId, expectedRevision);
      if (seen !== undefined) return this.idempotentResult(streamId, events, seen, expectedRevision);
    }
    const head = (this.streamHead.get(streamId) as { r: bigint | null }).r;
    const actual = head ?? 'no_stream';
    if (!matches(expectedRevision, actual)) throw new AppendConflict(streamId, expectedRevision, actual);
    const maxPos = (this.maxPosition.get() as { p: bigint | null }).p;
    let position = maxPos ?? this.firstPosition - 1n;
    let revision = head ?? -1n;
    if (events.length === 0) return { nextRevision: revision, position };
    const time = Date.now();
    for (const e of events) {
      position += 1n;
      revision += 1n;
      this.insert.run(position, e.id ?? randomUUID(), streamId, revision, e.type, e.data, e.metadata, time);
    }
    return { nextRevision: revision, position };
  }

  /** Revision of `eventId` in the stream if this append is a retry of an earlier one, like EventStoreDB's check. */
  private findRetried(streamId: string, eventId: string, expected: ExpectedRevision): bigint | undefined {
    if (expected === 'no_stream' || typeof expected === 'bigint') {
      const revision = expected === 'no_stream' ? 0n : expected + 1n;
      const row = this.findAtRevision.get(streamId, revision) as { event_id: string } | undefined;
      return row?.event_id === eventId ? revision : undefined;
    }
    return (this.findInStream.get(streamId, eventId) as { revision: bigint } | undefined)?.revision;
  }

  /** The batch's first event is already in the stream: a retried append. Same ids in the same order ⇒ no-op. */
  private idempotentResult(
    streamId: string,
    events: WireAppend['events'],
    fromRevision: bigint,
    expectedRevision: ExpectedRevision,
  ): { nextRevision: bigint; position: bigint } {
    const stored = this.streamRange.all(streamId, fromRevision, events.length) as Array<{
      event_id: string;
      revision: bigint;
      position: bigint;
    }>;
    const same = stored.length === events.length && stored.every((r, i) => r.event_id === events[i]?.id);
    if (!same) {
      const head = (this.streamHead.get(streamId) as { r: bigint | null }).r;
      throw new AppendConflict(streamId, expectedRevision, head ?? 'no_stream');
    }
    const last = stored[stored.length - 1] as { revision: bigint; position: bigint };
    return { nextRevision: last.revision, position: last.position };
  }
}

export function errorInfo(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

// The writer thread: its own connection to the store's file (the tables exist: the store created them first).
if (!isMainThread && (workerData as { role?: string } | null)?.role === WRITER_ROLE && parentPort) {
  const port = parentPort;
  const { file, synchronous, firstPosition } = workerData as {
    file: string;
    synchronous: string;
    firstPosition: bigint;
  };
  const db = new DatabaseSync(file);
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; PRAGMA busy_timeout = 5000;`);
  const appender = new SqliteAppender(db, firstPosition);
  port.on('message', (message: { seq: number; batch: WireAppend[] } | { close: true }) => {
    if ('close' in message) {
      db.close();
      port.close();
      return;
    }
    let reply: WireReply;
    try {
      reply = { seq: message.seq, outcomes: appender.appendBatch(message.batch) };
    } catch (error) {
      reply = { seq: message.seq, failed: errorInfo(error) };
    }
    port.postMessage(reply);
  });
}
