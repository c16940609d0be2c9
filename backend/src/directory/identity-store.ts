import type { IdentityStoreType } from '../config/config.types';

/**
 * The identity-store port: what the rest of Unlock Desk may ask of a directory. Adapters:
 * ActiveDirectoryStore, OpenLdapStore (ppolicy), EntraIdStore. Lock state is always read live.
 */
export interface IdentityStore {
  readonly id: string;
  readonly name: string;
  readonly type: IdentityStoreType;
  readonly capabilities: StoreCapabilities;

  /** Users matching the query in this store (throws StoreUnavailableError when the directory can't be reached). */
  search(query: StoreSearchQuery): Promise<DirectoryAccount[]>;

  /** One account by its stable id (AD objectGUID as a GUID string, LDAP entryUUID); undefined when absent. */
  getAccount(id: string): Promise<DirectoryAccount | undefined>;

  /** One account by its username attribute (sAMAccountName, uid); undefined when absent. */
  findByUsername(username: string): Promise<DirectoryAccount | undefined>;

  /**
   * Unlocks the account with the service account, then reads it back and reports the state actually found.
   * `current`: the account as the caller has just read it from this store (getAccount, in the same request); it
   * stands for the read before the write when the store writes where it reads (no separate write host).
   */
  unlock(id: string, current?: DirectoryAccount): Promise<UnlockResult>;

  /** Binds as the user (agent sign-in, kiosk self-proof) and reports the result precisely. Never throws for bad input. */
  authenticate(username: string, password: string): Promise<AuthenticationResult>;

  /**
   * The account (by stable id) and its groups as they are now, read with the service account; groups as
   * `authenticate` reads them (nested ones included). A signed-in agent's session follows these. undefined when the
   * account no longer exists; throws StoreUnavailableError when the directory can't be read.
   */
  memberships(id: string): Promise<AccountMemberships | undefined>;

  /** Closes pooled connections. */
  close(): Promise<void>;
}

export interface StoreCapabilities {
  canSearch: boolean;
  canUnlock: boolean;
  canAuthenticate: boolean;
  /** Why unlock is not available here (absent when canUnlock). */
  reason?: string;
  /** Other facts worth showing in the capability matrix. */
  notes: string[];
}

export type LockState = 'locked' | 'unlocked' | 'admin-locked';

export interface AccountLock {
  state: LockState;
  /** When the current (or, for an expired lock, the last) lockout started. */
  lockedAt?: string;
  /** When a timed lockout ends by itself. */
  expiresAt?: string;
  /** Failed attempts the directory currently counts (AD badPwdCount, ppolicy number of pwdFailureTime values). */
  failedAttempts?: number;
}

export interface DirectoryAccount {
  storeId: string;
  /** Stable id: AD objectGUID (canonical lower-case GUID), LDAP entryUUID. */
  id: string;
  dn: string;
  username: string;
  displayName?: string;
  email?: string;
  phone?: string;
  employeeId?: string;
  lock: AccountLock;
  disabled: boolean;
  /** ISO time of the last password change; undefined when unknown or when a change is pending (AD pwdLastSet 0). */
  passwordLastChanged?: string;
  /** Raw-ish lockout insight for the helpdesk. */
  insight: AccountInsight;
}

export interface AccountInsight {
  /** AD badPwdCount. */
  badPwdCount?: number;
  /** AD badPasswordTime or the newest ppolicy pwdFailureTime (ISO). */
  lastFailedAt?: string;
  /** ppolicy: number of pwdFailureTime values. */
  pwdFailureCount?: number;
  /** The password must be changed at next logon (AD pwdLastSet 0, ppolicy pwdReset TRUE). */
  passwordMustChange?: boolean;
  /** AD: the password has expired (computed UF_PASSWORD_EXPIRED). */
  passwordExpired?: boolean;
  /** ppolicy: the policy entry that applies (pwdPolicySubentry or the configured default). */
  passwordPolicyDn?: string;
  /** Caveats about how the state was derived (e.g. the password policy entry was unreadable). */
  notes?: string[];
}

export type SearchField = 'name' | 'username' | 'email' | 'employeeId';
export const SEARCH_FIELDS: readonly SearchField[] = ['name', 'username', 'email', 'employeeId'];

export interface StoreSearchQuery {
  /** Text to look for; empty = any account (useful with `locked: true`). */
  text: string;
  /** Fields to match; default all. */
  fields?: SearchField[];
  /** Default `prefix`. */
  match?: 'exact' | 'prefix' | 'contains';
  /** true: only locked (incl. admin-locked), false: only not locked, undefined: both. */
  locked?: boolean;
  /** Most accounts to return (default 50). */
  limit?: number;
}

export type UnlockOutcome = 'unlocked' | 'still-locked' | 'not-found' | 'access-denied' | 'refused' | 'error';

export interface UnlockResult {
  outcome: UnlockOutcome;
  /** The account as read back after the unlock attempt (or as found before a refusal). */
  account?: DirectoryAccount;
  /** Lock state before the write. */
  previousLock?: LockState;
  /** The directory's own error text when it refused the write (e.g. insufficient rights outside the delegated OU). */
  directoryMessage?: string;
  /** Our reason for `refused` / `error`. */
  reason?: string;
}

export type AuthenticationFailure =
  | 'invalid-credentials'
  | 'locked'
  | 'disabled'
  | 'password-must-change'
  | 'password-expired'
  | 'unavailable';

export interface GroupRef {
  dn: string;
  name: string;
}

export interface AccountMemberships {
  account: DirectoryAccount;
  groups: GroupRef[];
}

export type AuthenticationResult =
  | { result: 'ok'; account: DirectoryAccount; groups: GroupRef[] }
  | { result: AuthenticationFailure; detail?: string; directoryMessage?: string };

/** The store could not be reached or answered with a server-side fault (not an LDAP result about the data). */
export class StoreUnavailableError extends Error {
  constructor(
    readonly storeId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
