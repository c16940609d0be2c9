import { describe, expect, it } from '@jest/globals';
import { FilterParser } from 'ldapts';
import {
  classifyAdBindError,
  dateToFiletime,
  filetimeToDate,
  guidToBytes,
  guidToString,
  isGuid,
} from '../../src/directory/ad-codec';
import {
  allOf,
  anyOf,
  assertion,
  escapeDnValue,
  escapeFilterValue,
  hasControlCharacters,
} from '../../src/directory/ldap-escape';
import { derivePpolicyLock, PERMANENT_LOCK, parseGeneralizedTime } from '../../src/directory/ppolicy';

describe('escapeFilterValue (RFC 4515)', () => {
  it('escapes the five special characters', () => {
    expect(escapeFilterValue('*')).toBe('\\2a');
    expect(escapeFilterValue(')(')).toBe('\\29\\28');
    expect(escapeFilterValue('a\\b')).toBe('a\\5cb');
    expect(escapeFilterValue('x\0y')).toBe('x\\00y');
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
  });
  it('leaves ordinary and non-ASCII text alone', () => {
    expect(escapeFilterValue("Zoë Ångström-O'Neil")).toBe("Zoë Ångström-O'Neil");
  });
  it('escapes every byte of a Buffer', () => {
    expect(escapeFilterValue(Buffer.from([0x00, 0x2a, 0xff]))).toBe('\\00\\2a\\ff');
  });
  it('an injected value stays one equality assertion after parsing', () => {
    const filter = allOf(['(objectClass=person)', assertion('uid', '*)(uid=*', 'exact')]);
    const parsed = FilterParser.parseString(filter);
    expect(parsed.toString()).toBe('(&(objectClass=person)(uid=\\2a\\29\\28uid=\\2a))');
    const contains = FilterParser.parseString(assertion('cn', 'a*b)', 'contains'));
    expect(contains.toString()).toBe('(cn=*a\\2ab\\29*)');
  });
  it('builds prefix / contains / presence assertions and rejects bad attribute names', () => {
    expect(assertion('mail', 'al', 'prefix')).toBe('(mail=al*)');
    expect(assertion('mail', 'al', 'contains')).toBe('(mail=*al*)');
    expect(assertion('mail', '', 'exact')).toBe('(mail=*)');
    expect(() => assertion('mail)(x', 'a', 'exact')).toThrow(/bad attribute/);
    expect(anyOf(['(a=1)', '(a=1)'])).toBe('(a=1)');
    expect(anyOf(['(a=1)', '(b=2)'])).toBe('(|(a=1)(b=2))');
    expect(allOf([undefined, '(a=1)'])).toBe('(a=1)');
  });
});

describe('escapeDnValue (RFC 4514)', () => {
  it('escapes specials, leading # and spaces, trailing space, NUL', () => {
    expect(escapeDnValue('Baker, Bob')).toBe('Baker\\, Bob');
    expect(escapeDnValue('a+b;c<d>e"f\\g=h')).toBe('a\\+b\\;c\\<d\\>e\\"f\\\\g\\=h');
    expect(escapeDnValue('#1')).toBe('\\#1');
    expect(escapeDnValue(' x ')).toBe('\\ x\\ ');
    expect(escapeDnValue('a\0b')).toBe('a\\00b');
    expect(escapeDnValue('a#b')).toBe('a#b');
  });
});

describe('FILETIME', () => {
  it('converts known values', () => {
    // 2024-01-01T00:00:00Z
    expect(filetimeToDate('133485408000000000')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(filetimeToDate('116444736000000000')?.toISOString()).toBe('1970-01-01T00:00:00.000Z');
  });
  it('treats 0, never, and garbage as no date', () => {
    expect(filetimeToDate('0')).toBeUndefined();
    expect(filetimeToDate('9223372036854775807')).toBeUndefined();
    expect(filetimeToDate('abc')).toBeUndefined();
    expect(filetimeToDate(undefined)).toBeUndefined();
  });
  it('round-trips', () => {
    const d = new Date('2026-11-26T04:31:31.397Z');
    expect(filetimeToDate(dateToFiletime(d))?.getTime()).toBe(d.getTime());
  });
});

describe('objectGUID', () => {
  // {3F2504E0-4F89-11D3-9A0C-0305E82C3301} is stored as E0 04 25 3F | 89 4F | D3 11 | 9A 0C | 03 05 E8 2C 33 01.
  const bytes = Buffer.from('e004253f894fd3119a0c0305e82c3301', 'hex');
  it('binary to canonical string (mixed endian)', () => {
    expect(guidToString(bytes)).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
  });
  it('string back to the same bytes, with or without braces / upper case', () => {
    expect(guidToBytes('3f2504e0-4f89-11d3-9a0c-0305e82c3301').equals(bytes)).toBe(true);
    expect(guidToBytes('{3F2504E0-4F89-11D3-9A0C-0305E82C3301}').equals(bytes)).toBe(true);
  });
  it('rejects malformed GUIDs', () => {
    expect(isGuid('not-a-guid')).toBe(false);
    expect(isGuid('*')).toBe(false);
    expect(() => guidToBytes('*)(objectClass=*')).toThrow(/not a GUID/);
    expect(() => guidToString(Buffer.alloc(3))).toThrow(/16 bytes/);
  });
});

describe('AD bind errors', () => {
  const msg = (code: string) =>
    `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${code}, v1db1`;
  it.each([
    ['52e', 'invalid-credentials'],
    ['525', 'invalid-credentials'],
    ['775', 'locked'],
    ['533', 'disabled'],
    ['773', 'password-must-change'],
    ['532', 'password-expired'],
    ['701', 'account-expired'],
    ['530', 'not-permitted'],
  ])('data %s => %s', (code, failure) => {
    expect(classifyAdBindError(msg(code)).failure).toBe(failure);
  });
  it('no data code => invalid credentials', () => {
    expect(classifyAdBindError('').failure).toBe('invalid-credentials');
  });
});

describe('ppolicy lock state', () => {
  const now = new Date('2026-11-26T05:00:00Z');
  it('parses generalized time with fractions and offsets', () => {
    expect(parseGeneralizedTime('20261126043131Z')?.toISOString()).toBe('2026-11-26T04:31:31.000Z');
    expect(parseGeneralizedTime('20261126043131.397713Z')?.toISOString()).toBe('2026-11-26T04:31:31.398Z');
    expect(parseGeneralizedTime('20261126053131+0100')?.toISOString()).toBe('2026-11-26T04:31:31.000Z');
    expect(parseGeneralizedTime(PERMANENT_LOCK)).toBeUndefined();
    expect(parseGeneralizedTime('yesterday')).toBeUndefined();
  });
  it('no pwdAccountLockedTime => unlocked, failures counted', () => {
    expect(
      derivePpolicyLock({ pwdFailureTimes: ['20261126045900Z', '20261126045901Z'], lockoutDurationSeconds: 0, now }),
    ).toEqual({ state: 'unlocked', failedAttempts: 2 });
  });
  it('000001010000Z => admin-locked regardless of duration', () => {
    expect(
      derivePpolicyLock({ pwdAccountLockedTime: PERMANENT_LOCK, pwdFailureTimes: [], lockoutDurationSeconds: 60, now })
        .state,
    ).toBe('admin-locked');
  });
  it('duration 0 => locked until an administrator unlocks', () => {
    const r = derivePpolicyLock({
      pwdAccountLockedTime: '20200101000000Z',
      pwdFailureTimes: [],
      lockoutDurationSeconds: 0,
      now,
    });
    expect(r).toEqual({ state: 'locked', lockedAt: '2020-01-01T00:00:00.000Z', failedAttempts: 0 });
  });
  it('duration > 0 => locked until it expires, then unlocked', () => {
    const lockedAt = '20261126045930Z';
    const locked = derivePpolicyLock({
      pwdAccountLockedTime: lockedAt,
      pwdFailureTimes: ['x', 'y', 'z'],
      lockoutDurationSeconds: 60,
      now,
    });
    expect(locked).toEqual({
      state: 'locked',
      lockedAt: '2026-11-26T04:59:30.000Z',
      expiresAt: '2026-11-26T05:00:30.000Z',
      failedAttempts: 3,
    });
    const expired = derivePpolicyLock({
      pwdAccountLockedTime: lockedAt,
      pwdFailureTimes: [],
      lockoutDurationSeconds: 30,
      now,
    });
    expect(expired.state).toBe('unlocked');
  });
});

describe('hasControlCharacters', () => {
  it('flags NUL and other control characters, not ordinary text', () => {
    expect(hasControlCharacters('a\0')).toBe(true);
    expect(hasControlCharacters('a\nb')).toBe(true);
    expect(hasControlCharacters('\\00')).toBe(false);
    expect(hasControlCharacters('Zoë *)(')).toBe(false);
  });
});
