/** Pure conversions for Active Directory values: FILETIME, objectGUID, and bind error codes. */

/** 100-ns intervals between 1601-01-01 and 1970-01-01. */
const FILETIME_EPOCH_OFFSET = 116_444_736_000_000_000n;
const FILETIME_NEVER = 9_223_372_036_854_775_807n;

/**
 * Windows FILETIME (100-ns ticks since 1601, as the decimal string AD returns for lockoutTime, pwdLastSet,
 * badPasswordTime) to a Date. `0`, "never" (2^63-1) and garbage give undefined.
 */
export function filetimeToDate(value: string | undefined): Date | undefined {
  if (!value || !/^-?\d+$/.test(value)) return undefined;
  const ticks = BigInt(value);
  if (ticks <= 0n || ticks >= FILETIME_NEVER) return undefined;
  return new Date(Number((ticks - FILETIME_EPOCH_OFFSET) / 10_000n));
}

export function dateToFiletime(date: Date): string {
  return (BigInt(date.getTime()) * 10_000n + FILETIME_EPOCH_OFFSET).toString();
}

/**
 * objectGUID bytes to the canonical GUID string. The first three groups are little-endian in the binary form
 * (Data1 uint32, Data2 and Data3 uint16), the last 8 bytes are in order.
 */
export function guidToString(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`objectGUID must be 16 bytes, got ${bytes.length}`);
  const h = (from: number, to: number, reverse: boolean) => {
    const part = Buffer.from(bytes.subarray(from, to));
    return (reverse ? part.reverse() : part).toString('hex');
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10, false)}-${h(10, 16, false)}`;
}

const GUID_RE = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

export function isGuid(value: string): boolean {
  return GUID_RE.test(value);
}

/** The inverse of guidToString; throws on a malformed GUID. */
export function guidToBytes(guid: string): Buffer {
  const m = GUID_RE.exec(guid.trim());
  if (!m) throw new Error(`not a GUID: ${guid}`);
  const le = (hex: string) => Buffer.from(hex, 'hex').reverse();
  return Buffer.concat([le(m[1]), le(m[2]), le(m[3]), Buffer.from(m[4], 'hex'), Buffer.from(m[5], 'hex')]);
}

export type AdBindFailure =
  | 'invalid-credentials'
  | 'locked'
  | 'disabled'
  | 'password-must-change'
  | 'password-expired'
  | 'account-expired'
  | 'not-permitted';

/**
 * The `data XXX` code in an AD bind error (`80090308: LdapErr: DSID-…, comment: AcceptSecurityContext error,
 * data 775, v1db1`) mapped to what it means. 525 (no such user) and 52e (bad password) are both reported as
 * invalid credentials on purpose.
 */
export function classifyAdBindError(message: string): { failure: AdBindFailure; code?: string } {
  const m = /\bdata ([0-9a-f]{3,8})\b/i.exec(message);
  const code = m?.[1].toLowerCase();
  switch (code) {
    case '775':
      return { failure: 'locked', code };
    case '533':
      return { failure: 'disabled', code };
    case '773':
      return { failure: 'password-must-change', code };
    case '532':
      return { failure: 'password-expired', code };
    case '701':
      return { failure: 'account-expired', code };
    case '530':
    case '531':
      return { failure: 'not-permitted', code };
    default:
      return { failure: 'invalid-credentials', code };
  }
}

/** userAccountControl / msDS-User-Account-Control-Computed flags used here. */
export const UF = {
  ACCOUNTDISABLE: 0x2,
  LOCKOUT: 0x10,
  DONT_EXPIRE_PASSWD: 0x10000,
  PASSWORD_EXPIRED: 0x800000,
} as const;

/** `(objectGUID=\\xx…)`: the escaped binary filter for a GUID string (for logs and tools like ldapsearch). */
export function objectGuidFilterString(guid: string): string {
  let out = '';
  for (const byte of guidToBytes(guid)) out += `\\${byte.toString(16).padStart(2, '0')}`;
  return `(objectGUID=${out})`;
}
