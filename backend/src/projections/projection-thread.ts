import { extname, join } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { EventStore } from '../event-store/event-store';
import { SqliteEventStore } from '../event-store/sqlite-event-store';
import { openReadModelDb } from './projection';
import type { ProjectionHost } from './projection-host';
import { type Checkpoint, type ProjectionHealth, type ProjectionState, projectionHealth } from './projection-runner';
import { DEFAULT_PROJECTIONS, readModelFile } from './read-models';

/** What the projection thread is started with (workerData). */
export interface ProjectionThreadData {
  dataDir: string;
  connectionString?: string;
  /**
   * How often the embedded store's follower also looks for commits it was not told about (default 1000 ms; commits
   * of this process are notified). Tests set it high to show that the notices alone keep the thread live.
   */
  followerPollMs?: number;
}

/** Main thread → projection thread. */
export type ToProjectionThread = { type: 'committed'; position: bigint } | { type: 'stop' };

/** Projection thread → main thread. */
export type FromProjectionThread =
  | { type: 'started'; states: ProjectionState[] }
  | { type: 'status'; states: ProjectionState[] }
  | { type: 'log'; message: string };

export interface ProjectionThreadOptions extends ProjectionThreadData {
  /**
   * This process's event store: health reads the head and the lag from it, and the embedded store tells the thread
   * of each commit (the thread follows `events.sqlite` read-only and is woken by these notices, not by polling).
   */
  store: EventStore;
  log?: (message: string) => void;
  /** See ProjectionRunnerOptions.lagCap (default 10,000). */
  lagCap?: number;
  /** First delay before a projection thread that died is started again (default 1 s, doubling up to 30 s). */
  restartDelayMs?: number;
  /** How long stop() waits for the thread to close its connections before terminating it (default 5 s). */
  stopTimeoutMs?: number;
  /** Delay of the commit notices to the thread (default 10 ms; see noticeCommit). */
  noticeDelayMs?: number;
}

/**
 * The product's read models (DEFAULT_PROJECTIONS) projected on a worker thread. Applying events to the read models
 * is background work that took about a fifth of the main thread's time under load, competing with request handling
 * on the main event loop while the machine's other core had room. The thread runs the same ProjectionRunner over its
 * own read-model connection and its own event-store instance (a read-only follower of the embedded store, woken after
 * each commit of this process; or its own EventStoreDB client). The main thread only queries: `db` is a query-only
 * connection to the same WAL database, so the thread's commits (each batch with its checkpoint) are visible to it;
 * checkpoints are read from that database. A thread that dies is reported as failed and started again with backoff.
 */
export class ProjectionThread implements ProjectionHost {
  readonly db: DatabaseSync;
  readonly names = DEFAULT_PROJECTIONS.map((p) => p.name);
  private states: ProjectionState[] = DEFAULT_PROJECTIONS.map((p) => ({
    name: p.name,
    version: p.version,
    status: 'idle',
  }));
  private worker: Worker | undefined;
  private starting: Promise<void> | undefined;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelay: number;
  private getCheckpoint: StatementSync | undefined;
  private readonly unhook: () => void;
  private readonly log: (message: string) => void;

  constructor(private readonly options: ProjectionThreadOptions) {
    this.db = openReadModelDb(readModelFile(options.dataDir));
    this.db.exec('PRAGMA query_only = ON'); // the thread writes the read models, this connection never does
    this.log = options.log ?? (() => undefined);
    this.restartDelay = options.restartDelayMs ?? 1000;
    const store = options.store;
    this.unhook =
      store instanceof SqliteEventStore && !options.connectionString
        ? store.onCommit((position) => this.noticeCommit(position))
        : () => undefined;
  }

  private latestCommit: bigint | undefined;
  private noticeTimer: NodeJS.Timeout | undefined;

  /**
   * Tells the thread of commits, at most one notice per `noticeDelayMs`, sent that long after the first commit it
   * covers. The delay is the point: an unlock appends its intent, writes to the directory and appends its outcome
   * within a few milliseconds, and projecting the intent at once competed with the rest of that unlock for the
   * machine's cores (the writer thread, the directory); under load one notice then covers many commits, so the
   * thread applies bigger batches and the main thread posts fewer messages. Read models lag by that much more.
   */
  private noticeCommit(position: bigint): void {
    this.latestCommit = position;
    if (this.noticeTimer) return;
    this.noticeTimer = setTimeout(() => {
      this.noticeTimer = undefined;
      const latest = this.latestCommit;
      if (latest !== undefined) this.worker?.postMessage({ type: 'committed', position: latest } as ToProjectionThread);
    }, this.options.noticeDelayMs ?? 10);
    this.noticeTimer.unref();
  }

  /** Starts the thread; resolves once it has prepared every projection (their tables exist). Idempotent. */
  start(): Promise<void> {
    this.starting ??= this.spawn(true);
    return this.starting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unhook();
    clearTimeout(this.noticeTimer);
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage({ type: 'stop' } as ToProjectionThread);
      // The runner stops between batches; a thread busy in a long catch-up may not read the message soon. Ending it
      // mid-batch is safe: each batch commits with its checkpoint or not at all.
      const timer = setTimeout(() => void worker.terminate(), this.options.stopTimeoutMs ?? 5000);
      await exited;
      clearTimeout(timer);
    }
    this.states = this.states.map((s) => ({ name: s.name, version: s.version, status: 'stopped' }));
  }

  health(): Promise<ProjectionHealth[]> {
    return projectionHealth(
      this.options.store,
      this.states,
      (name) => this.checkpoint(name),
      this.options.lagCap ?? 10_000,
    );
  }

  async waitFor(position: bigint, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = this.names.filter((n) => (this.checkpoint(n).position ?? -1n) < position);
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`projections ${behind.join(', ')} did not reach ${position}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  checkpoint(name: string): Checkpoint {
    const row = this.checkpointStatement()?.get(name) as
      | { version: bigint; position: bigint | null; rebuilding: bigint }
      | undefined;
    if (!row) return { version: 0, position: undefined, rebuilding: false };
    return { version: Number(row.version), position: row.position ?? undefined, rebuilding: row.rebuilding !== 0n };
  }

  /** undefined until the thread has created the checkpoint table. */
  private checkpointStatement(): StatementSync | undefined {
    if (!this.getCheckpoint) {
      try {
        this.getCheckpoint = this.db.prepare(
          'SELECT version, position, rebuilding FROM projection_checkpoints WHERE name = ?',
        );
      } catch {
        return undefined;
      }
      this.getCheckpoint.setReadBigInts(true);
    }
    return this.getCheckpoint;
  }

  /**
   * Starts a thread; resolves when it has prepared the projections, rejects if it dies before. One that dies later
   * (or a restarted one that dies at any time) is started again; the first failing to start fails start().
   */
  private spawn(first: boolean): Promise<void> {
    const ext = extname(__filename);
    const worker = new Worker(join(__dirname, `projection-worker${ext}`), {
      workerData: {
        dataDir: this.options.dataDir,
        connectionString: this.options.connectionString,
        followerPollMs: this.options.followerPollMs,
      } satisfies ProjectionThreadData,
      // From the .ts source (tests, benchmarks) the thread compiles what it imports as the main thread does.
      ...(ext === '.ts' ? { execArgv: ['-r', require.resolve('@swc-node/register')] } : {}),
    });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let failure: unknown;
      worker.on('message', (m: FromProjectionThread) => {
        if (m.type === 'log') this.log(m.message);
        else if (m.type === 'status') this.states = m.states;
        else if (m.type === 'started') {
          ready = true;
          this.states = m.states;
          this.restartDelay = this.options.restartDelayMs ?? 1000;
          resolve();
        }
      });
      worker.on('error', (err) => {
        failure = err;
      });
      worker.on('exit', (code) => {
        const reason = failure instanceof Error ? failure.message : `projection thread exited (code ${code})`;
        if (!ready) reject(failure instanceof Error ? failure : new Error(reason));
        if (this.worker !== worker) return; // stopped
        this.worker = undefined;
        this.states = this.states.map((s) => ({ name: s.name, version: s.version, status: 'failed', error: reason }));
        if (this.stopped || (first && !ready)) return;
        const delay = this.restartDelay;
        this.restartDelay = Math.min(delay * 2, 30_000);
        this.log(`projection thread failed: ${reason}; restarting in ${delay} ms`);
        this.restartTimer = setTimeout(() => {
          if (!this.stopped) this.spawn(false).catch(() => undefined); // a failed restart schedules the next one
        }, delay);
      });
    });
  }
}
