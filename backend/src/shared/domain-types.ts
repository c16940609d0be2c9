/** Small domain vocabulary shared by policy, enrollment and helpdesk. */

export const IDENTITY_STORE_TYPES = ['active-directory', 'ldap', 'entra-id'] as const;
export type IdentityStoreType = (typeof IDENTITY_STORE_TYPES)[number];

/** The enrolled authentication types a user can be verified with (four types: policy counts 1..4). */
export const AUTHENTICATION_TYPES = ['securityQuestions', 'authenticator', 'email', 'phone'] as const;
export type AuthenticationType = (typeof AUTHENTICATION_TYPES)[number];

export function isAuthenticationType(value: unknown): value is AuthenticationType {
  return typeof value === 'string' && (AUTHENTICATION_TYPES as readonly string[]).includes(value);
}

/** Channels a one-time code can be sent to. */
export type CodeChannel = 'email' | 'phone';

/** A directory account: its store and the store's stable user id, plus its DN (for scope checks). */
export type AccountRef = { storeId: string; userId: string; dn: string };

/**
 * Lock state as read live from the directory (never cached as truth).
 * - `locked`: AD UF_LOCKOUT in msDS-User-Account-Control-Computed; ppolicy pwdAccountLockedTime present and not expired.
 * - `permanentlyLocked`: ppolicy `000001010000Z` administrative lock; not unlockable by the helpdesk.
 * - `notLocked`: anything else (a disabled account that is not locked is `notLocked`, `disabled: true`).
 */
export type LockState = 'locked' | 'notLocked' | 'permanentlyLocked';

/** What the directory says about an account right now (before an unlock, or read back after one). */
export type DirectoryAccountState = {
  lockState: LockState;
  disabled?: boolean;
  lockedAt?: string;
  failedAttempts?: number;
};

export function accountKey(account: { storeId: string; userId: string }): string {
  return `${account.storeId}/${account.userId.toLowerCase()}`;
}

export function sameAccount(a: { storeId: string; userId: string }, b: { storeId: string; userId: string }): boolean {
  return accountKey(a) === accountKey(b);
}

export function iso(date: Date): string {
  return date.toISOString();
}

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}
