import { describe, expect, it } from '@jest/globals';
import {
  type AppendOptions,
  type EventStore,
  type NewEvent,
  WrongExpectedVersionError,
} from '../../src/event-store/event-store';
import { aggregate, handle, type StreamDecider } from '../../src/event-store/handle';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { DomainRefusal, refuse } from '../../src/shared/decider';
import { toArray } from './event-store.contract';

type CaseEvent =
  | { type: 'CaseOpened'; data: { by: string } }
  | { type: 'AccountUnlocked'; data: { account: string } }
  | { type: 'CaseClosed'; data: Record<string, never> };
type CaseCommand = { type: 'Open'; by: string } | { type: 'Unlock'; account: string } | { type: 'Close' };
interface CaseState {
  status: 'none' | 'open' | 'closed';
  unlocked: string[];
}

const caseDecider: StreamDecider<CaseCommand, CaseEvent, CaseState> = {
  schemaVersions: { CaseOpened: 2, AccountUnlocked: 1, CaseClosed: 1 },
  // Version 1 of CaseOpened named the agent `agent`; version 2 calls it `by`.
  upcast: (stored) =>
    (stored.type === 'CaseOpened' && (stored.schemaVersion ?? 1) < 2
      ? { type: 'CaseOpened', data: { by: (stored.data as { agent: string }).agent } }
      : stored) as CaseEvent,
  initialState: () => ({ status: 'none', unlocked: [] }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'CaseOpened':
        return { ...state, status: 'open' };
      case 'AccountUnlocked':
        return { ...state, unlocked: [...state.unlocked, event.data.account] };
      case 'CaseClosed':
        return { ...state, status: 'closed' };
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'Open':
        if (state.status !== 'none') refuse('case.alreadyOpened', 'The case is already open.');
        return [{ type: 'CaseOpened', data: { by: command.by } }];
      case 'Unlock':
        if (state.status !== 'open') refuse('case.notOpen', `The case is ${state.status}.`);
        if (state.unlocked.includes(command.account)) return [];
        return [{ type: 'AccountUnlocked', data: { account: command.account } }];
      case 'Close':
        if (state.status === 'closed') throw new Error('closing twice is a bug in the caller');
        return [{ type: 'CaseClosed', data: {} }];
    }
  },
};

const memoryStore = () => new SqliteEventStore({ file: ':memory:' });

/** A store where another writer appends to the same stream just before each of our first `times` appends. */
function racingStore(inner: EventStore, times: number): EventStore & { appends: number } {
  let raced = 0;
  const wrapper = Object.create(inner) as EventStore & { appends: number };
  wrapper.appends = 0;
  wrapper.append = async (streamId: string, events: readonly NewEvent[], options?: AppendOptions) => {
    wrapper.appends += 1;
    if (raced < times) {
      raced += 1;
      await inner.append(streamId, [{ type: 'AccountUnlocked', data: { account: `other-${raced}` } }]);
    }
    return inner.append(streamId, events, options);
  };
  return wrapper;
}

describe('handle()', () => {
  it('appends decided events with no_stream on an empty stream, then with the revision read', async () => {
    const store = memoryStore();
    const opened = await handle(store, 'case-1', caseDecider, { type: 'Open', by: 'agent-1' });
    expect(opened).toMatchObject({ revision: 0n, newState: { status: 'open' } });
    const unlocked = await handle(store, 'case-1', caseDecider, { type: 'Unlock', account: 'jdoe' });
    expect(unlocked).toMatchObject({ revision: 1n, newState: { status: 'open', unlocked: ['jdoe'] } });
    const events = await toArray(store.readStream('case-1'));
    expect(events.map((e) => e.type)).toEqual(['CaseOpened', 'AccountUnlocked']);
    await store.close();
  });

  it('passes metadata to every event and uses the given event ids', async () => {
    const store = memoryStore();
    await handle(
      store,
      'case-2',
      caseDecider,
      { type: 'Open', by: 'agent-1' },
      {
        metadata: { actor: 'agent-1', client: 'admin', correlationId: 'corr-9' },
        eventIds: ['7d444840-9dc0-11d1-b245-5ffdce74fad2'],
      },
    );
    const [e] = await toArray(store.readStream('case-2'));
    expect(e.metadata).toEqual({ actor: 'agent-1', client: 'admin', correlationId: 'corr-9', schemaVersion: 2 });
    expect(e.id).toBe('7d444840-9dc0-11d1-b245-5ffdce74fad2');
    await store.close();
  });

  it('lets a refusal through without appending anything', async () => {
    const store = memoryStore();
    const result = handle(store, 'case-3', caseDecider, { type: 'Unlock', account: 'jdoe' });
    await expect(result).rejects.toBeInstanceOf(DomainRefusal);
    await expect(result).rejects.toMatchObject({ code: 'case.notOpen' });
    expect(await store.headPosition()).toBe(0n);
    await store.close();
  });

  it('upcasts stored events of an older schema version before evolving them', async () => {
    const store = memoryStore();
    await store.append('case-v1', [{ type: 'CaseOpened', data: { agent: 'agent-7' }, metadata: { schemaVersion: 1 } }]);
    const { state } = await aggregate(store, 'case-v1', {
      ...caseDecider,
      evolve: (s: CaseState & { by?: string }, e: CaseEvent) =>
        e.type === 'CaseOpened' ? { ...s, status: 'open' as const, by: e.data.by } : caseDecider.evolve(s, e),
    });
    expect(state).toMatchObject({ status: 'open', by: 'agent-7' });
    await store.close();
  });

  it('appends nothing when the decision is no events, and lets thrown errors through', async () => {
    const store = memoryStore();
    await handle(store, 'case-4', caseDecider, { type: 'Open', by: 'a' });
    await handle(store, 'case-4', caseDecider, { type: 'Unlock', account: 'x' });
    const again = await handle(store, 'case-4', caseDecider, { type: 'Unlock', account: 'x' });
    expect(again).toMatchObject({ newEvents: [], revision: 1n });
    expect(again.appended).toBeUndefined();
    await handle(store, 'case-4', caseDecider, { type: 'Close' });
    await expect(handle(store, 'case-4', caseDecider, { type: 'Close' })).rejects.toThrow('closing twice');
    await store.close();
  });

  it('fails on a concurrent write unless asked to retry', async () => {
    const inner = memoryStore();
    await handle(inner, 'case-5', caseDecider, { type: 'Open', by: 'a' });
    const racing = racingStore(inner, 1);
    await expect(handle(racing, 'case-5', caseDecider, { type: 'Unlock', account: 'jdoe' })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    expect(racing.appends).toBe(1);
    await inner.close();
  });

  it('re-reads and re-decides on conflict when retryOnConflict is set, up to the limit', async () => {
    const inner = memoryStore();
    await handle(inner, 'case-6', caseDecider, { type: 'Open', by: 'a' });
    const racing = racingStore(inner, 2);
    const result = await handle(
      racing,
      'case-6',
      caseDecider,
      { type: 'Unlock', account: 'jdoe' },
      {
        retryOnConflict: 2,
      },
    );
    expect(result).toMatchObject({ revision: 3n, newState: { unlocked: ['other-1', 'other-2', 'jdoe'] } });
    expect(racing.appends).toBe(3);

    const tooMany = racingStore(inner, 5);
    await expect(
      handle(tooMany, 'case-6', caseDecider, { type: 'Unlock', account: 'kim' }, { retryOnConflict: true }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(tooMany.appends).toBe(4); // first try + 3 retries (the default)
    await inner.close();
  });

  it('aggregate() folds a missing stream to the initial state at revision -1', async () => {
    const store = memoryStore();
    expect(await aggregate(store, 'nothing', caseDecider)).toEqual({
      state: { status: 'none', unlocked: [] },
      revision: -1n,
    });
    await store.close();
  });
  it('decides on a known state without reading the stream; a stale one conflicts and is re-read on retry', async () => {
    const inner = memoryStore();
    const opened = await handle(inner, 'case-k', caseDecider, { type: 'Open', by: 'agent-1' });
    let reads = 0;
    const counting = Object.create(inner) as EventStore;
    counting.readStream = (...args) => {
      reads += 1;
      return inner.readStream(...args);
    };
    const known = { state: opened.newState, revision: opened.revision };
    const first = await handle(counting, 'case-k', caseDecider, { type: 'Unlock', account: 'a' }, { known });
    expect(reads).toBe(0);
    expect(first).toMatchObject({ revision: 1n, newState: { unlocked: ['a'] } });

    // `known` is now stale (revision 0): without retry the append conflicts, with retry the stream is read.
    await expect(
      handle(counting, 'case-k', caseDecider, { type: 'Unlock', account: 'b' }, { known }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    const retried = await handle(
      counting,
      'case-k',
      caseDecider,
      { type: 'Unlock', account: 'b' },
      { known, retryOnConflict: 1 },
    );
    expect(reads).toBe(1);
    expect(retried).toMatchObject({ revision: 2n, newState: { unlocked: ['a', 'b'] } });
    expect((await aggregate(inner, 'case-k', caseDecider)).state.unlocked).toEqual(['a', 'b']);
  });
});
