/**
 * The EventStoreDB adapter over real gRPC, with the real @eventstore/db-client:
 * - against the in-process fake server (fake-esdb/), always;
 * - against a real EventStoreDB / KurrentDB when UNLOCKDESK_TEST_ESDB_URL is set, e.g.
 *     docker run -p 2113:2113 eventstore/eventstore:24.10 --insecure
 *     UNLOCKDESK_TEST_ESDB_URL='esdb://127.0.0.1:2113?tls=false' npx jest test/event-store/esdb
 *   and reported as skipped otherwise (none can run on the build machine), in this same file so that the skip is
 *   listed next to the fake-server run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EsdbEventStore } from '../../src/event-store/esdb-event-store';
import { event, eventStoreContract, take, toArray } from './event-store.contract';
import { FakeEsdbServer } from './fake-esdb/fake-esdb-server';

let server: FakeEsdbServer;

eventStoreContract('EventStoreDB adapter against the fake gRPC server', {
  positionsBeyond2p53: true,
  setup: async () => {
    server = await new FakeEsdbServer({ firstPosition: 2n ** 53n + 7n, systemEventEveryAppend: true }).start();
  },
  teardown: async () => server.stop(),
  create: async () => EsdbEventStore.fromConnectionString(server.connectionString, { pageSize: 100 }),
});

describe('EventStoreDB adapter specifics (fake server)', () => {
  let fake: FakeEsdbServer;
  beforeAll(async () => {
    fake = await new FakeEsdbServer({ systemEventEveryAppend: true }).start();
  });
  afterAll(async () => fake.stop());

  it('re-subscribes from the last seen position after the server drops the subscription', async () => {
    const resubscribes: bigint[] = [];
    const store = EsdbEventStore.fromConnectionString(fake.connectionString, {
      resubscribeMinDelayMs: 20,
      onResubscribe: (_err, _attempt, from) => resubscribes.push(from ?? -1n),
    });
    try {
      const first = await store.append('drop-1', [event('One'), event('Two')]);
      const sub = store.subscribeToAll({ filter: { streamPrefixes: ['drop-'] } });
      expect((await take(sub, 2)).map((e) => e.type)).toEqual(['One', 'Two']);
      fake.dropSubscriptions();
      await store.append('drop-1', [event('Three')]);
      const after = await take(sub, 1);
      expect(after.map((e) => e.type)).toEqual(['Three']);
      expect(resubscribes).toEqual([first.position]);
      await store.append('drop-2', [event('Four')]);
      expect((await take(sub, 1)).map((e) => e.type)).toEqual(['Four']);
      await sub.close();
    } finally {
      await store.close();
    }
  });

  it('never returns the system events the server writes into $all', async () => {
    const store = EsdbEventStore.fromConnectionString(fake.connectionString);
    try {
      await store.append('sys-check', [event('Visible')]);
      const all = await toArray(store.readAll());
      expect(all.length).toBeGreaterThan(0);
      expect(all.filter((e) => e.type.startsWith('$') || e.streamId.startsWith('$'))).toEqual([]);
      // The head is the last product event, not the statistics event written after it.
      expect(await store.headPosition()).toBe(all[all.length - 1].position);
    } finally {
      await store.close();
    }
  });

  it('uses the unary Append and Read calls (no ServerFeatures, so no BatchAppend)', async () => {
    const before = { ...fake.calls };
    const store = EsdbEventStore.fromConnectionString(fake.connectionString);
    try {
      await store.append('calls-1', [event('A')]);
      await toArray(store.readStream('calls-1'));
      expect(fake.calls.append - before.append).toBe(1);
      expect(fake.calls.read - before.read).toBe(1);
    } finally {
      await store.close();
    }
  });
});

const realUrl = process.env.UNLOCKDESK_TEST_ESDB_URL;
if (realUrl) {
  eventStoreContract(`EventStoreDB adapter against a real server at ${realUrl}`, {
    create: async () => EsdbEventStore.fromConnectionString(realUrl),
  });
} else {
  describe('event store contract: real EventStoreDB', () => {
    it.skip('whole contract suite (skipped: set UNLOCKDESK_TEST_ESDB_URL, e.g. esdb://127.0.0.1:2113?tls=false)', () => {});
  });
}
