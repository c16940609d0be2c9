import { describe, expect, it } from '@jest/globals';
import type { ReadAllOptions, RecordedEvent } from '../../src/event-store/event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { type Checkpoint, type ProjectionState, projectionHealth } from '../../src/projections/projection-runner';

describe('projectionHealth', () => {
  it('counts the lag once per checkpoint position (projections in the live loop share theirs)', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    for (let i = 0; i < 30; i++) store.appendSync(`s-${i}`, [{ type: 'Happened', data: { i } }]);
    let reads = 0;
    const readAll = store.readAll.bind(store);
    store.readAll = (options?: ReadAllOptions): AsyncIterable<RecordedEvent> => {
      reads += 1;
      return readAll(options);
    };
    const states: ProjectionState[] = ['a', 'b', 'c', 'd'].map((name) => ({ name, version: 1, status: 'live' }));
    const at: Record<string, bigint | undefined> = { a: 10n, b: 10n, c: 10n, d: undefined };
    const checkpoint = (name: string): Checkpoint => ({ version: 1, position: at[name], rebuilding: false });

    const health = await projectionHealth(store, states, checkpoint, 25);
    expect(health.map((h) => [h.name, h.lag, h.lagCapped, h.caughtUp])).toEqual([
      ['a', 20, false, false],
      ['b', 20, false, false],
      ['c', 20, false, false],
      ['d', 25, true, false],
    ]);
    expect(reads).toBe(2); // position 10 and the start, not four reads
    await store.close();
  });
});
