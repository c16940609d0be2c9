import { mkdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import {
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  StreamNotFound,
  type SubscribeToAllOptions,
  type Subscription,
  type SubscriptionFilter,
  WrongExpectedVersionError,
} from './event-store';
import {
  AppendConflict,
  SqliteAppender,
  type WireAppend,
  type WireOutcome,
  type WireReply,
  WRITER_ROLE,
} from './sqlite-append';

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
  /**
   * Commit appends on a writer thread (default: true for a file with synchronous=FULL). Each group commit then
   * waits for its fsync there instead of blocking the main thread's event loop; readers on the main thread see a
   * commit only once it is durable (SQLite publishes a WAL commit after syncing it), and an append still resolves
   * only when its commit is durable. ':memory:' and the other fsync policies always commit in-thread.
   */
  writerThread?: boolean;
  /**
   * A read-only follower of a store that another thread of this process writes (the projection thread): opens the
   * file read-only (it must exist), creates nothing, refuses appends. Commits are not seen by its subscriptions until
   * the writer's side calls `headMoved()` (or the poll interval passes).
   */
  follower?: boolean;
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
  wire: WireAppend;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
};

/** Data and metadata serialised as stored (a value that cannot be serialised fails its own append only). */
function toWire(streamId: string, events: readonly NewEvent[], options: AppendOptions): WireAppend {
  return {
    streamId,
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      data: JSON.stringify(e.data) ?? 'null',
      metadata: JSON.stringify(e.metadata ?? {}),
    })),
    expectedRevision: options.expectedRevision ?? 'any',
  };
}

function settle(a: PendingAppend, o: WireOutcome): void {
  if (o.ok) a.resolve({ nextRevision: o.nextRevision, position: o.position });
  else if ('conflict' in o)
    a.reject(new WrongExpectedVersionError(o.conflict.streamId, o.conflict.expected, o.conflict.actual));
  else a.reject(Object.assign(new Error(o.error.message), { name: o.error.name }));
}

export class SqliteEventStore implements EventStore {
  private readonly db: DatabaseSync;
  private readonly pageSize: number;
  private readonly firstPosition: bigint;
  private readonly pollIntervalMs: number;
  private closed = false;
  /** close() has committed what was accepted: later appends are refused (no new writer thread is started). */
  private draining = false;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly wakers = new Set<() => void>();
  private readonly commitListeners = new Set<(position: bigint) => void>();
  private readonly follower: boolean;

  private readonly appender: SqliteAppender;
  /** The writer thread (see `writerThread`), started on the first append; undefined: commits run in-thread. */
  private readonly writerOptions: { file: string; synchronous: string; firstPosition: bigint } | undefined;
  private writer: Worker | undefined;
  /** The group commit on the writer thread, at most one at a time (appends arriving meanwhile form the next). */
  private inFlight: { seq: number; batch: PendingAppend[] } | undefined;
  private seq = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly streamHead: StatementSync;
  private readonly maxPosition: StatementSync;
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
    this.follower = options.follower ?? false;
    this.db = new DatabaseSync(options.file, { readOnly: this.follower });
    this.db.exec(
      this.follower
        ? 'PRAGMA busy_timeout = 5000;'
        : `
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
    `,
    );
    const prep = (sql: string): StatementSync => {
      const s = this.db.prepare(sql);
      s.setReadBigInts(true);
      return s;
    };
    this.appender = new SqliteAppender(this.db, this.firstPosition);
    this.streamHead = prep('SELECT max(revision) AS r FROM events WHERE stream_id = ?');
    this.maxPosition = prep('SELECT max(position) AS p FROM events');
    const synchronous = options.synchronous ?? 'FULL';
    this.writerOptions =
      (options.writerThread ?? true) && !this.follower && options.file !== ':memory:' && synchronous === 'FULL'
        ? { file: options.file, synchronous, firstPosition: this.firstPosition }
        : undefined;
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
   * Group commit: appends that arrive in the same turn of the event loop (or while the previous group commit is being
   * made on the writer thread) share one transaction and one fsync, each in its own savepoint, so each stays atomic
   * and is checked against the revisions left by the appends before it, in arrival order, exactly as if they had run
   * one by one (SqliteAppender). Under concurrent requests this turns N fsyncs into one.
   */
  append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.assertWritable();
      const wire = toWire(streamId, events, options);
      if (this.pending.push({ wire, resolve, reject }) === 1 && !this.inFlight) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    if (this.inFlight) return; // the writer's answer flushes what is pending
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) {
      this.notifyIdle();
      return;
    }
    if (this.closed || this.draining) {
      for (const a of batch) a.reject(new Error('event store is closed'));
      this.notifyIdle();
      return;
    }
    if (this.writerOptions) {
      const seq = ++this.seq;
      this.inFlight = { seq, batch };
      const writer = this.writerThread();
      writer.ref(); // a commit in flight keeps the process alive; an idle writer does not
      writer.postMessage({ seq, batch: batch.map((a) => a.wire) });
      return;
    }
    let outcomes: WireOutcome[];
    try {
      outcomes = this.appender.appendBatch(batch.map((a) => a.wire));
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of this batch is stored.
      for (const a of batch) a.reject(error);
      return;
    }
    this.settleBatch(batch, outcomes);
  }

  private settleBatch(batch: PendingAppend[], outcomes: WireOutcome[]): void {
    let last: bigint | undefined;
    for (const [i, o] of outcomes.entries()) {
      if (o.ok && (batch[i] as PendingAppend).wire.events.length > 0 && (last === undefined || o.position > last)) {
        last = o.position;
      }
    }
    if (last !== undefined) this.committed(last);
    for (const [i, o] of outcomes.entries()) settle(batch[i] as PendingAppend, o);
  }

  private writerThread(): Worker {
    if (this.writer) return this.writer;
    const ext = extname(__filename);
    const worker = new Worker(join(__dirname, `sqlite-append${ext}`), {
      workerData: { role: WRITER_ROLE, ...this.writerOptions },
      // From the .ts source (tests, benchmarks) Node strips the types and detects the module syntax: not a warning.
      ...(ext === '.ts' ? { execArgv: ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON'] } : {}),
    });
    worker.on('message', (reply: WireReply) => {
      const flight = this.inFlight;
      if (!flight || flight.seq !== reply.seq) return;
      this.inFlight = undefined;
      worker.unref();
      if (reply.outcomes) this.settleBatch(flight.batch, reply.outcomes);
      else {
        const error = Object.assign(new Error(reply.failed?.message ?? 'commit failed'), { name: reply.failed?.name });
        for (const a of flight.batch) a.reject(error);
      }
      this.flush();
    });
    const lost = (error: unknown) => {
      if (this.writer !== worker) return;
      this.writer = undefined;
      // Whether the group commit in flight was made is unknown: its appends fail (a retry with the same event ids
      // is idempotent), and the next group commit starts a new writer.
      const flight = this.inFlight;
      this.inFlight = undefined;
      for (const a of flight?.batch ?? []) a.reject(error);
      this.flush();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`event store writer thread exited (${code})`)));
    this.writer = worker;
    return worker;
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** The synchronous core of `append` (node:sqlite is synchronous); also used by benchmarks and seeding. */
  appendSync(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): AppendResult {
    this.assertWritable();
    let result: AppendResult;
    try {
      result = this.appender.appendOne(toWire(streamId, events, options));
    } catch (err) {
      if (err instanceof AppendConflict) throw new WrongExpectedVersionError(err.streamId, err.expected, err.actual);
      throw err;
    }
    if (events.length > 0) this.committed(result.position);
    return result;
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

  /**
   * Calls `listener` with the last position after each commit through this instance that stored events (once per
   * group commit); returns a function that removes it. Used to tell the projection thread that the head moved.
   */
  onCommit(listener: (position: bigint) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** A follower's live subscriptions read on: the writer's side committed events (see `follower`). */
  headMoved(): void {
    this.wake();
  }

  private committed(position: bigint): void {
    this.wake();
    for (const listener of this.commitListeners) {
      // A listener is told, never in charge: the appends of this commit are settled whatever it does.
      try {
        listener(position);
      } catch (err) {
        process.emitWarning(`event store commit listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
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
    // Appends already accepted are committed, not dropped.
    this.flush();
    while (this.inFlight || this.pending.length > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
    this.draining = true;
    if (this.writer) {
      const writer = this.writer;
      this.writer = undefined;
      const exited = new Promise((r) => writer.once('exit', r));
      writer.ref(); // keeps the process alive until the writer has closed its connection
      writer.postMessage({ close: true });
      await exited;
    }
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.closed = true;
    this.commitListeners.clear();
    this.wake();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('Event store is closed');
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.follower) throw new Error('This event store is a read-only follower');
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
