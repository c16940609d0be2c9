import { describe, expect, it } from '@jest/globals';
import { createUpcaster, UnknownEventError } from './events';

type V3 = { type: 'Renamed'; data: { fullName: string; source: string } } | { type: 'Other'; data: { n: number } };

describe('createUpcaster', () => {
  const upcast = createUpcaster<V3>(
    { Renamed: 3, Other: 1 },
    {
      Renamed: {
        1: (d) => ({ fullName: (d as { name: string }).name }),
        2: (d) => ({ ...(d as object), source: 'unknown' }),
      },
    },
  );
  it('applies every step from the stored version to the current one, in order', () => {
    expect(upcast({ type: 'Renamed', data: { name: 'Ann' }, schemaVersion: 1 })).toEqual({
      type: 'Renamed',
      data: { fullName: 'Ann', source: 'unknown' },
    });
    expect(upcast({ type: 'Renamed', data: { fullName: 'Ann' }, schemaVersion: 2 }).data).toEqual({
      fullName: 'Ann',
      source: 'unknown',
    });
  });
  it('leaves current events alone and treats a missing version as 1', () => {
    expect(upcast({ type: 'Renamed', data: { fullName: 'A', source: 's' }, schemaVersion: 3 }).data).toEqual({
      fullName: 'A',
      source: 's',
    });
    expect(upcast({ type: 'Other', data: { n: 1 } })).toEqual({ type: 'Other', data: { n: 1 } });
  });
  it('refuses unknown types, versions from the future, invalid versions and missing steps', () => {
    expect(() => upcast({ type: 'Nope', data: {} })).toThrow(UnknownEventError);
    expect(() => upcast({ type: 'Other', data: {}, schemaVersion: 2 })).toThrow(/newer/);
    expect(() => upcast({ type: 'Other', data: {}, schemaVersion: 0 })).toThrow(/Invalid schema version/);
    const gap = createUpcaster<V3>({ Renamed: 3, Other: 1 }, { Renamed: { 2: (d) => d } });
    expect(() => gap({ type: 'Renamed', data: {}, schemaVersion: 1 })).toThrow(/No upcaster/);
  });
});
