import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, LinkAttribute } from '../config/config.types';
import type { DirectoryAccount, IdentityStore, StoreSearchQuery } from './identity-store';
import { IdentityStoreRegistry } from './identity-store.registry';
import { DEFAULT_SEARCH_LIMIT, describe, MAX_SEARCH_LIMIT } from './ldap-store.base';

export interface DirectorySearchQuery extends StoreSearchQuery {
  /** Store ids to search; default every store that can search. */
  stores?: string[];
}

export interface DirectorySearchResult {
  results: DirectoryAccount[];
  /** Stores that failed; the other stores' results are still returned. */
  errors: { storeId: string; message: string }[];
  /** Stores that were asked for but cannot be searched (e.g. Entra ID), with the reason. */
  skipped: { storeId: string; reason: string }[];
  /** More accounts matched than `limit`. */
  truncated: boolean;
}

export class UnknownStoreError extends Error {
  constructor(readonly storeIds: string[]) {
    super(`unknown identity store${storeIds.length > 1 ? 's' : ''}: ${storeIds.join(', ')}`);
    this.name = 'UnknownStoreError';
  }
}

/** Search across identity stores: merged, sorted, and partial (with named errors) when a store fails. */
@Injectable()
export class DirectorySearchService {
  constructor(
    private readonly registry: IdentityStoreRegistry,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'links'>,
  ) {}

  async search(query: DirectorySearchQuery): Promise<DirectorySearchResult> {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_SEARCH_LIMIT, 1), MAX_SEARCH_LIMIT);
    const wanted = query.stores?.length ? [...new Set(query.stores)] : undefined;
    const unknown = (wanted ?? []).filter((id) => !this.registry.get(id));
    if (unknown.length) throw new UnknownStoreError(unknown);
    const stores = wanted
      ? wanted.map((id) => this.registry.get(id)).filter((s): s is IdentityStore => !!s)
      : this.registry.list();
    const skipped = stores
      .filter((s) => !s.capabilities.canSearch)
      .map((s) => ({ storeId: s.id, reason: s.capabilities.notes[0] ?? 'search is not supported' }));
    const searchable = stores.filter((s) => s.capabilities.canSearch);
    // Ask each store for one more than the limit, to know whether the merged list was cut.
    const settled = await Promise.allSettled(searchable.map((s) => s.search({ ...query, limit: limit + 1 })));
    const results: DirectoryAccount[] = [];
    const errors: DirectorySearchResult['errors'] = [];
    settled.forEach((r, i) => {
      if (r.status === 'fulfilled') results.push(...r.value);
      else errors.push({ storeId: searchable[i].id, message: describe(r.reason) });
    });
    results.sort(compareAccounts);
    return { results: results.slice(0, limit), errors, skipped, truncated: results.length > limit };
  }

  /**
   * Accounts in other stores that configured link rules say belong to the same person as `account` (equal
   * employee id, email or username, compared case-insensitively), with their live lock state.
   */
  async linkedAccounts(account: DirectoryAccount): Promise<DirectorySearchResult> {
    const results: DirectoryAccount[] = [];
    const errors: DirectorySearchResult['errors'] = [];
    const seen = new Set<string>([`${account.storeId}/${account.id}`]);
    for (const rule of this.config.links.rules) {
      if (!rule.stores.includes(account.storeId)) continue;
      const value = linkValue(account, rule.attribute);
      if (!value) continue;
      const others = rule.stores.filter((s) => s !== account.storeId && this.registry.get(s)?.capabilities.canSearch);
      const found = await this.search({
        text: value,
        fields: [rule.attribute],
        match: 'exact',
        stores: others,
      });
      errors.push(...found.errors);
      for (const other of found.results) {
        const key = `${other.storeId}/${other.id}`;
        if (seen.has(key) || linkValue(other, rule.attribute) !== value) continue;
        seen.add(key);
        results.push(other);
      }
    }
    results.sort(compareAccounts);
    return { results, errors, skipped: [], truncated: false };
  }
}

function linkValue(account: DirectoryAccount, attribute: LinkAttribute): string | undefined {
  const v = account[attribute];
  return v ? v.trim().toLowerCase() : undefined;
}

export function compareAccounts(a: DirectoryAccount, b: DirectoryAccount): number {
  const name = (x: DirectoryAccount) => (x.displayName ?? x.username).toLocaleLowerCase();
  return (
    name(a).localeCompare(name(b)) ||
    a.username.localeCompare(b.username) ||
    a.storeId.localeCompare(b.storeId) ||
    a.id.localeCompare(b.id)
  );
}
