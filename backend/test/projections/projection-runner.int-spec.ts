import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { EsdbEventStore } from '../../src/event-store/esdb-event-store';
import type { EventStore, NewEvent } from '../../src/event-store/event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { auditProjection, queryAudit } from '../../src/projections/audit.projection';
import { historyFor, historyProjection } from '../../src/projections/history.projection';
import { openReadModelDb, type Projection, statement } from '../../src/projections/projection';
import { batches, ProjectionRunner } from '../../src/projections/projection-runner';
import { FakeEsdbServer } from '../event-store/fake-esdb/fake-esdb-server';

// The runner's behaviour over history and audit (the other read models have their own tests).
const RUNNER_PROJECTIONS: readonly Projection[] = [historyProjection, auditProjection];
const dir = mkdtempSync(join(tmpdir(), 'unlockdesk-proj-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(projections: readonly Projection[] = RUNNER_PROJECTIONS, store?: EventStore) {
  const k = n++;
  const events = store ?? new SqliteEventStore({ file: join(dir, `events-${k}.sqlite`) });
  const db = openReadModelDb(join(dir, `read-${k}.sqlite`));
  const runner = new ProjectionRunner(events, db, projections, { batchSize: 100, retryDelayMs: 20 });
  cleanups.push(async () => {
    await runner.stop();
    db.close();
    await events.close();
  });
  return { store: events, db, runner, file: join(dir, `read-${k}.sqlite`) };
}

const unlock = (user: string, i: number, extra: Record<string, unknown> = {}): NewEvent => ({
  type: i % 3 === 2 ? 'UnlockRefused' : 'AccountUnlocked',
  data: { subject: { storeId: 'corp', userId: user }, i, ...extra },
  metadata: { actor: `agent-${i % 2}`, client: 'admin', ip: '192.0.2.7' },
});

const count = (db: DatabaseSync, table: string) =>
  Number((db.prepare(`SELECT count(*) AS c FROM ${table}`).get() as { c: number }).c);

describe('ProjectionRunner', () => {
  it('catches up from the checkpoint, then follows live appends, batch and checkpoint together', async () => {
    const { store, db, runner } = setup();
    for (let i = 0; i < 250; i++) await store.append(`case-${i % 7}`, [unlock(`u${i % 5}`, i)]);
    await runner.start();
    await runner.waitFor(250n);
    expect(count(db, 'history')).toBe(250);
    expect(count(db, 'audit')).toBe(250);

    const live = await store.append('case-x', [unlock('u1', 1000), { type: 'SystemNote', data: {}, metadata: {} }]);
    await runner.waitFor(live.position);
    expect(count(db, 'audit')).toBe(252);
    expect(count(db, 'history')).toBe(251); // the note has neither subject nor actor
    expect(runner.checkpoint('history').position).toBe(252n);

    const health = await runner.health();
    expect(health).toEqual([
      expect.objectContaining({
        name: 'history',
        position: '252',
        head: '252',
        lag: 0,
        caughtUp: true,
        status: 'live',
      }),
      expect.objectContaining({ name: 'audit', position: '252', lag: 0, caughtUp: true, rebuilding: false }),
    ]);

    const rows = historyFor(db, { key: 'corp:u1', limit: 3 }).entries;
    expect(rows.map((r) => r.position)).toEqual(['251', '247', '242']); // event i is at position i + 1; u1 is i % 5 === 1
    expect(rows[0]).toMatchObject({
      type: 'AccountUnlocked',
      actor: { id: 'agent-0' },
      ip: '192.0.2.7',
      outcome: 'success',
    });
    const refused = queryAudit(db, { outcome: 'refused', actor: 'agent-1', limit: 1000 });
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.type === 'UnlockRefused' && r.actor?.id === 'agent-1')).toBe(true);
    expect(queryAudit(db, { type: 'SystemNote' })).toHaveLength(1);
  });

  it('reports lag while behind, then resumes from the stored checkpoint in a new runner', async () => {
    const { store, db, runner, file } = setup([historyProjection]);
    for (let i = 0; i < 30; i++) await store.append('s', [unlock('u', i)]);
    expect(await runner.health()).toEqual([
      expect.objectContaining({ name: 'history', position: '0', head: '30', lag: 30, caughtUp: false }),
    ]);
    await runner.catchUp();
    expect(runner.checkpoint('history').position).toBe(30n);
    for (let i = 30; i < 45; i++) await store.append('s', [unlock('u', i)]);
    const again = new ProjectionRunner(store, openReadModelDb(file), [historyProjection]);
    expect((await again.health())[0]).toMatchObject({ position: '30', lag: 15 });
    expect(await again.catchUp()).toEqual([{ name: 'history', from: 30n, to: 45n }]);
    again.db.close();
    expect(count(db, 'history')).toBe(45);
  });

  it('is idempotent: replaying an applied batch changes nothing', async () => {
    const { store, db, runner } = setup([historyProjection]);
    await store.append('s', [unlock('a', 0), unlock('b', 1)]);
    await runner.catchUp();
    const all = [];
    for await (const e of store.readAll()) all.push(e);
    runner.applyBatch(historyProjection, all);
    // Even bypassing the checkpoint, the upsert by position keeps one row per event.
    db.exec('BEGIN');
    for (const e of all) historyProjection.apply(db, e);
    db.exec('COMMIT');
    expect(count(db, 'history')).toBe(2);
  });

  it('rolls back a failing batch with its checkpoint, reports the failure, and recovers', async () => {
    let failAt = 5;
    const flaky: Projection = {
      name: 'flaky',
      version: 1,
      tables: ['flaky'],
      init: (db) => db.exec('CREATE TABLE IF NOT EXISTS flaky (position INTEGER PRIMARY KEY)'),
      apply: (db, e) => {
        if ((e.data as { i: number }).i === failAt) throw new Error('projection bug');
        statement(db, 'INSERT INTO flaky (position) VALUES (?)').run(e.position);
      },
    };
    const { store, db, runner } = setup([flaky]);
    await store.append(
      's',
      Array.from({ length: 10 }, (_, i) => unlock('u', i)),
    );
    await runner.start();
    for (let i = 0; i < 100 && (await runner.health())[0].status !== 'failed'; i++) await sleep(10);
    const failed = (await runner.health())[0];
    expect(failed).toMatchObject({ status: 'failed', error: 'projection bug', position: '0', lag: 10 });
    expect(count(db, 'flaky')).toBe(0); // the batch (events 0-9) was rolled back as a whole
    failAt = -1;
    await runner.waitFor(10n);
    expect(count(db, 'flaky')).toBe(10);
    expect((await runner.health())[0]).toMatchObject({ status: 'live', caughtUp: true });
    expect((await runner.health())[0].error).toBeUndefined();
  });

  it('applies only the projection event types, while the checkpoint passes over the others', async () => {
    const seen: string[] = [];
    const onlyRefusals: Projection = {
      name: 'refusals',
      version: 1,
      eventTypes: ['UnlockRefused'],
      tables: [],
      init: () => undefined,
      apply: (_db, e) => {
        seen.push(e.type);
      },
    };
    const { store, runner } = setup([onlyRefusals]);
    await store.append('s', [unlock('u', 0), unlock('u', 1), unlock('u', 2), unlock('u', 3)]);
    await runner.catchUp();
    expect(seen).toEqual(['UnlockRefused']);
    expect(runner.checkpoint('refusals').position).toBe(4n);
  });

  it('rebuilds on demand and when the projection version changes', async () => {
    const { store, db, runner, file } = setup([historyProjection]);
    await store.append('s', [unlock('a', 0), unlock('b', 1)]);
    await runner.start();
    await runner.waitFor(2n);
    db.exec("UPDATE history SET actor = 'tampered'");
    await runner.rebuild('history');
    expect(db.prepare("SELECT count(*) AS c FROM history WHERE actor = 'tampered'").get()).toEqual({ c: 0 });
    expect(count(db, 'history')).toBe(2);
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'history_people_index'")
      .all();
    expect(indexes.map((i) => i.name).sort()).toEqual(['history_people_key_position']);
    // Still following live events after the rebuild.
    const live = await store.append('s', [unlock('c', 2)]);
    await runner.waitFor(live.position);
    expect(count(db, 'history')).toBe(3);
    await runner.stop();

    db.exec("UPDATE history SET actor = 'old mapping'");
    const v2: Projection = { ...historyProjection, version: historyProjection.version + 1 };
    const next = new ProjectionRunner(store, openReadModelDb(file), [v2]);
    await next.catchUp();
    expect(next.db.prepare("SELECT count(*) AS c FROM history WHERE actor = 'old mapping'").get()).toEqual({ c: 0 });
    expect(count(next.db, 'history')).toBe(3);
    expect(next.checkpoint('history')).toEqual({ version: v2.version, position: 3n, rebuilding: false });
    next.db.close();
  });

  it('keeps the rebuild WAL checkpoint interval until no projection of the database is rebuilding', async () => {
    const { store, db, runner } = setup();
    await store.append('s', [unlock('a', 0), unlock('b', 1)]);
    await runner.catchUp();
    const walPages = () =>
      (db.prepare('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint;
    db.exec("UPDATE projection_checkpoints SET rebuilding = 1 WHERE name = 'audit'"); // an interrupted rebuild
    await runner.rebuild('history');
    expect(runner.checkpoint('history').rebuilding).toBe(false);
    expect(walPages()).toBe(25_000); // audit is still rebuilding in the same database
    await runner.catchUp('audit');
    expect(runner.checkpoint('audit').rebuilding).toBe(false);
    expect(walPages()).toBe(1000);
  });

  it('runs against the EventStoreDB adapter too (fake server: sparse positions and system events)', async () => {
    const server = await new FakeEsdbServer({ systemEventEveryAppend: true }).start();
    cleanups.push(() => server.stop());
    const { store, db, runner } = setup(
      RUNNER_PROJECTIONS,
      EsdbEventStore.fromConnectionString(server.connectionString),
    );
    for (let i = 0; i < 12; i++) await store.append(`case-${i}`, [unlock('u', i)]);
    await runner.start();
    const last = await store.append('case-live', [unlock('u', 99)]);
    await runner.waitFor(last.position);
    expect(count(db, 'audit')).toBe(13);
    expect(queryAudit(db, {}).some((r) => r.type.startsWith('$'))).toBe(false);
    expect((await runner.health()).map((h) => [h.name, h.lag, h.caughtUp])).toEqual([
      ['history', 0, true],
      ['audit', 0, true],
    ]);
  });
});

describe('ProjectionRunner shared live loop', () => {
  /** A projection recording the positions it applied (in memory and in its table); `fail` makes apply throw. */
  function recorder(name: string, opts: { version?: number; eventTypes?: string[] } = {}) {
    const state = { seen: [] as bigint[], fail: (_i: number) => false };
    const projection: Projection = {
      name,
      version: opts.version ?? 1,
      eventTypes: opts.eventTypes,
      tables: [name],
      init: (db) => db.exec(`CREATE TABLE IF NOT EXISTS ${name} (position INTEGER PRIMARY KEY)`),
      apply: (db, e) => {
        if (state.fail((e.data as { i: number }).i)) throw new Error(`${name} bug`);
        statement(db, `INSERT INTO ${name} (position) VALUES (?)`).run(e.position);
        state.seen.push(e.position);
      },
      rolledBack: () => undefined,
    };
    return { projection, state };
  }

  /** Counts read-model transactions and store subscriptions from now on. */
  function spy(db: DatabaseSync, store: EventStore) {
    const counts = { transactions: 0, subscriptions: 0 };
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      if (sql === 'BEGIN IMMEDIATE') counts.transactions += 1;
      return exec(sql);
    };
    const subscribe = store.subscribeToAll.bind(store);
    store.subscribeToAll = (options) => {
      counts.subscriptions += 1;
      return subscribe(options);
    };
    return counts;
  }

  async function until(check: () => boolean | Promise<boolean>, what: string) {
    for (let i = 0; i < 500; i++) {
      if (await check()) return;
      await sleep(5);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('applies a live batch to every caught-up projection in one transaction, over one subscription', async () => {
    const a = recorder('rec_a');
    const b = recorder('rec_b', { eventTypes: ['UnlockRefused'] });
    const { store, db, runner } = setup([a.projection, b.projection, historyProjection]);
    await store.append('s', [unlock('u', 0)]);
    const counts = spy(db, store);
    await runner.start();
    await runner.waitFor(1n);
    await until(async () => (await runner.health()).every((h) => h.status === 'live'), 'all live');
    expect(counts.subscriptions).toBe(1);

    const before = counts.transactions;
    const live = await store.append('s', [unlock('u', 1), unlock('u', 2), unlock('u', 3), unlock('u', 4)]);
    await runner.waitFor(live.position);
    expect(counts.transactions - before).toBe(1); // one commit for the whole batch and all three checkpoints
    expect(counts.subscriptions).toBe(1);
    expect(a.state.seen).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(b.state.seen).toEqual([3n]); // its event types only, while its checkpoint passes over the others
    expect(runner.names.map((name) => runner.checkpoint(name).position)).toEqual([5n, 5n, 5n]);
    expect(count(db, 'history')).toBe(5);
  });

  it('isolates a projection whose live batch fails: the others commit, it retries on its own and rejoins', async () => {
    const good = recorder('rec_good');
    const bad = recorder('rec_bad');
    const { store, db, runner } = setup([bad.projection, good.projection]);
    await store.append('s', [unlock('u', 0)]);
    const counts = spy(db, store);
    await runner.start();
    await runner.waitFor(1n);
    await until(async () => (await runner.health()).every((h) => h.status === 'live'), 'all live');

    bad.state.fail = (i) => i === 2;
    const live = await store.append('s', [unlock('u', 1), unlock('u', 2), unlock('u', 3)]);
    await until(() => runner.checkpoint('rec_good').position === live.position, 'the good projection');
    await until(async () => (await runner.health())[0].status === 'failed', 'the failure');
    expect((await runner.health())[0]).toMatchObject({ name: 'rec_bad', error: 'rec_bad bug', position: '1', lag: 3 });
    expect(count(db, 'rec_bad')).toBe(1); // its savepoint (events 2-4) was rolled back, and only its own
    expect(count(db, 'rec_good')).toBe(4);

    // Still failing: the good one keeps following live appends.
    const more = await store.append('s', [unlock('u', 5)]);
    await until(() => runner.checkpoint('rec_good').position === more.position, 'the good projection, again');
    expect(runner.checkpoint('rec_bad').position).toBe(1n);

    bad.state.fail = () => false;
    await runner.waitFor(more.position);
    expect(count(db, 'rec_bad')).toBe(5);
    await until(async () => (await runner.health()).every((h) => h.status === 'live' && !h.error), 'recovery');
    const after = counts.subscriptions;
    const last = await store.append('s', [unlock('u', 6)]);
    await runner.waitFor(last.position);
    expect(counts.subscriptions).toBe(after); // it rejoined the shared loop rather than subscribing on its own
    expect(bad.state.seen.filter((p) => p === 2n)).toHaveLength(2); // applied once rolled back, once for good
  });

  it('lets a rebuilding projection catch up on its own without holding the others back, then join the live loop', async () => {
    const steady = recorder('rec_steady');
    const old = recorder('rec_rebuilt');
    const first = setup([steady.projection, old.projection]);
    for (let i = 0; i < 250; i++) await first.store.append('s', [unlock('u', i)]);
    await first.runner.catchUp();
    await first.runner.stop();

    // A new version: rebuilt from 0 at start; it fails part-way through its replay until released.
    const rebuilt = recorder('rec_rebuilt', { version: 2 });
    rebuilt.state.fail = (i) => i === 150;
    const runner = new ProjectionRunner(first.store, first.db, [steady.projection, rebuilt.projection], {
      batchSize: 100,
      retryDelayMs: 20,
    });
    cleanups.push(() => runner.stop());
    const counts = spy(first.db, first.store);
    await runner.start();
    await until(async () => (await runner.health())[1].status === 'failed', 'the rebuild to stall');
    expect(runner.checkpoint('rec_rebuilt')).toMatchObject({ position: 100n, rebuilding: true });

    const live = await first.store.append('s', [unlock('u', 1000)]);
    await until(() => runner.checkpoint('rec_steady').position === live.position, 'the steady projection');
    expect(runner.checkpoint('rec_rebuilt').position).toBe(100n);

    rebuilt.state.fail = () => false;
    await runner.waitFor(live.position);
    expect(runner.checkpoint('rec_rebuilt')).toMatchObject({ position: live.position, rebuilding: false });
    expect(count(first.db, 'rec_rebuilt')).toBe(251);
    await until(async () => (await runner.health()).every((h) => h.status === 'live'), 'all live');

    const subscriptions = counts.subscriptions;
    const transactions = counts.transactions;
    const last = await first.store.append('s', [unlock('u', 1001), unlock('u', 1002)]);
    await runner.waitFor(last.position);
    expect(counts.subscriptions).toBe(subscriptions);
    expect(counts.transactions - transactions).toBe(1);
    expect(steady.state.seen.slice(-2)).toEqual(rebuilt.state.seen.slice(-2));
  });
});

describe('batches()', () => {
  it('groups what is ready and flushes when the source has to wait', async () => {
    async function* source() {
      yield 1;
      yield 2;
      yield 3;
      await sleep(20);
      yield 4;
      yield 5;
    }
    const out: number[][] = [];
    for await (const b of batches(source(), 2)) out.push(b);
    expect(out).toEqual([[1, 2], [3], [4, 5]]);
  });
});

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
