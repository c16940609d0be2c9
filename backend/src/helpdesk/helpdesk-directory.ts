/**
 * What the helpdesk handlers read from the identity stores: an account with its live lock state (as the domain's
 * DirectoryAccountState), and the accounts linked to it (configured rules ∪ explicit links − explicit unlinks).
 */
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { DirectorySearchService } from '../directory/directory-search.service';
import type { AccountLock, DirectoryAccount, IdentityStore } from '../directory/identity-store';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import { refuse } from '../shared/decider';
import { accountKey, type DirectoryAccountState, type LockState } from '../shared/domain-types';
import type { CaseAccount } from './case.events';
import { HelpdeskReadModel } from './helpdesk.read-model';

/** An account as the helpdesk sees it: the directory's view (null for Entra ID, which cannot be read here). */
export type ResolvedAccount = {
  store: IdentityStore;
  ref: CaseAccount;
  account: DirectoryAccount | null;
  state: DirectoryAccountState;
};

/** The account's reference with the directory's display name, as case events record it (history names people by it). */
export function namedRef(a: Pick<ResolvedAccount, 'ref' | 'account'>): CaseAccount {
  const displayName = a.account?.displayName?.trim();
  return displayName ? { ...a.ref, displayName } : a.ref;
}

export type LinkedAccountView = ResolvedAccount & { linkedBy: ('rule' | 'explicit')[] };

export function domainLockState(lock: AccountLock['state']): LockState {
  return lock === 'locked' ? 'locked' : lock === 'admin-locked' ? 'permanentlyLocked' : 'notLocked';
}

/** The API speaks the directory's vocabulary (locked / unlocked / admin-locked), as GET /api/directory does. */
export function apiLockState(state: LockState): AccountLock['state'] {
  return state === 'locked' ? 'locked' : state === 'permanentlyLocked' ? 'admin-locked' : 'unlocked';
}

export function accountState(account: DirectoryAccount): DirectoryAccountState {
  const state: DirectoryAccountState = { lockState: domainLockState(account.lock.state), disabled: account.disabled };
  if (account.lock.lockedAt !== undefined) state.lockedAt = account.lock.lockedAt;
  if (account.lock.failedAttempts !== undefined) state.failedAttempts = account.lock.failedAttempts;
  return state;
}

export function lockView(state: DirectoryAccountState) {
  return {
    state: apiLockState(state.lockState),
    ...(state.lockedAt !== undefined ? { lockedAt: state.lockedAt } : {}),
    ...(state.failedAttempts !== undefined ? { failedAttempts: state.failedAttempts } : {}),
    ...(state.disabled !== undefined ? { disabled: state.disabled } : {}),
  };
}

@Injectable()
export class HelpdeskDirectory {
  constructor(
    private readonly registry: IdentityStoreRegistry,
    private readonly search: DirectorySearchService,
    private readonly readModel: HelpdeskReadModel,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  store(storeId: string): IdentityStore {
    const store = this.registry.get(storeId);
    if (!store)
      refuse('user.notFound', `There is no identity store ${storeId}`, [
        { field: 'storeId', message: 'is not a configured identity store' },
      ]);
    return store;
  }

  resolvedFrom(store: IdentityStore, account: DirectoryAccount): ResolvedAccount {
    return {
      store,
      ref: { storeId: store.id, storeType: store.type, userId: account.id, dn: account.dn },
      account,
      state: accountState(account),
    };
  }

  /**
   * One account, read live. Entra ID accounts cannot be read here (no Microsoft Graph client): they are known by id
   * only (the DN is the id, the lock state unknown and reported as not locked); every unlock of them is refused.
   */
  async resolve(storeId: string, userId: string): Promise<ResolvedAccount> {
    const store = this.store(storeId);
    if (store.type === 'entra-id') {
      return {
        store,
        ref: { storeId, storeType: 'entra-id', userId, dn: userId },
        account: null,
        state: { lockState: 'notLocked' },
      };
    }
    const account = await store.getAccount(userId);
    if (!account)
      refuse('user.notFound', `There is no account ${userId} in ${store.name}`, [
        { field: 'userId', message: 'is not an account in this identity store' },
      ]);
    return this.resolvedFrom(store, account);
  }

  /** Linked accounts with their live lock state: configured rules ∪ explicit links − explicit unlinks. */
  async linked(
    subject: ResolvedAccount,
  ): Promise<{ accounts: LinkedAccountView[]; errors: { storeId: string; message: string }[] }> {
    const explicit = this.readModel.explicitLinks(subject.ref);
    const unlinked = new Set(explicit.filter((l) => l.state === 'unlinked').map((l) => accountKey(l.other)));
    const byKey = new Map<string, LinkedAccountView>();
    const errors: { storeId: string; message: string }[] = [];
    if (subject.account && this.config.links.rules.length > 0) {
      const found = await this.search.linkedAccounts(subject.account);
      errors.push(...found.errors);
      for (const a of found.results) {
        const store = this.registry.get(a.storeId);
        if (!store) continue;
        const r = this.resolvedFrom(store, a);
        if (!unlinked.has(accountKey(r.ref))) byKey.set(accountKey(r.ref), { ...r, linkedBy: ['rule'] });
      }
    }
    const wanted = explicit.filter((l) => l.state === 'linked');
    const settled = await Promise.allSettled(
      wanted.map(async (l) => {
        const key = accountKey(l.other);
        const known = byKey.get(key);
        if (known) {
          known.linkedBy.push('explicit');
          return;
        }
        if (!this.registry.get(l.other.storeId)) return;
        const r = await this.resolve(l.other.storeId, l.other.userId).catch((err) => {
          if ((err as { code?: string }).code === 'user.notFound') return undefined;
          throw err;
        });
        if (r) byKey.set(key, { ...r, linkedBy: ['explicit'] });
      }),
    );
    settled.forEach((s, i) => {
      if (s.status === 'rejected') {
        errors.push({
          storeId: wanted[i]?.other.storeId ?? '?',
          message: String((s.reason as Error)?.message ?? s.reason),
        });
      }
    });
    const accounts = [...byKey.values()].sort(
      (a, b) => a.ref.storeId.localeCompare(b.ref.storeId) || a.ref.userId.localeCompare(b.ref.userId),
    );
    return { accounts, errors };
  }
}
