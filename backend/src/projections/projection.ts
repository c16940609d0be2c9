import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { RecordedEvent } from '../event-store/event-store';

/**
 * A read model: SQL upserts per event into tables of the read-model database. The runner calls `apply` for each event
 * (of `eventTypes`, when given) inside the transaction that also stores the projection's checkpoint, so a batch and
 * its checkpoint are written together or not at all. `apply` must be idempotent (upsert by position or key): a
 * rebuild replays everything.
 */
export interface Projection {
  name: string;
  /** Bump it when the tables or the mapping change: the runner then rebuilds the read model from position 0. */
  version: number;
  /** Only these event types reach `apply` (the checkpoint still advances over the others). */
  eventTypes?: readonly string[];
  /** Tables owned by this projection: dropped on rebuild, then re-created by `init`. */
  tables: readonly string[];
  /** Creates the tables (IF NOT EXISTS). */
  init(db: DatabaseSync): void;
  /**
   * `CREATE INDEX IF NOT EXISTS …` statements. The runner creates them after a rebuild has reached the head (building
   * an index once, sorted, is several times faster than maintaining it through a million random inserts), and at
   * start-up otherwise.
   */
  indexes?: readonly string[];
  apply(db: DatabaseSync, event: RecordedEvent): void;
  /**
   * Called when the transaction of a batch was rolled back, before the runner retries from the checkpoint: drop any
   * in-memory state (caches) that `apply` derived from the rolled-back events.
   */
  rolledBack?(db: DatabaseSync): void;
}

/**
 * Opens (creating) the read-model database: WAL, synchronous=NORMAL. NORMAL is enough here: a batch and its checkpoint
 * commit atomically, a process crash loses nothing committed, and after a power loss the read model can lag the event
 * store by the last commits, which the runner replays from the checkpoint.
 */
export function openReadModelDb(file: string): DatabaseSync {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -32768;',
  );
  return db;
}

const statements = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/** A prepared statement cached per database (projections run one SQL statement per event). */
export function statement(db: DatabaseSync, sql: string): StatementSync {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    stmt.setReadBigInts(true);
    cache.set(sql, stmt);
  }
  return stmt;
}

/** Drops cached statements of a database (after tables were dropped and re-created). */
export function forgetStatements(db: DatabaseSync): void {
  statements.delete(db);
}
