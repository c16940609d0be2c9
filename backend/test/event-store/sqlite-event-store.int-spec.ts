import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { WrongExpectedVersionError } from '../../src/event-store/event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { event, eventStoreContract, toArray } from './event-store.contract';

const dir = mkdtempSync(join(tmpdir(), 'unlockdesk-es-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

eventStoreContract('embedded node:sqlite adapter', {
  positionsBeyond2p53: true,
  create: async () =>
    new SqliteEventStore({ file: join(dir, `contract-${n++}.sqlite`), firstPosition: 2n ** 53n + 1n, pageSize: 500 }),
});

describe('embedded adapter specifics', () => {
  it('numbers positions 1, 2, 3… by default and keeps them across reopening the file', async () => {
    const file = join(dir, 'reopen.sqlite');
    const first = new SqliteEventStore({ file });
    expect(await first.headPosition()).toBe(0n);
    expect(await first.append('s-1', [event('A'), event('B')])).toEqual({ nextRevision: 1n, position: 2n });
    await first.close();
    const second = new SqliteEventStore({ file });
    expect(await second.append('s-1', [event('C')], { expectedRevision: 1n })).toEqual({
      nextRevision: 2n,
      position: 3n,
    });
    expect((await toArray(second.readAll())).map((e) => e.type)).toEqual(['A', 'B', 'C']);
    await second.close();
  });

  it('rolls back the whole batch when one event cannot be stored', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(store.append('s', [event('Ok'), event('Bad', cyclic)])).rejects.toThrow();
    expect(await store.headPosition()).toBe(0n);
    expect(await store.append('s', [event('Ok')], { expectedRevision: 'no_stream' })).toEqual({
      nextRevision: 0n,
      position: 1n,
    });
    await store.close();
  });

  it('group commit: concurrent appends commit together yet behave as if run one by one, in arrival order', async () => {
    const store = new SqliteEventStore({ file: join(dir, 'group.sqlite') });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // All of these arrive in the same turn of the event loop, so they share one transaction.
    const results = await Promise.allSettled([
      store.append('case-1', [event('Opened')], { expectedRevision: 'no_stream' }),
      store.append('case-1', [event('OpenedTwice')], { expectedRevision: 'no_stream' }), // loses: stream now exists
      store.append('case-1', [event('Verified')], { expectedRevision: 0n }), // sees the first append's revision
      store.append('case-2', [event('Ok'), event('Bad', cyclic)]), // fails alone, whole batch of its own
      store.append('case-2', [event('Other')], { expectedRevision: 'no_stream' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    expect((await toArray(store.readAll())).map((e) => `${e.streamId}/${e.revision}/${e.type}`)).toEqual([
      'case-1/0/Opened',
      'case-1/1/Verified',
      'case-2/0/Other',
    ]);
    await store.close();
  });

  it('commits appends already accepted when the store closes', async () => {
    const file = join(dir, 'close-flush.sqlite');
    const store = new SqliteEventStore({ file });
    const pending = store.append('s', [event('Accepted')]);
    await store.close();
    await expect(pending).resolves.toEqual({ nextRevision: 0n, position: 1n });
    const reopened = new SqliteEventStore({ file });
    expect((await toArray(reopened.readAll())).map((e) => e.type)).toEqual(['Accepted']);
    await reopened.close();
  });

  it('refuses an append made while the store is closing (no new writer thread after the last one closed)', async () => {
    const file = join(dir, 'close-late.sqlite');
    const store = new SqliteEventStore({ file });
    await store.append('s', [event('Early')]); // the writer thread is running
    const closing = store.close();
    const late = expect(store.append('s', [event('Late')])).rejects.toThrow('event store is closed');
    await closing;
    await late;
    const reopened = new SqliteEventStore({ file });
    expect((await toArray(reopened.readAll())).map((e) => e.type)).toEqual(['Early']);
    await reopened.close();
  });

  it('a live subscription ends when the store closes', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    const iterator = store.subscribeToAll()[Symbol.asyncIterator]();
    const pending = iterator.next();
    await store.close();
    await expect(pending).resolves.toMatchObject({ done: true });
  });
});
