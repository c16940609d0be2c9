import { describe, expect, it } from '@jest/globals';
import { type Decider, refuse } from '../decider';
import { deciderSpec } from './decider-spec';

type Ev = { type: 'Added'; data: { n: number } };
type Cmd = { type: 'Add'; n: number };
const counter: Decider<Cmd, Ev, number> = {
  initialState: () => 0,
  evolve: (s, e) => s + e.data.n,
  decide: (c, s) => {
    if (c.n <= 0) refuse('counter.invalid', 'n must be positive', [{ field: 'n', message: 'must be positive' }]);
    if (s + c.n > 10) refuse('counter.full', 'the counter is full');
    return [{ type: 'Added', data: { n: c.n } }];
  },
};
const spec = deciderSpec(counter, { schemaVersions: { Added: 1 } });

describe('deciderSpec helper', () => {
  it('passes when the decider produces the expected events and returns the folded state', () => {
    const { state } = spec
      .given([{ type: 'Added', data: { n: 2 } }])
      .when({ type: 'Add', n: 3 })
      .then([{ type: 'Added', data: { n: 3 } }]);
    expect(state).toBe(5);
  });
  it('fails when the events differ', () => {
    expect(() =>
      spec
        .given([])
        .when({ type: 'Add', n: 3 })
        .then([{ type: 'Added', data: { n: 4 } }]),
    ).toThrow();
  });
  it('passes on the expected refusal and fails on another code, other fields or no refusal', () => {
    spec.given([]).when({ type: 'Add', n: 0 }).thenRefuses('counter.invalid', ['n']);
    expect(() => spec.given([]).when({ type: 'Add', n: 0 }).thenRefuses('counter.full')).toThrow();
    expect(() => spec.given([]).when({ type: 'Add', n: 0 }).thenRefuses('counter.invalid', ['m'])).toThrow();
    expect(() => spec.given([]).when({ type: 'Add', n: 1 }).thenRefuses('counter.invalid')).toThrow();
    spec
      .given([{ type: 'Added', data: { n: 9 } }])
      .when({ type: 'Add', n: 2 })
      .thenRefuses('counter.full');
  });
  it('fails when an emitted event type has no schema version', () => {
    const strict = deciderSpec(counter, { schemaVersions: {} });
    expect(() =>
      strict
        .given([])
        .when({ type: 'Add', n: 1 })
        .then([{ type: 'Added', data: { n: 1 } }]),
    ).toThrow(/schema version/);
  });
  it('fails when an event would not survive the store (undefined or Date values)', () => {
    const leaky: Decider<Cmd, Ev, number> = {
      ...counter,
      decide: () => [{ type: 'Added', data: { n: 1, at: new Date(0) } as unknown as { n: number } }],
    };
    const s = deciderSpec(leaky);
    expect(() =>
      s
        .given([])
        .when({ type: 'Add', n: 1 })
        .thenEvents(() => {}),
    ).toThrow(/JSON round trip/);
  });
  it('thenNothing fails when events are produced', () => {
    expect(() => spec.given([]).when({ type: 'Add', n: 1 }).thenNothing()).toThrow();
  });
});
