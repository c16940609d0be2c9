/** Pure helpers for the OpenLDAP ppolicy overlay (draft-behera): generalized time and lock-state derivation. */

/** The value ppolicy treats as a permanent, administrative lock (never expires, only an administrator removes it). */
export const PERMANENT_LOCK = '000001010000Z';

/**
 * Parses LDAP GeneralizedTime as ppolicy writes it (`20261126043131Z`, `20261126043131.397713Z`, also with
 * minutes/offset forms `…+0100`). Returns undefined for the permanent-lock marker and for garbage.
 */
export function parseGeneralizedTime(value: string | undefined): Date | undefined {
  if (!value || value === PERMANENT_LOCK) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi = '00', s = '00', frac = '0', tz] = m;
  const ms = Math.round(Number(`0.${frac}`) * 1000);
  let t = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms);
  if (tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    t -= sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5) || '0')) * 60_000;
  }
  return Number.isNaN(t) ? undefined : new Date(t);
}

export interface PpolicyLockInput {
  pwdAccountLockedTime?: string;
  pwdFailureTimes: string[];
  /** pwdLockoutDuration of the effective policy in seconds; 0 = until an administrator unlocks. */
  lockoutDurationSeconds: number;
  now: Date;
}

export interface DerivedLock {
  state: 'locked' | 'unlocked' | 'admin-locked';
  lockedAt?: string;
  /** When a timed lockout ends by itself (pwdLockoutDuration > 0). */
  expiresAt?: string;
  failedAttempts: number;
}

/**
 * ppolicy lock state: locked when pwdAccountLockedTime is present and not expired under pwdLockoutDuration;
 * `000001010000Z` is an administrative lock. An expired lock is reported unlocked (slapd lets the next bind in).
 */
export function derivePpolicyLock(input: PpolicyLockInput): DerivedLock {
  const failedAttempts = input.pwdFailureTimes.length;
  const raw = input.pwdAccountLockedTime;
  if (!raw) return { state: 'unlocked', failedAttempts };
  if (raw === PERMANENT_LOCK) return { state: 'admin-locked', failedAttempts };
  const lockedAt = parseGeneralizedTime(raw);
  // An unparsable value is treated as locked: slapd refuses the bind when it cannot read the time either.
  if (!lockedAt) return { state: 'locked', failedAttempts };
  if (input.lockoutDurationSeconds > 0) {
    const expiresAt = new Date(lockedAt.getTime() + input.lockoutDurationSeconds * 1000);
    if (expiresAt.getTime() <= input.now.getTime())
      return { state: 'unlocked', lockedAt: lockedAt.toISOString(), failedAttempts };
    return { state: 'locked', lockedAt: lockedAt.toISOString(), expiresAt: expiresAt.toISOString(), failedAttempts };
  }
  return { state: 'locked', lockedAt: lockedAt.toISOString(), failedAttempts };
}
