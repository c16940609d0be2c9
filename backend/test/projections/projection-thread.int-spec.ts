import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from '@jest/globals';
import { eventStoreFile } from '../../src/event-store/create-event-store';
import { EsdbEventStore } from '../../src/event-store/esdb-event-store';
import type { NewEvent } from '../../src/event-store/event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { ProjectionThread } from '../../src/projections/projection-thread';
import { DEFAULT_PROJECTIONS } from '../../src/projections/read-models';
import { FakeEsdbServer } from '../event-store/fake-esdb/fake-esdb-server';

// The product's read models on the projection thread, over a real embedded store (events.sqlite in the data dir).
const dir = mkdtempSync(join(tmpdir(), 'unlockdesk-proj-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const unlock = (user: string, i: number): NewEvent => ({
  type: 'AccountUnlocked',
  data: { subject: { storeId: 'corp', userId: user }, i },
  metadata: { actor: `agent-${i % 2}`, client: 'admin', ip: '192.0.2.7' },
});

const count = (db: DatabaseSync, table: string) =>
  Number((db.prepare(`SELECT count(*) AS c FROM ${table}`).get() as { c: number }).c);

/** The thread's worker (private), to kill it as a crash would. */
const workerOf = (thread: ProjectionThread) => (thread as unknown as { worker: Worker }).worker;

describe('ProjectionThread', () => {
  const store = new SqliteEventStore({ file: eventStoreFile(dir) });
  afterAll(() => store.close());

  it('projects on its own thread: rows appear, checkpoints advance, health is live with lag 0; stop() ends it', async () => {
    for (let i = 0; i < 20; i++) await store.append(`unlock-${i % 3}`, [unlock(`u${i % 4}`, i)]);
    // The follower's own poll is made so slow that only this process's commit notices can wake the thread in time.
    const thread = new ProjectionThread({ dataDir: dir, store, followerPollMs: 120_000 });
    await thread.start();
    // Every projection is prepared when start() resolves: its tables can be queried.
    expect(count(thread.db, 'roles')).toBe(0);
    await thread.waitFor(20n);
    expect(count(thread.db, 'history')).toBe(20);

    // Live: the main side's commit notice wakes the thread (its own poll comes only every 2 minutes here).
    const live = await store.append('unlock-x', [unlock('u9', 100), unlock('u9', 101)]);
    await thread.waitFor(live.position, 30_000);
    expect(count(thread.db, 'history')).toBe(22);
    for (const p of DEFAULT_PROJECTIONS) expect(thread.checkpoint(p.name).position).toBe(live.position);

    const health = await thread.health();
    expect(health.map((h) => h.name)).toEqual(thread.names);
    for (const h of health) {
      expect(h).toMatchObject({ status: 'live', lag: 0, caughtUp: true, position: '22', head: '22' });
    }
    // The main side only reads.
    expect(() => thread.db.exec('DELETE FROM history')).toThrow(/readonly|query_only|attempt to write/i);

    const worker = workerOf(thread);
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    await thread.stop();
    await exited; // resolves only if the thread ended
    expect((await thread.health()).every((h) => h.status === 'stopped')).toBe(true);
    thread.db.close();
  }, 30_000);

  it('a new thread resumes from the checkpoints without duplicates', async () => {
    await store.append('unlock-y', [unlock('u1', 200), unlock('u2', 201), unlock('u3', 202)]);
    const thread = new ProjectionThread({ dataDir: dir, store });
    await thread.start();
    await thread.waitFor(25n);
    expect(count(thread.db, 'history')).toBe(25);
    expect(count(thread.db, 'audit')).toBe(25);
    await thread.stop();
    thread.db.close();
  }, 30_000);

  it('a thread that dies is reported failed, then restarted and resumes', async () => {
    const thread = new ProjectionThread({ dataDir: dir, store, restartDelayMs: 200 });
    try {
      await thread.start();
      await thread.waitFor(25n);
      const first = workerOf(thread);
      await first.terminate();
      const failed = await thread.health();
      expect(failed.every((h) => h.status === 'failed' && h.error?.includes('exited'))).toBe(true);

      const r = await store.append('unlock-z', [unlock('u1', 300)]);
      await thread.waitFor(r.position, 10_000);
      expect(workerOf(thread)).not.toBe(first);
      expect(count(thread.db, 'history')).toBe(26);
      for (;;) {
        if ((await thread.health()).every((h) => h.status === 'live')) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await thread.stop();
      thread.db.close();
    }
  }, 30_000);

  it('stop() in the middle of a catch-up ends the thread between pages, cleanly (no terminate)', async () => {
    const other = join(dir, 'long-catch-up');
    const seed = new SqliteEventStore({ file: eventStoreFile(other), synchronous: 'OFF' });
    const total = 60_000;
    for (let i = 0; i < total; i += 500) {
      seed.appendSync(
        `unlock-${i}`,
        Array.from({ length: 500 }, (_, j) => unlock(`u${j % 9}`, i + j)),
      );
    }
    await seed.close();
    const events = new SqliteEventStore({ file: eventStoreFile(other) });
    // A terminate would come only after a minute: stop() must not need it.
    const thread = new ProjectionThread({ dataDir: other, store: events, stopTimeoutMs: 60_000 });
    try {
      await thread.start();
      while ((thread.checkpoint('history').position ?? 0n) === 0n) await new Promise((r) => setTimeout(r, 2));
      const exited = new Promise<number>((resolve) => workerOf(thread).once('exit', resolve));
      await thread.stop();
      expect(await exited).toBe(0); // it closed its connections and ended by itself (terminate() exits with 1)
      // It stopped where it was: the rest is left to the next start.
      expect(thread.checkpoint('history').position).toBeLessThan(BigInt(total));
    } finally {
      await thread.stop();
      thread.db.close();
      await events.close();
    }
  }, 60_000);

  it("reports a projection's failure in the thread (status and error) while the others stay live", async () => {
    const other = join(dir, 'poisoned');
    const events = new SqliteEventStore({ file: eventStoreFile(other) });
    // A case event without its data: the helpdesk-cases projection throws on it (and retries from its checkpoint).
    await events.append('case-1', [{ type: 'CaseOpened', data: {} }]);
    const thread = new ProjectionThread({ dataDir: other, store: events });
    try {
      await thread.start();
      for (;;) {
        const health = await thread.health();
        const cases = health.find((h) => h.name === 'helpdesk-cases');
        if (cases?.status === 'failed') {
          expect(cases.error).toMatch(/storeId|undefined/);
          expect(health.filter((h) => h.name !== 'helpdesk-cases').every((h) => h.status === 'live')).toBe(true);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await thread.stop();
      thread.db.close();
      await events.close();
    }
  }, 30_000);

  it('with EventStoreDB, the thread has its own client and follows the store live', async () => {
    const server = await new FakeEsdbServer({ systemEventEveryAppend: true }).start();
    const esdb = EsdbEventStore.fromConnectionString(server.connectionString);
    await esdb.append('unlock-1', [unlock('u1', 1)]);
    const thread = new ProjectionThread({
      dataDir: join(dir, 'esdb'),
      connectionString: server.connectionString,
      store: esdb,
    });
    try {
      await thread.start();
      const live = await esdb.append('unlock-2', [unlock('u2', 2)]);
      await thread.waitFor(live.position);
      expect(count(thread.db, 'history')).toBe(2);
      // The checkpoints are read from the database, the statuses come from the thread by message: the last status
      // message may arrive a moment after the checkpoint is visible.
      const deadline = Date.now() + 5000;
      let health = await thread.health();
      while (!health.every((h) => h.status === 'live' && h.lag === 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        health = await thread.health();
      }
      expect(health.map((h) => [h.name, h.status, h.lag])).toEqual(health.map((h) => [h.name, 'live', 0]));
    } finally {
      await thread.stop();
      thread.db.close();
      await esdb.close();
      await server.stop();
    }
  }, 30_000);
});
