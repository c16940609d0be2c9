import { describe, expect, it } from '@jest/globals';
import { isDnWithin, isValidDn, normaliseDn } from './dn';

describe('DN normalisation', () => {
  it('ignores case and spaces around separators', () => {
    expect(normaliseDn(' CN=Alice Smith , OU=People,DC=Example, dc=TEST ')).toBe(
      'cn=alice smith,ou=people,dc=example,dc=test',
    );
  });
  it('treats hex escapes and backslash escapes as the same character', () => {
    expect(normaliseDn('cn=Smith\\, John,dc=x')).toBe(normaliseDn('cn=Smith\\2C John,dc=x'));
    expect(normaliseDn('cn=J\\C3\\A9r\\C3\\B4me,dc=x')).toBe('cn=jérôme,dc=x');
  });
  it('sorts the AVAs of multi-valued RDNs', () => {
    expect(normaliseDn('uid=a+cn=B,dc=x')).toBe(normaliseDn('CN=b+UID=A,dc=x'));
  });
  it('keeps escaped trailing spaces significant', () => {
    expect(normaliseDn('cn=a\\ ,dc=x')).not.toBe(normaliseDn('cn=a,dc=x'));
  });
  it('rejects malformed DNs', () => {
    expect(isValidDn('not a dn')).toBe(false);
    expect(isValidDn('cn=a,,dc=x')).toBe(false);
    expect(isValidDn('cn=a\\')).toBe(false);
    expect(isValidDn('')).toBe(false);
    expect(isValidDn('cn=a,dc=x')).toBe(true);
  });
});

describe('isDnWithin', () => {
  it('matches the base itself and anything below it, case-insensitively', () => {
    expect(isDnWithin('uid=alice,ou=People,dc=example,dc=test', 'OU=people, DC=EXAMPLE,dc=test')).toBe(true);
    expect(isDnWithin('ou=people,dc=example,dc=test', 'ou=people,dc=example,dc=test')).toBe(true);
  });
  it('matches whole RDNs, not string suffixes', () => {
    expect(isDnWithin('uid=alice,ou=sales,dc=example,dc=test', 'ou=ales,dc=example,dc=test')).toBe(false);
    expect(isDnWithin('uid=alice,ou=people,dc=example,dc=test', 'ou=staff,dc=example,dc=test')).toBe(false);
  });
  it('never matches with an empty or invalid base or DN', () => {
    expect(isDnWithin('uid=alice,dc=test', '')).toBe(false);
    expect(isDnWithin('garbage', 'dc=test')).toBe(false);
    expect(isDnWithin('dc=test', 'uid=alice,dc=test')).toBe(false);
  });
});
