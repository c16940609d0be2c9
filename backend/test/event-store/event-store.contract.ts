/**
 * The event-store contract: one suite, run against every adapter (embedded node:sqlite, EventStoreDB over gRPC against
 * the fake server, and a real EventStoreDB when UNLOCKDESK_TEST_ESDB_URL is set).
 *
 * Tests never assume an empty store: each uses its own stream ids and positions taken from its own appends, because
 * a real server is shared between runs and contains system events.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  StreamNotFound,
  type Subscription,
  WrongExpectedVersionError,
} from '../../src/event-store/event-store';

export interface ContractTarget {
  /** A store connected to the target; the suite closes it after each test. */
  create(): Promise<EventStore>;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** The target's log starts beyond 2^53 (embedded and fake targets), so positions must stay exact bigints. */
  positionsBeyond2p53?: boolean;
}

const TWO_POW_53 = 2n ** 53n;

export function event(type: string, data: unknown = {}, extra: Partial<NewEvent> = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata: { correlationId: randomUUID(), actor: 'agent-1' }, ...extra };
}

export async function toArray<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

/** Takes `count` events from a subscription, failing after `timeoutMs`. The subscription stays open. */
export async function take(sub: Subscription, count: number, timeoutMs = 5000): Promise<RecordedEvent[]> {
  const iterator = iterators.get(sub) ?? sub[Symbol.asyncIterator]();
  iterators.set(sub, iterator);
  const out: RecordedEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out with ${out.length}/${count} events: ${out.map((e) => e.type)}`)),
      timeoutMs,
    );
  });
  try {
    while (out.length < count) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) throw new Error(`subscription ended after ${out.length}/${count} events`);
      out.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}
const iterators = new WeakMap<Subscription, AsyncIterator<RecordedEvent>>();

export function eventStoreContract(name: string, target: ContractTarget): void {
  describe(`event store contract: ${name}`, () => {
    const opened: EventStore[] = [];
    let store: EventStore;
    let prefix: string;

    beforeAll(async () => {
      await target.setup?.();
    });
    afterAll(async () => {
      await target.teardown?.();
    });
    beforeEach(async () => {
      store = await target.create();
      opened.push(store);
      prefix = `contract-${randomUUID().slice(0, 8)}`;
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    const stream = (n = 'a') => `${prefix}-${n}`;

    it('appends to a new stream and reads it back in order with every field', async () => {
      const events = [
        event('CaseOpened', { caseId: 'c1', n: 1 }),
        event('SecurityAnswerVerified', { n: 2 }, { metadata: fullMetadata() }),
        event('AccountUnlocked', { n: 3 }),
      ];
      const before = Date.now();
      const result = await store.append(stream(), events, { expectedRevision: 'no_stream' });
      expect(result.nextRevision).toBe(2n);
      expect(typeof result.position).toBe('bigint');

      const read = await toArray(store.readStream(stream()));
      expect(read.map((e) => e.type)).toEqual(['CaseOpened', 'SecurityAnswerVerified', 'AccountUnlocked']);
      expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      expect(read.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(read.map((e) => e.data)).toEqual([{ caseId: 'c1', n: 1 }, { n: 2 }, { n: 3 }]);
      expect(read[1].metadata).toEqual(fullMetadata());
      expect(read[0].streamId).toBe(stream());
      expect(read[2].position).toBe(result.position);
      for (const e of read) {
        expect(e.time).toBeInstanceOf(Date);
        expect(e.time.getTime()).toBeGreaterThanOrEqual(before - 5000);
        expect(e.time.getTime()).toBeLessThanOrEqual(Date.now() + 5000);
      }
    });

    it('generates event ids when absent', async () => {
      await store.append(stream(), [{ type: 'NoId', data: { x: 1 } }]);
      const [e] = await toArray(store.readStream(stream()));
      expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(e.metadata).toEqual({});
    });

    describe('expected revision', () => {
      it('no_stream fails on an existing stream', async () => {
        await store.append(stream(), [event('A')], { expectedRevision: 'no_stream' });
        const err = await store.append(stream(), [event('B')], { expectedRevision: 'no_stream' }).catch((e) => e);
        expect(err).toBeInstanceOf(WrongExpectedVersionError);
        expect(err).toMatchObject({ streamId: stream(), expected: 'no_stream', actual: 0n });
      });

      it('stream_exists fails on a missing stream and passes on an existing one', async () => {
        const err = await store.append(stream(), [event('A')], { expectedRevision: 'stream_exists' }).catch((e) => e);
        expect(err).toBeInstanceOf(WrongExpectedVersionError);
        expect(err).toMatchObject({ expected: 'stream_exists', actual: 'no_stream' });
        await store.append(stream(), [event('A')]);
        const ok = await store.append(stream(), [event('B')], { expectedRevision: 'stream_exists' });
        expect(ok.nextRevision).toBe(1n);
      });

      it('an exact revision must be the current one', async () => {
        await store.append(stream(), [event('A'), event('B')]);
        const stale = await store.append(stream(), [event('C')], { expectedRevision: 0n }).catch((e) => e);
        expect(stale).toBeInstanceOf(WrongExpectedVersionError);
        expect(stale).toMatchObject({ expected: 0n, actual: 1n });
        const ahead = await store.append(stream(), [event('C')], { expectedRevision: 5n }).catch((e) => e);
        expect(ahead).toBeInstanceOf(WrongExpectedVersionError);
        const missing = await store.append(stream('none'), [event('C')], { expectedRevision: 0n }).catch((e) => e);
        expect(missing).toMatchObject({ actual: 'no_stream' });
        expect((await store.append(stream(), [event('C')], { expectedRevision: 1n })).nextRevision).toBe(2n);
        expect((await store.append(stream(), [event('D')], { expectedRevision: 'any' })).nextRevision).toBe(3n);
        // Nothing from the failed appends was written.
        expect((await toArray(store.readStream(stream()))).map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
      });

      it('of two concurrent appends at the same revision exactly one wins', async () => {
        await store.append(stream(), [event('Opened')]);
        const results = await Promise.allSettled(
          ['X', 'Y', 'Z'].map((t) => store.append(stream(), [event(t), event(`${t}2`)], { expectedRevision: 0n })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        expect(rejected).toHaveLength(2);
        for (const r of rejected) expect(r.reason).toBeInstanceOf(WrongExpectedVersionError);
        expect(await toArray(store.readStream(stream()))).toHaveLength(3);
      });
    });

    it('re-appending the same events (same ids) is idempotent', async () => {
      const batch = [event('A'), event('B')];
      const first = await store.append(stream(), batch, { expectedRevision: 'no_stream' });
      const retry = await store.append(stream(), batch, { expectedRevision: 'no_stream' });
      expect(retry).toEqual(first);
      const again = await store.append(stream(), batch, { expectedRevision: 'any' });
      expect(again).toEqual(first);
      expect(await toArray(store.readStream(stream()))).toHaveLength(2);
      const next = await store.append(stream(), [event('C')], { expectedRevision: first.nextRevision });
      expect(next.nextRevision).toBe(2n);
    });

    describe('reading a stream', () => {
      beforeEach(async () => {
        await store.append(
          stream(),
          Array.from({ length: 10 }, (_, i) => event(`E${i}`, { i })),
        );
      });

      it('forwards from a revision (inclusive) with a max count', async () => {
        const read = await toArray(store.readStream(stream(), { fromRevision: 3n, maxCount: 4 }));
        expect(read.map((e) => e.revision)).toEqual([3n, 4n, 5n, 6n]);
      });

      it('backwards from the end and from a revision', async () => {
        const fromEnd = await toArray(store.readStream(stream(), { direction: 'backwards', maxCount: 3 }));
        expect(fromEnd.map((e) => e.revision)).toEqual([9n, 8n, 7n]);
        const fromFour = await toArray(store.readStream(stream(), { direction: 'backwards', fromRevision: 4n }));
        expect(fromFour.map((e) => e.type)).toEqual(['E4', 'E3', 'E2', 'E1', 'E0']);
      });

      it('a missing stream throws StreamNotFound', async () => {
        const err = await toArray(store.readStream(stream('missing'))).catch((e) => e);
        expect(err).toBeInstanceOf(StreamNotFound);
        expect(err.streamId).toBe(stream('missing'));
      });
    });

    describe('reading $all', () => {
      it('is in append order, strictly increasing, exclusive of the from-position, without system events', async () => {
        const head0 = await store.headPosition();
        const a = await store.append(stream('a'), [event('A1'), event('A2')]);
        const b = await store.append(stream('b'), [event('B1')]);
        const c = await store.append(stream('a'), [event('A3'), event('A4')]);
        expect(a.position < b.position && b.position < c.position).toBe(true);
        expect(await store.headPosition()).toBe(c.position);

        const all = await toArray(store.readAll({ fromPosition: head0 }));
        expect(all.map((e) => e.type)).toEqual(['A1', 'A2', 'B1', 'A3', 'A4']);
        for (let i = 1; i < all.length; i++) expect(all[i].position > all[i - 1].position).toBe(true);
        expect(all.some((e) => e.type.startsWith('$') || e.streamId.startsWith('$'))).toBe(false);

        // Exclusive: starting at A2's position gives what follows it.
        const afterA2 = await toArray(store.readAll({ fromPosition: a.position, maxCount: 2 }));
        expect(afterA2.map((e) => e.type)).toEqual(['B1', 'A3']);
        const afterLast = await toArray(store.readAll({ fromPosition: c.position }));
        expect(afterLast).toEqual([]);
      });

      it('backwards from a position (exclusive) and from the end', async () => {
        await store.append(stream(), [event('A1'), event('A2'), event('A3')]);
        const last = await store.append(stream('b'), [event('B1')]);
        const back = await toArray(store.readAll({ direction: 'backwards', fromPosition: last.position, maxCount: 2 }));
        expect(back.map((e) => e.type)).toEqual(['A3', 'A2']);
        const fromEnd = await toArray(store.readAll({ direction: 'backwards', maxCount: 1 }));
        expect(fromEnd.map((e) => e.position)).toEqual([last.position]);
      });

      it('reads past a page boundary without losing or repeating events', async () => {
        const head0 = await store.headPosition();
        await store.append(
          stream(),
          Array.from({ length: 1234 }, (_, i) => event('Paged', { i })),
        );
        const all = await toArray(store.readAll({ fromPosition: head0 }));
        expect(all.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 1234 }, (_, i) => i));
        const back = await toArray(store.readAll({ direction: 'backwards', maxCount: 1234 }));
        expect(back.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 1234 }, (_, i) => 1233 - i));
      });
    });

    describe('subscribing to $all', () => {
      it('catches up from a position, then delivers live events, filtered by stream prefix', async () => {
        const head0 = await store.headPosition();
        await store.append(stream('case-1'), [event('CaseOpened'), event('SecurityAnswerVerified')]);
        await store.append(`other-${prefix}`, [event('Noise')]);
        await store.append(stream('case-2'), [event('CaseOpened')]);

        const sub = store.subscribeToAll({ fromPosition: head0, filter: { streamPrefixes: [stream('case-')] } });
        try {
          const caughtUp = await take(sub, 3);
          expect(caughtUp.map((e) => `${e.streamId}:${e.type}`)).toEqual([
            `${stream('case-1')}:CaseOpened`,
            `${stream('case-1')}:SecurityAnswerVerified`,
            `${stream('case-2')}:CaseOpened`,
          ]);
          // Live: appended after the catch-up.
          await store.append(`other-${prefix}`, [event('Noise')]);
          await store.append(stream('case-1'), [event('AccountUnlocked')]);
          const live = await take(sub, 1);
          expect(live.map((e) => e.type)).toEqual(['AccountUnlocked']);
          expect(live[0].position > caughtUp[2].position).toBe(true);
        } finally {
          await sub.close();
        }
      });

      it('filters by event type and is exclusive of the from-position', async () => {
        const first = await store.append(stream(), [event('UnlockRequested'), event('Other')]);
        await store.append(stream(), [event('UnlockRequested', { n: 2 }), event('UnlockRefused')]);
        const sub = store.subscribeToAll({
          fromPosition: first.position,
          filter: { eventTypes: ['UnlockRequested', 'UnlockRefused'], streamPrefixes: [prefix] },
        });
        try {
          const got = await take(sub, 2);
          expect(got.map((e) => [e.type, e.data])).toEqual([
            ['UnlockRequested', { n: 2 }],
            ['UnlockRefused', {}],
          ]);
          await store.append(stream(), [event('Other'), event('UnlockRefused', { n: 3 })]);
          expect((await take(sub, 1))[0].data).toEqual({ n: 3 });
        } finally {
          await sub.close();
        }
      });

      it('misses nothing when events are appended while it catches up, and close() ends it', async () => {
        const head0 = await store.headPosition();
        const sub = store.subscribeToAll({ fromPosition: head0, filter: { streamPrefixes: [prefix] } });
        const appends = (async () => {
          for (let i = 0; i < 20; i++) await store.append(stream(`s${i % 3}`), [event('Tick', { i })]);
        })();
        const got = await take(sub, 20);
        await appends;
        expect(got.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        const iterator = iterators.get(sub) as AsyncIterator<RecordedEvent>;
        const pending = iterator.next();
        await sub.close();
        await expect(pending).resolves.toMatchObject({ done: true });
      });
    });

    it('appends a batch of 5,000 events atomically and in order', async () => {
      const head0 = await store.headPosition();
      const batch = Array.from({ length: 5000 }, (_, i) => event('Bulk', { i, text: `event number ${i}` }));
      const result = await store.append(stream(), batch, { expectedRevision: 'no_stream' });
      expect(result.nextRevision).toBe(4999n);
      const read = await toArray(store.readStream(stream()));
      expect(read).toHaveLength(5000);
      expect(read.map((e) => e.revision)).toEqual(Array.from({ length: 5000 }, (_, i) => BigInt(i)));
      const all = await toArray(store.readAll({ fromPosition: head0 }));
      expect(all.map((e) => e.id)).toEqual(batch.map((e) => e.id));
      expect(all[4999].position).toBe(result.position);
    });

    it('keeps unicode and large (~900 KB) payloads intact', async () => {
      const unicode = 'Zoë Ångström — 北京 — שלום — 🔓🧑‍💻 — e\u0301 — \u0000nul';
      const big = 'x'.repeat(300_000) + 'é'.repeat(150_000) + '🔑'.repeat(75_000); // 900,000 bytes of UTF-8
      const streamId = `${prefix}-ünïcødé-用户`;
      await store.append(streamId, [
        event('UnicodeEvent', { name: unicode, nested: { list: [unicode] } }, { metadata: { actor: unicode } }),
        event('BigEvent', { big }),
      ]);
      const [u, b] = await toArray(store.readStream(streamId));
      expect(u.streamId).toBe(streamId);
      expect(u.data).toEqual({ name: unicode, nested: { list: [unicode] } });
      expect(u.metadata.actor).toBe(unicode);
      expect((b.data as { big: string }).big).toBe(big);
    });

    it('positions and revisions are exact bigints', async () => {
      const r = await store.append(stream(), [event('A'), event('B')]);
      const all = await toArray(store.readAll({ direction: 'backwards', maxCount: 2 }));
      expect(all.map((e) => typeof e.position)).toEqual(['bigint', 'bigint']);
      expect(typeof all[0].revision).toBe('bigint');
      expect(all[0].position).toBe(r.position);
      const fromExact = await toArray(store.readAll({ fromPosition: all[1].position }));
      expect(fromExact.map((e) => e.type)).toEqual(['B']);
      if (target.positionsBeyond2p53) {
        // Beyond 2^53 a double would round these (and the exclusive read above would go wrong).
        expect(r.position > TWO_POW_53).toBe(true);
        expect(all[1].position > TWO_POW_53).toBe(true);
      }
    });
  });
}

function fullMetadata() {
  return {
    correlationId: 'corr-1',
    causationId: 'cause-1',
    actor: 'agent:alice',
    client: 'admin',
    ip: '192.0.2.10',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    schemaVersion: 2,
    ticket: 'INC-42',
  };
}
