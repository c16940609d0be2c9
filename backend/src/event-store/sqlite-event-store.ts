import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  revisionMatches,
  StreamNotFound,
  type SubscribeToAllOptions,
  type Subscription,
  type SubscriptionFilter,
  WrongExpectedVersionError,
} from './event-store';

export interface SqliteEventStoreOptions {
  /** Database file (its directory is created), or ':memory:'. */
  file: string;
  /**
   * Position given to the first event of an empty store (default 1n). Tests start past 2^53 to prove that positions
   * stay exact bigints end to end.
   */
  firstPosition?: bigint;
  /**
   * fsync policy (default 'FULL': every append is durable when it returns). 'OFF' is only for seeding test and
   * benchmark data.
   */
  synchronous?: 'FULL' | 'NORMAL' | 'OFF';
  /** Rows per page for reads and subscription catch-up (default 1000). */
  pageSize?: number;
  /**
   * Live subscriptions wake on every commit made through this instance. Commits from another process (not a supported
   * set-up: the embedded store is for one process) are still picked up by polling at this interval (default 1000 ms).
   */
  pollIntervalMs?: number;
}

// Column order used by every read (statements return arrays for speed).
const COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata, time';
type Row = [bigint, string, string, bigint, string, string, string, bigint];

/**
 * The embedded event store on node:sqlite: one file, WAL, synchronous=FULL (each append is fsynced when it commits),
 * one transaction per append. Safe for one process; a second writer process would fail on the primary key rather
 * than corrupt anything, since positions are assigned inside the write transaction.
 */
type PendingAppend = {
  streamId: string;
  events: readonly NewEvent[];
  options: AppendOptions;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
};

export class SqliteEventStore implements EventStore {
  private readonly db: DatabaseSync;
  private readonly pageSize: number;
  private readonly firstPosition: bigint;
  private readonly pollIntervalMs: number;
  private closed = false;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly wakers = new Set<() => void>();

  private readonly insert: StatementSync;
  private readonly findAtRevision: StatementSync;
  private readonly findInStream: StatementSync;
  private readonly streamHead: StatementSync;
  private readonly maxPosition: StatementSync;
  private readonly streamRange: StatementSync;
  private readonly readForwards: StatementSync;
  private readonly readBackwards: StatementSync;
  private readonly streamForwards: StatementSync;
  private readonly streamBackwards: StatementSync;
  private readonly filteredStatements = new Map<string, StatementSync>();
  /** Appends waiting for the next group commit (see `append`). */
  private pending: PendingAppend[] = [];

  constructor(options: SqliteEventStoreOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.pageSize = options.pageSize ?? 1000;
    this.firstPosition = options.firstPosition ?? 1n;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.db = new DatabaseSync(options.file);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = ${options.synchronous ?? 'FULL'};
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        metadata TEXT NOT NULL,
        time INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream_id, revision);
    `);
    const prep = (sql: string): StatementSync => {
      const s = this.db.prepare(sql);
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
    const rows = (sql: string): StatementSync => {
      const s = prep(`SELECT ${COLUMNS} FROM events ${sql}`);
      s.setReturnArrays(true);
      return s;
    };
    this.readForwards = rows('WHERE position > ? ORDER BY position LIMIT ?');
    this.readBackwards = rows('WHERE position < ? ORDER BY position DESC LIMIT ?');
    this.streamForwards = rows('WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?');
    this.streamBackwards = rows('WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?');
  }

  /**
   * Group commit: appends that arrive in the same turn of the event loop share one transaction and one fsync, each in
   * its own savepoint, so each stays atomic and is checked against the revisions left by the appends before it, in
   * arrival order, exactly as if they had run one by one. Under concurrent requests this turns N fsyncs into one.
   */
  append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.assertOpen();
      if (this.pending.push({ streamId, events, options, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (this.closed) {
      for (const a of batch) a.reject(new Error('event store is closed'));
      return;
    }
    const db = this.db;
    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: unknown }> = [];
    try {
      db.exec('BEGIN IMMEDIATE');
      for (const a of batch) {
        db.exec('SAVEPOINT append');
        try {
          outcomes.push({
            ok: true,
            result: this.appendInTransaction(a.streamId, a.events, a.options.expectedRevision ?? 'any'),
          });
          db.exec('RELEASE append');
        } catch (error) {
          db.exec('ROLLBACK TO append');
          db.exec('RELEASE append');
          outcomes.push({ ok: false, error });
        }
      }
      db.exec('COMMIT');
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of this batch is stored.
      if (db.isTransaction) db.exec('ROLLBACK');
      for (const a of batch) a.reject(error);
      return;
    }
    if (batch.some((a, i) => outcomes[i].ok && a.events.length > 0)) this.wake();
    for (const [i, o] of outcomes.entries()) {
      if (o.ok) batch[i].resolve(o.result);
      else batch[i].reject(o.error);
    }
  }

  /** The synchronous core of `append` (node:sqlite is synchronous); also used by benchmarks and seeding. */
  appendSync(streamId: string, events: readonly NewEvent[], { expectedRevision = 'any' }: AppendOptions = {}) {
    this.assertOpen();
    const db = this.db;
    db.exec('BEGIN IMMEDIATE');
    let result: AppendResult;
    try {
      result = this.appendInTransaction(streamId, events, expectedRevision);
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw err;
    }
    if (events.length > 0) this.wake();
    return result;
  }

  private appendInTransaction(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: AppendOptions['expectedRevision'] & {},
  ): AppendResult {
    const firstId = events[0]?.id;
    if (firstId !== undefined) {
      const seen = this.findRetried(streamId, firstId, expectedRevision);
      if (seen !== undefined) return this.idempotentResult(streamId, events, seen, expectedRevision);
    }
    const head = (this.streamHead.get(streamId) as { r: bigint | null }).r;
    const actual = head ?? 'no_stream';
    if (!revisionMatches(expectedRevision, actual)) {
      throw new WrongExpectedVersionError(streamId, expectedRevision, actual);
    }
    const maxPos = (this.maxPosition.get() as { p: bigint | null }).p;
    let position = maxPos ?? this.firstPosition - 1n;
    let revision = head ?? -1n;
    if (events.length === 0) return { nextRevision: revision, position };
    const time = Date.now();
    for (const e of events) {
      position += 1n;
      revision += 1n;
      this.insert.run(
        position,
        e.id ?? randomUUID(),
        streamId,
        revision,
        e.type,
        JSON.stringify(e.data) ?? 'null',
        JSON.stringify(e.metadata ?? {}),
        time,
      );
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
    events: readonly NewEvent[],
    fromRevision: bigint,
    expectedRevision: AppendOptions['expectedRevision'] & {},
  ): AppendResult {
    const stored = this.streamRange.all(streamId, fromRevision, events.length) as Array<{
      event_id: string;
      revision: bigint;
      position: bigint;
    }>;
    const same = stored.length === events.length && stored.every((r, i) => r.event_id === events[i].id);
    if (!same) {
      const head = (this.streamHead.get(streamId) as { r: bigint | null }).r;
      throw new WrongExpectedVersionError(streamId, expectedRevision, head ?? 'no_stream');
    }
    const last = stored[stored.length - 1];
    return { nextRevision: last.revision, position: last.position };
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    const head = (this.streamHead.get(streamId) as { r: bigint | null }).r;
    if (head === null) throw new StreamNotFound(streamId);
    let next = options.fromRevision ?? (backwards ? head : 0n);
    while (remaining > 0 && !this.closed) {
      const limit = Math.min(this.pageSize, remaining);
      const stmt = backwards ? this.streamBackwards : this.streamForwards;
      const rows = stmt.all(streamId, next, limit) as unknown as Row[];
      for (const row of rows) yield toRecorded(row);
      if (rows.length < limit) return;
      remaining -= rows.length;
      const lastRevision = rows[rows.length - 1][3];
      next = backwards ? lastRevision - 1n : lastRevision + 1n;
      if (next < 0n) return;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    // Positions are positive, so 0n / "after the largest int64" stand for the start / the end.
    let from = options.fromPosition ?? (backwards ? 2n ** 63n - 1n : 0n);
    while (remaining > 0 && !this.closed) {
      const limit = Math.min(this.pageSize, remaining);
      const rows = this.page(from, limit, backwards);
      for (const row of rows) yield toRecorded(row);
      if (rows.length < limit) return;
      remaining -= rows.length;
      from = rows[rows.length - 1][0];
    }
  }

  /** One page of `$all` as raw rows (used by readAll and by benchmarks measuring the adapter's own cost). */
  page(after: bigint, limit: number, backwards = false): Row[] {
    return (backwards ? this.readBackwards : this.readForwards).all(after, limit) as unknown as Row[];
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    this.assertOpen();
    const sub = new SqliteSubscription(this, options.fromPosition ?? 0n, options.filter, this.pollIntervalMs);
    this.subscriptions.add(sub);
    return sub;
  }

  /** @internal A page of events after `after` matching `filter`, in position order. */
  filteredPage(after: bigint, filter: SubscriptionFilter | undefined): Row[] {
    if (this.closed) return [];
    if (!filter || (!filter.streamPrefixes && !filter.eventTypes)) return this.page(after, this.pageSize);
    const where: string[] = ['position > ?'];
    const params: SQLInputValue[] = [after];
    if (filter.streamPrefixes) {
      // substr() keeps the match case-sensitive (LIKE is not) and free of wildcard escaping.
      where.push(`(${filter.streamPrefixes.map(() => 'substr(stream_id, 1, length(?)) = ?').join(' OR ') || '0'})`);
      for (const p of filter.streamPrefixes) params.push(p, p);
    }
    if (filter.eventTypes) {
      where.push(`type IN (${filter.eventTypes.map(() => '?').join(', ') || 'NULL'})`);
      params.push(...filter.eventTypes);
    }
    const sql = `SELECT ${COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY position LIMIT ${this.pageSize}`;
    let stmt = this.filteredStatements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      stmt.setReadBigInts(true);
      stmt.setReturnArrays(true);
      this.filteredStatements.set(sql, stmt);
    }
    return stmt.all(...params) as unknown as Row[];
  }

  /** @internal Calls `waker` once after the next commit through this instance; returns a cancel function. */
  onNextCommit(waker: () => void): () => void {
    this.wakers.add(waker);
    return () => this.wakers.delete(waker);
  }

  /** @internal */
  forget(sub: SqliteSubscription): void {
    this.subscriptions.delete(sub);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const w of wakers) w();
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return (this.maxPosition.get() as { p: bigint | null }).p ?? 0n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush(); // appends already accepted are committed, not dropped
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.closed = true;
    this.wake();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('Event store is closed');
  }
}

function toRecorded(row: Row): RecordedEvent {
  return {
    position: row[0],
    id: row[1],
    streamId: row[2],
    revision: row[3],
    type: row[4],
    data: JSON.parse(row[5]),
    metadata: JSON.parse(row[6]) as EventMetadata,
    time: new Date(Number(row[7])),
  };
}

class SqliteSubscription implements Subscription {
  private closed = false;
  private iterating = false;
  private readonly closedSignal: Promise<void>;
  private signalClosed!: () => void;

  constructor(
    private readonly store: SqliteEventStore,
    private position: bigint,
    private readonly filter: SubscriptionFilter | undefined,
    private readonly pollIntervalMs: number,
  ) {
    this.closedSignal = new Promise((resolve) => {
      this.signalClosed = resolve;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.iterating) throw new Error('A subscription can be iterated once');
    this.iterating = true;
    return this.run();
  }

  private async *run(): AsyncGenerator<RecordedEvent> {
    try {
      while (!this.closed && !this.store.isClosed) {
        const rows = this.store.filteredPage(this.position, this.filter);
        if (rows.length > 0) {
          for (const row of rows) {
            if (this.closed) return;
            const event = toRecorded(row);
            this.position = event.position;
            yield event;
          }
          continue;
        }
        // Caught up. node:sqlite is synchronous and appends notify synchronously after COMMIT, so registering the
        // waker right after an empty read (no await in between) cannot miss a commit: catch-up hands over to live
        // without a gap.
        let timer: NodeJS.Timeout | undefined;
        let cancel: (() => void) | undefined;
        const woken = new Promise<void>((resolve) => {
          cancel = this.store.onNextCommit(resolve);
          timer = setTimeout(resolve, this.pollIntervalMs);
        });
        await Promise.race([woken, this.closedSignal]);
        clearTimeout(timer);
        cancel?.();
      }
    } finally {
      this.closed = true;
      this.store.forget(this);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signalClosed();
    this.store.forget(this);
  }
}
