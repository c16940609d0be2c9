import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { EventStore, RecordedEvent, Subscription } from '../event-store/event-store';
import { forgetStatements, type Projection } from './projection';
import type { ProjectionHost } from './projection-host';

export interface ProjectionRunnerOptions {
  /** Events per transaction (default 1000). */
  batchSize?: number;
  /** Health counts events behind the head up to this many (default 10,000), then reports `lagCapped`. */
  lagCap?: number;
  /** Delay before a failed projection is retried from its checkpoint (default 1 s, doubling up to 30 s). */
  retryDelayMs?: number;
  log?: (message: string) => void;
  /** Called (synchronously) whenever a projection's status or error changes (see `statuses`). */
  onStatusChange?: () => void;
}

export type ProjectionStatus = 'idle' | 'catching-up' | 'live' | 'rebuilding' | 'failed' | 'stopped';

export interface ProjectionHealth {
  name: string;
  version: number;
  status: ProjectionStatus;
  /** Checkpoint: position of the last event applied (or skipped), "0" before the first; decimal string (bigint). */
  position: string;
  head: string;
  /** Events between the checkpoint and the head (at most lagCap, see lagCapped). */
  lag: number;
  lagCapped: boolean;
  caughtUp: boolean;
  /** A rebuild was started and has not yet reached the head (it resumes after a restart). */
  rebuilding: boolean;
  error?: string;
}

export interface Checkpoint {
  version: number;
  /** undefined: nothing applied yet. */
  position: bigint | undefined;
  rebuilding: boolean;
}

interface Running {
  stop: () => Promise<void>;
}

/** A caught-up projection in the shared live loop; `leave` ends its turn there (with the error that ejected it). */
interface Member {
  p: Projection;
  leave: (err?: unknown) => void;
}

/** The one subscription that feeds every caught-up projection. */
interface Shared {
  subscription: Subscription;
  /** Position of the last event the loop has applied (or that it started after); -1n before the first. */
  position: bigint;
  closing: boolean;
  done: Promise<void>;
}

/**
 * Runs projections from the event store into the read-model database. Each projection has its own checkpoint; every
 * batch of events and the checkpoint after it are written in ONE transaction, so a crash (even SIGKILL) at any point
 * leaves the read model exactly at its checkpoint and the next run resumes there: no duplicate, no missing row.
 *
 * Per projection: catch up on its own by pages of `readAll` from the checkpoint (a lagging or rebuilding projection
 * holds no other back), then join the shared live loop: ONE `subscribeToAll` for all caught-up projections, whose
 * available events are applied in batches, each batch in ONE transaction that applies it to every member (filtered by
 * its `eventTypes`) and advances every member's checkpoint. Each member runs in a savepoint: one whose `apply` throws
 * is rolled back alone, leaves the loop, and retries from its checkpoint on its own (then joins again), while the
 * others commit. A projection whose version changed is rebuilt: its tables are dropped and re-created and it replays
 * from position 0.
 *
 * Not built on Nest's in-process EventBus: that bus forgets what it published, the event store does not.
 */
export class ProjectionRunner implements ProjectionHost {
  private readonly byName = new Map<string, Projection>();
  private readonly status = new Map<string, ProjectionStatus>();
  private readonly errors = new Map<string, string>();
  private readonly running = new Map<string, Running>();
  private readonly live = new Map<string, Member>();
  private shared: Shared | undefined;
  private readonly closingShared = new Set<Promise<void>>();
  private readonly batchSize: number;
  private readonly lagCap: number;
  private readonly retryDelayMs: number;
  private readonly log: (message: string) => void;
  private readonly onStatusChange: () => void;
  private started = false;
  private readonly getCheckpoint: StatementSync;
  private readonly putCheckpoint: StatementSync;

  constructor(
    private readonly store: EventStore,
    readonly db: DatabaseSync,
    projections: readonly Projection[],
    options: ProjectionRunnerOptions = {},
  ) {
    for (const p of projections) {
      if (this.byName.has(p.name)) throw new Error(`Duplicate projection name "${p.name}"`);
      this.byName.set(p.name, p);
      this.status.set(p.name, 'idle');
    }
    this.batchSize = options.batchSize ?? 1000;
    this.lagCap = options.lagCap ?? 10_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.log = options.log ?? (() => undefined);
    this.onStatusChange = options.onStatusChange ?? (() => undefined);
    db.exec(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
      name TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      position INTEGER,
      rebuilding INTEGER NOT NULL DEFAULT 0,
      updated_at INTEGER NOT NULL
    )`);
    this.getCheckpoint = db.prepare('SELECT version, position, rebuilding FROM projection_checkpoints WHERE name = ?');
    this.getCheckpoint.setReadBigInts(true);
    this.putCheckpoint = db.prepare(
      `INSERT INTO projection_checkpoints (name, version, position, rebuilding, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position,
         rebuilding = excluded.rebuilding, updated_at = excluded.updated_at`,
    );
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  /** Prepares every projection (rebuilding those whose version changed) and follows the store in the background. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const p of this.byName.values()) {
      this.prepare(p);
      this.follow(p);
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    const running = [...this.running.values()];
    this.running.clear();
    await Promise.all(running.map((r) => r.stop()));
    if (this.shared) this.closeShared(this.shared);
    await Promise.all([...this.closingShared]);
    for (const name of this.byName.keys()) this.setStatus(name, 'stopped');
  }

  /**
   * Applies everything up to the current head, then returns (no live following). Used by the rebuild CLI and tests.
   * A projection in the middle of a rebuild (e.g. after a crash) continues from its checkpoint.
   */
  async catchUp(name?: string): Promise<{ name: string; from: bigint | undefined; to: bigint | undefined }[]> {
    const out = [];
    for (const p of this.select(name)) {
      this.prepare(p);
      const from = this.checkpoint(p.name).position;
      this.setStatus(p.name, this.checkpoint(p.name).rebuilding ? 'rebuilding' : 'catching-up');
      const to = await this.catchUpPages(p, () => false);
      this.setStatus(p.name, 'idle');
      out.push({ name: p.name, from, to });
    }
    return out;
  }

  /**
   * Wipes the projection's tables and replays it from position 0 (up to the head before returning). If the runner
   * is started, the projection then follows the store again.
   */
  async rebuild(name: string | 'all'): Promise<void> {
    for (const p of this.select(name === 'all' ? undefined : name)) {
      const running = this.running.get(p.name);
      this.running.delete(p.name);
      await running?.stop();
      this.wipe(p);
      this.log(`projection ${p.name}: rebuilding from position 0`);
      await this.catchUp(p.name);
      if (this.started) this.follow(p);
    }
  }

  async health(): Promise<ProjectionHealth[]> {
    return projectionHealth(this.store, this.statuses(), (name) => this.checkpoint(name), this.lagCap);
  }

  /** Each projection's version, status and last error (health without the positions). */
  statuses(): ProjectionState[] {
    return [...this.byName.values()].map((p) => {
      const error = this.errors.get(p.name);
      return {
        name: p.name,
        version: p.version,
        status: this.status.get(p.name) ?? 'idle',
        ...(error ? { error } : {}),
      };
    });
  }

  private setStatus(name: string, status: ProjectionStatus): void {
    this.status.set(name, status);
    this.onStatusChange();
  }

  /** Resolves when every projection's checkpoint has reached `position` (read-your-writes for queries and tests). */
  async waitFor(position: bigint, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = [...this.byName.keys()].filter((n) => (this.checkpoint(n).position ?? -1n) < position);
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`projections ${behind.join(', ')} did not reach ${position}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  checkpoint(name: string): Checkpoint {
    const row = this.getCheckpoint.get(name) as { version: bigint; position: bigint | null; rebuilding: bigint };
    if (!row) return { version: 0, position: undefined, rebuilding: false };
    return { version: Number(row.version), position: row.position ?? undefined, rebuilding: row.rebuilding !== 0n };
  }

  private select(name?: string): Projection[] {
    if (name === undefined) return [...this.byName.values()];
    const p = this.byName.get(name);
    if (!p) throw new Error(`Unknown projection "${name}" (known: ${this.names.join(', ')})`);
    return [p];
  }

  /** Creates tables and the checkpoint row; a projection whose version changed is wiped for a rebuild. */
  private prepare(p: Projection): void {
    const row = this.getCheckpoint.get(p.name);
    if (row && this.checkpoint(p.name).version !== p.version) {
      this.log(`projection ${p.name}: version ${this.checkpoint(p.name).version} → ${p.version}, rebuilding`);
      this.wipe(p);
      return;
    }
    this.transaction(() => {
      p.init(this.db);
      if (!row) this.putCheckpoint.run(p.name, p.version, null, 0, Date.now());
      if (!this.checkpoint(p.name).rebuilding) this.createIndexes(p);
    });
  }

  private wipe(p: Projection): void {
    this.transaction(() => {
      for (const table of p.tables) this.db.exec(`DROP TABLE IF EXISTS "${table.replaceAll('"', '""')}"`);
      forgetStatements(this.db);
      p.init(this.db);
      this.putCheckpoint.run(p.name, p.version, null, 1, Date.now());
    });
  }

  /** Reads pages of `$all` after the checkpoint until a short page; returns the last position. */
  private async catchUpPages(p: Projection, stopped: () => boolean): Promise<bigint | undefined> {
    let position = this.checkpoint(p.name).position;
    // Rebuilding: checkpoint the WAL every ~100 MB rather than every 4 MB (each checkpoint is two fsyncs; a 1M-event
    // rebuild spent over a third of its time in them). Durability per commit is unchanged (synchronous=NORMAL).
    if (this.checkpoint(p.name).rebuilding) this.db.exec(`PRAGMA wal_autocheckpoint = ${REBUILD_WAL_PAGES}`);
    for (;;) {
      const batch: RecordedEvent[] = [];
      for await (const e of this.store.readAll({ fromPosition: position, maxCount: this.batchSize })) batch.push(e);
      if (stopped()) return position;
      if (batch.length > 0) {
        this.applyBatch(p, batch);
        position = batch[batch.length - 1].position;
      }
      if (batch.length < this.batchSize) {
        this.finishRebuild(p);
        return position;
      }
      // Between pages, let the event loop run: reading node:sqlite pages through async iterators only ever queues
      // microtasks, so without this a long catch-up or rebuild held the loop until it reached the head (the projection
      // thread never read its stop message and was terminated after stopTimeoutMs; in-process, requests waited).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (stopped()) return position;
    }
  }

  private createIndexes(p: Projection): void {
    for (const sql of p.indexes ?? []) this.db.exec(sql);
  }

  private finishRebuild(p: Projection): void {
    const cp = this.checkpoint(p.name);
    if (!cp.rebuilding) return;
    this.transaction(() => {
      this.createIndexes(p);
      this.putCheckpoint.run(p.name, p.version, cp.position ?? null, 0, Date.now());
    });
    // Back to SQLite's default once no projection is rebuilding (they share the database and its WAL); the next
    // commit then checkpoints what the rebuilds left in the WAL.
    if (!this.names.some((name) => this.checkpoint(name).rebuilding)) this.db.exec('PRAGMA wal_autocheckpoint = 1000');
    this.log(`projection ${p.name}: rebuild complete at ${cp.position ?? 0n}`);
  }

  /** The batch's writes and the checkpoint, in one transaction. */
  applyBatch(p: Projection, batch: readonly RecordedEvent[]): void {
    if (batch.length === 0) return;
    const cp = this.checkpoint(p.name);
    try {
      this.transaction(() => {
        for (const e of batch) {
          if (cp.position !== undefined && e.position <= cp.position) continue; // already applied
          if (!p.eventTypes || p.eventTypes.includes(e.type)) p.apply(this.db, e);
        }
        const last = batch[batch.length - 1].position;
        if (cp.position === undefined || last > cp.position) {
          this.putCheckpoint.run(p.name, p.version, last, cp.rebuilding ? 1 : 0, Date.now());
        }
      });
    } catch (err) {
      p.rolledBack?.(this.db); // its caches may hold what the rolled-back batch wrote
      throw err;
    }
  }

  private transaction(work: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Background loop: catch up on its own, then join the shared live loop; on failure, wait and start again. */
  private follow(p: Projection): void {
    let stopped = false;
    let wake: (() => void) | undefined;
    const loop = (async () => {
      let delay = this.retryDelayMs;
      while (!stopped) {
        try {
          this.setStatus(p.name, this.checkpoint(p.name).rebuilding ? 'rebuilding' : 'catching-up');
          await this.catchUpPages(p, () => stopped);
          if (stopped) break;
          let joined = false;
          const left = new Promise<void>((resolve, reject) => {
            joined = this.join(p, (err) => (err === undefined ? resolve() : reject(err)));
          });
          if (!joined) continue; // the live loop is already past our checkpoint: read on, on our own
          this.errors.delete(p.name);
          this.setStatus(p.name, 'live');
          delay = this.retryDelayMs;
          await left;
          if (!stopped) throw new Error('subscription ended');
        } catch (err) {
          if (stopped) break;
          const message = err instanceof Error ? err.message : String(err);
          this.errors.set(p.name, message);
          this.setStatus(p.name, 'failed');
          this.log(`projection ${p.name} failed: ${message}; retrying in ${delay} ms`);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delay);
            wake = () => {
              clearTimeout(timer); // stop() must not leave the retry timer holding the process open
              resolve();
            };
          });
          delay = Math.min(delay * 2, 30_000);
        }
      }
    })();
    this.running.set(p.name, {
      stop: async () => {
        stopped = true;
        wake?.();
        this.leave(p.name);
        await loop;
        this.setStatus(p.name, 'stopped');
      },
    });
  }

  /**
   * Adds a caught-up projection to the shared live loop (starting the loop from its checkpoint if there is none).
   * Refused (false) when the loop has already applied events past the projection's checkpoint: the projection reads
   * them on its own first. Events the loop delivers at or before a member's checkpoint are skipped for it.
   */
  private join(p: Projection, leave: (err?: unknown) => void): boolean {
    const position = this.checkpoint(p.name).position ?? -1n;
    if (this.shared && this.shared.position > position) return false;
    this.live.set(p.name, { p, leave });
    if (!this.shared) this.shared = this.startShared(position);
    return true;
  }

  /** Takes a projection out of the live loop (no-op if not in it); the loop closes when its last member leaves. */
  private leave(name: string, err?: unknown): void {
    const member = this.live.get(name);
    if (!member) return;
    this.live.delete(name);
    if (this.live.size === 0 && this.shared) this.closeShared(this.shared);
    member.leave(err);
  }

  private startShared(from: bigint): Shared {
    const subscription = this.store.subscribeToAll({ fromPosition: from < 0n ? undefined : from });
    const shared: Shared = { subscription, position: from, closing: false, done: Promise.resolve() };
    shared.done = (async () => {
      let error: unknown = new Error('subscription ended');
      try {
        for await (const batch of batches(subscription, this.batchSize)) {
          if (shared.closing) return;
          this.applyLive(batch);
          shared.position = batch[batch.length - 1].position;
        }
      } catch (err) {
        error = err;
      }
      if (shared.closing) return;
      // The subscription ended or failed: every member goes back to catching up on its own.
      if (this.shared === shared) this.shared = undefined;
      for (const name of [...this.live.keys()]) this.leave(name, error);
    })();
    return shared;
  }

  private closeShared(shared: Shared): void {
    shared.closing = true;
    if (this.shared === shared) this.shared = undefined;
    const closed = (async () => {
      await shared.subscription.close();
      await shared.done;
    })().catch((err: unknown) => this.log(`projections: closing the live subscription failed: ${String(err)}`));
    this.closingShared.add(closed);
    void closed.finally(() => this.closingShared.delete(closed));
  }

  /**
   * One transaction for a live batch: each member, in its own savepoint, applies the events after its checkpoint (of
   * its event types) and advances its checkpoint to the end of the batch. A member whose apply throws is rolled back
   * to its savepoint and leaves the loop (to retry from its checkpoint on its own); if the commit itself fails, all do.
   */
  private applyLive(batch: readonly RecordedEvent[]): void {
    const members = [...this.live.values()];
    if (members.length === 0 || batch.length === 0) return;
    const last = batch[batch.length - 1].position;
    const failed = new Map<Member, unknown>();
    const now = Date.now();
    try {
      this.transaction(() => {
        for (const m of members) {
          const cp = this.checkpoint(m.p.name);
          const from = cp.position ?? -1n;
          if (last <= from) continue;
          const types = m.p.eventTypes;
          this.db.exec('SAVEPOINT live_projection');
          try {
            for (const e of batch) {
              if (e.position <= from) continue; // already applied
              if (!types || types.includes(e.type)) m.p.apply(this.db, e);
            }
            this.putCheckpoint.run(m.p.name, m.p.version, last, cp.rebuilding ? 1 : 0, now);
            this.db.exec('RELEASE live_projection');
          } catch (err) {
            failed.set(m, err);
            this.db.exec('ROLLBACK TO live_projection');
            this.db.exec('RELEASE live_projection');
          }
        }
      });
    } catch (err) {
      for (const m of members) if (!failed.has(m)) failed.set(m, err);
    }
    for (const [m, err] of failed) {
      m.p.rolledBack?.(this.db); // its caches may hold what the rolled-back savepoint wrote
      this.leave(m.p.name, err);
    }
  }
}

/** A projection's version, status and last error, as health reports them. */
export type ProjectionState = Pick<ProjectionHealth, 'name' | 'version' | 'status' | 'error'>;

/**
 * Health of projections from their states and checkpoints: lag is counted by reading `$all` from each checkpoint (up
 * to `lagCap` events). Shared by the runner and the projection thread's host (which reads the checkpoints itself).
 */
export async function projectionHealth(
  store: EventStore,
  states: readonly ProjectionState[],
  checkpoint: (name: string) => Checkpoint,
  lagCap: number,
): Promise<ProjectionHealth[]> {
  const head = await store.headPosition();
  const out: ProjectionHealth[] = [];
  // Lag depends on the checkpoint only, and the projections in the shared live loop share theirs: count once per
  // position. Each count reads (and parses) up to lagCap events on the caller's thread, behind public routes.
  const lags = new Map<bigint, number>();
  for (const { name, version, status, error } of states) {
    const cp = checkpoint(name);
    const position = cp.position ?? 0n;
    let lag = lags.get(position) ?? 0;
    if (head > position && !lags.has(position)) {
      for await (const _ of store.readAll({ fromPosition: cp.position, maxCount: lagCap })) lag += 1;
      lags.set(position, lag);
    }
    out.push({
      name,
      version,
      status,
      position: position.toString(),
      head: head.toString(),
      lag,
      lagCapped: lag >= lagCap,
      caughtUp: lag === 0,
      rebuilding: cp.rebuilding,
      ...(error ? { error } : {}),
    });
  }
  return out;
}

/** WAL pages (4 KiB) between automatic checkpoints while a projection rebuilds (SQLite's default: 1000). */
const REBUILD_WAL_PAGES = 25_000;

const IDLE = Symbol('idle');

/**
 * Groups what a subscription has ready into batches of up to `max`: after each event, if the next one is not
 * available by the next turn of the event loop, the batch is flushed. So a burst becomes few transactions and a
 * single live event is applied at once.
 */
export async function* batches<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  for (;;) {
    const first = await pending;
    if (first.done) return;
    const batch = [first.value];
    pending = iterator.next();
    while (batch.length < max) {
      const next = await Promise.race([pending, new Promise<typeof IDLE>((r) => setImmediate(r, IDLE))]);
      if (next === IDLE) break;
      if (next.done) {
        yield batch;
        return;
      }
      batch.push(next.value);
      pending = iterator.next();
    }
    yield batch;
  }
}
