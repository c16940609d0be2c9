import { AndFilter, type Client, type Control, type Entry, type Filter, FilterParser } from 'ldapts';
import type { LdapStoreConfig } from '../config/config.types';
import {
  type AccountMemberships,
  type AuthenticationResult,
  type DirectoryAccount,
  type GroupRef,
  type IdentityStore,
  SEARCH_FIELDS,
  type SearchField,
  type StoreCapabilities,
  type StoreSearchQuery,
  StoreUnavailableError,
  type UnlockResult,
} from './identity-store';
import { allOf, anyOf, assertion, hasControlCharacters } from './ldap-escape';
import { directoryText, isLdapResult, LdapConnector, LdapPool } from './ldap-pool';

/** Case-insensitive, shape-normalising access to an ldapts search entry (absent = [], one value = string, …). */
export class EntryView {
  private readonly values = new Map<string, Entry[string]>();

  constructor(readonly entry: Entry) {
    for (const [key, value] of Object.entries(entry)) if (key !== 'dn') this.values.set(key.toLowerCase(), value);
  }

  get dn(): string {
    return this.entry.dn;
  }

  all(attribute: string): string[] {
    const v = this.values.get(attribute.toLowerCase());
    if (v === undefined) return [];
    const list = Array.isArray(v) ? v : [v];
    return list.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : x));
  }

  first(attribute: string): string | undefined {
    return this.all(attribute).find((x) => x !== '');
  }

  firstOf(attributes: string[]): string | undefined {
    for (const a of attributes) {
      const v = this.first(a);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  buffer(attribute: string): Buffer | undefined {
    const v = this.values.get(attribute.toLowerCase());
    const one = Array.isArray(v) ? v[0] : v;
    return Buffer.isBuffer(one) ? one : undefined;
  }

  int(attribute: string): number | undefined {
    const v = this.first(attribute);
    if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
    return Number(v);
  }
}

export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 1000;

/**
 * What AD and OpenLDAP share: pooled service connections (a separate pool for AD's write host), user search with
 * escaped filters and paged results, lookup by stable id, unlock with read-back, and agent sign-in by bind.
 */
export abstract class LdapIdentityStore implements IdentityStore {
  readonly id: string;
  readonly name: string;
  readonly type: 'active-directory' | 'ldap';
  abstract readonly capabilities: StoreCapabilities;

  /** Service-account connections for reads. */
  protected readonly readPool: LdapPool;
  /** Service-account connections for writes (the write host when configured, else the read pool). */
  protected readonly writePool: LdapPool;
  /** Connections for user binds (sign-in), on the read URLs. */
  protected readonly userConnector: LdapConnector;

  protected constructor(
    readonly config: LdapStoreConfig,
    protected readonly now: () => Date = () => new Date(),
  ) {
    this.id = config.id;
    this.name = config.name;
    this.type = config.type;
    const endpoint = {
      storeId: config.id,
      tls: config.tls,
      connectMs: config.timeouts.connectMs,
      operationMs: config.timeouts.operationMs,
    };
    const bind = { dn: config.bind.dn, password: () => config.bind.password.reveal() };
    this.userConnector = new LdapConnector({ ...endpoint, urls: config.urls });
    this.readPool = new LdapPool(new LdapConnector({ ...endpoint, urls: config.urls }), bind, config.poolSize);
    this.writePool = config.writeUrl
      ? new LdapPool(
          new LdapConnector({ ...endpoint, urls: [config.writeUrl] }),
          bind,
          Math.max(1, config.poolSize >> 1),
        )
      : this.readPool;
  }

  /** Attributes requested for an account (computed/operational ones by name). */
  protected abstract readonly accountAttributes: string[];
  /** Attributes that must come back as Buffers. */
  protected abstract readonly binaryAttributes: string[];
  /**
   * The filter for a stable id, or undefined when the id is malformed for this store type. A Filter object is
   * needed for binary values: ldapts' filter-string parser turns `\xx` escapes >= 0x80 into UTF-16 code units
   * and re-encodes them as UTF-8, which corrupts binary assertions such as objectGUID.
   */
  protected abstract idFilter(id: string): Filter | string | undefined;
  /** A server-side pre-filter that every locked account matches (it may match unlocked ones too). */
  protected abstract lockedPrefilter(): string | undefined;
  protected abstract toAccount(entry: EntryView, client: Client): Promise<DirectoryAccount>;
  /** Why the helpdesk must not unlock this account, if so. */
  protected abstract unlockRefusal(account: DirectoryAccount): string | undefined;
  protected abstract writeUnlock(client: Client, account: DirectoryAccount): Promise<void>;
  /** Controls sent with a user bind (ppolicy request control). */
  protected abstract bindControls(): Control[];
  /** Classifies a failed user bind (an LDAP result error). */
  protected abstract bindFailure(
    err: Error,
    controls: Control[],
    account: DirectoryAccount,
  ): Promise<AuthenticationResult> | AuthenticationResult;
  /** A successful bind can still mean "must change password" (ppolicy changeAfterReset). */
  protected abstract bindSuccessProblem(controls: Control[]): AuthenticationResult | undefined;
  protected abstract groupsOf(client: Client, dn: string): Promise<GroupRef[]>;

  private async account(entry: EntryView, client: Client): Promise<DirectoryAccount> {
    const account = await this.toAccount(entry, client);
    this.rememberDn(account);
    return account;
  }

  /** Attributes matched for a search field. */
  protected searchAttributes(field: SearchField): string[] {
    const a = this.config.attributes;
    switch (field) {
      case 'name':
        return [...a.displayName, 'cn', 'givenName', 'sn'];
      case 'username':
        return [a.username];
      case 'email':
        return a.email;
      case 'employeeId':
        return a.employeeId;
    }
  }

  /** The full search filter for a query (exposed for tests and the benchmark's direct-ldapts floor). */
  buildSearchFilter(query: StoreSearchQuery): string {
    const text = query.text.trim();
    const match = query.match ?? 'prefix';
    const fields = query.fields?.length ? query.fields : SEARCH_FIELDS;
    const textFilter = text
      ? anyOf(fields.flatMap((f) => this.searchAttributes(f)).map((attr) => assertion(attr, text, match)))
      : undefined;
    return allOf([this.config.userFilter, textFilter, query.locked === true ? this.lockedPrefilter() : undefined]);
  }

  get searchAttributeList(): string[] {
    return this.accountAttributes;
  }

  async search(query: StoreSearchQuery): Promise<DirectoryAccount[]> {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_SEARCH_LIMIT, 1), MAX_SEARCH_LIMIT);
    if (hasControlCharacters(query.text)) return [];
    const filter = this.buildSearchFilter(query);
    // Lock state can't be filtered exactly on the server: AD's msDS-User-Account-Control-Computed is a constructed
    // attribute (not filterable) and ppolicy expiry depends on pwdLockoutDuration. So `locked: true` narrows with a
    // pre-filter every locked account matches (lockoutTime>=1 / pwdAccountLockedTime=*), and both `true` and `false`
    // are decided after reading each entry.
    const postFilter = query.locked !== undefined;
    const pageSize = postFilter ? this.config.pageSize : Math.min(this.config.pageSize, limit);
    return this.readPool.use(async (client) => {
      const out: DirectoryAccount[] = [];
      for (const base of this.config.userBaseDns) {
        const pages = client.searchPaginated(base, {
          scope: 'sub',
          filter,
          attributes: this.accountAttributes,
          explicitBufferAttributes: this.binaryAttributes,
          paged: { pageSize },
        });
        for await (const page of pages) {
          for (const entry of page.searchEntries) {
            const account = await this.account(new EntryView(entry), client);
            if (postFilter && (account.lock.state !== 'unlocked') !== query.locked) continue;
            out.push(account);
            if (out.length >= limit) return out;
          }
        }
      }
      return out;
    });
  }

  async getAccount(id: string): Promise<DirectoryAccount | undefined> {
    return this.lookup(this.readPool, id);
  }

  async findByUsername(username: string): Promise<DirectoryAccount | undefined> {
    if (!username.trim() || hasControlCharacters(username)) return undefined;
    const filter = allOf([
      this.config.userFilter,
      assertion(this.config.attributes.username, username.trim(), 'exact'),
    ]);
    const found = await this.findOne(this.readPool, filter);
    return found;
  }

  /**
   * An account by stable id. The DN last seen for the id is tried first with a base-scope search that must still
   * match the id filter (so a renamed or replaced entry is never mistaken for it), then the user base DNs are
   * searched. entryUUID is often not indexed, and the base search keeps unlock + read-back near the cost of the
   * bare LDAP operations; the state returned is always read live.
   */
  protected async lookup(pool: LdapPool, id: string): Promise<DirectoryAccount | undefined> {
    const idFilter = this.idFilter(id);
    if (!idFilter) return undefined;
    const filter =
      typeof idFilter === 'string'
        ? allOf([this.config.userFilter, idFilter])
        : new AndFilter({ filters: [FilterParser.parseString(this.config.userFilter), idFilter] });
    const knownDn = this.dnById.get(id.toLowerCase());
    if (knownDn) {
      const found = await this.findOne(pool, filter, knownDn).catch((err) => {
        if (isLdapResult(err) && err.code === 32) return undefined; // noSuchObject: moved or deleted
        throw err;
      });
      if (found) return found;
      this.dnById.delete(id.toLowerCase());
    }
    return this.findOne(pool, filter);
  }

  /** Stable id → last DN seen (bounded; only a hint for lookup). */
  private readonly dnById = new Map<string, string>();

  private rememberDn(account: DirectoryAccount): void {
    if (!account.id) return;
    const key = account.id.toLowerCase();
    this.dnById.delete(key);
    this.dnById.set(key, account.dn);
    if (this.dnById.size > 20_000) this.dnById.delete(this.dnById.keys().next().value as string);
  }

  /** The single account matching `filter` under the user base DNs (or at `dn`); undefined when none or ambiguous. */
  private findOne(pool: LdapPool, filter: Filter | string, dn?: string): Promise<DirectoryAccount | undefined> {
    return pool.use(async (client) => {
      const entries: Entry[] = [];
      if (dn) {
        const { searchEntries } = await client.search(dn, {
          scope: 'base',
          filter,
          attributes: this.accountAttributes,
          explicitBufferAttributes: this.binaryAttributes,
        });
        if (searchEntries.length !== 1) return undefined;
        return this.account(new EntryView(searchEntries[0]), client);
      }
      for (const base of this.config.userBaseDns) {
        const { searchEntries } = await client.search(base, {
          scope: 'sub',
          filter,
          attributes: this.accountAttributes,
          explicitBufferAttributes: this.binaryAttributes,
          sizeLimit: 2,
        });
        entries.push(...searchEntries);
      }
      if (entries.length !== 1) return undefined;
      return this.account(new EntryView(entries[0]), client);
    });
  }

  async unlock(id: string, current?: DirectoryAccount): Promise<UnlockResult> {
    let before: DirectoryAccount | undefined;
    try {
      // Read from the write host, so that the state we act on and report is the one the write will change; the
      // caller's fresh read is that state when reads and writes go to the same hosts (it is as racy against the
      // write as a second read would be: LDAP has no transaction to hold it still).
      const fresh = current && this.writePool === this.readPool && current.id.toLowerCase() === id.toLowerCase();
      before = fresh ? current : await this.lookup(this.writePool, id);
    } catch (err) {
      return {
        outcome: 'error',
        reason: describe(err),
        directoryMessage: isLdapResult(err) ? directoryText(err) : undefined,
      };
    }
    if (!before) return { outcome: 'not-found', reason: `no account with id ${id} in ${this.name}` };
    const refusal = this.unlockRefusal(before);
    if (refusal) return { outcome: 'refused', account: before, previousLock: before.lock.state, reason: refusal };

    let writeError: unknown;
    try {
      await this.writePool.use((client) => this.writeUnlock(client, before));
    } catch (err) {
      writeError = err;
    }
    let after: DirectoryAccount | undefined;
    try {
      after = await this.lookup(this.writePool, id);
    } catch (err) {
      return {
        outcome: 'error',
        previousLock: before.lock.state,
        reason: `${writeError ? `unlock failed (${describe(writeError)}) and ` : 'unlock written but '}read-back failed: ${describe(err)}`,
      };
    }
    const base = { account: after, previousLock: before.lock.state };
    if (!after) return { ...base, outcome: 'not-found', reason: 'the account disappeared during the unlock' };
    if (writeError) {
      const directoryMessage = isLdapResult(writeError) ? directoryText(writeError) : undefined;
      if (isLdapResult(writeError) && writeError.code === 50)
        return {
          ...base,
          outcome: 'access-denied',
          directoryMessage,
          reason: 'the service account may not unlock this account',
        };
      if (isLdapResult(writeError) && writeError.code === 32)
        return { ...base, outcome: 'not-found', directoryMessage };
      return { ...base, outcome: 'error', directoryMessage, reason: describe(writeError) };
    }
    return { ...base, outcome: after.lock.state === 'unlocked' ? 'unlocked' : 'still-locked' };
  }

  async authenticate(username: string, password: string): Promise<AuthenticationResult> {
    // An empty password would be an unauthenticated bind, which "succeeds" (RFC 4513 5.1.2): never try it.
    if (!username.trim() || !password)
      return { result: 'invalid-credentials', detail: 'username and password are required' };
    let account: DirectoryAccount | undefined;
    try {
      account = await this.findByUsername(username);
    } catch (err) {
      return { result: 'unavailable', detail: describe(err) };
    }
    if (!account) return { result: 'invalid-credentials' };
    const controls = this.bindControls();
    try {
      const client = await this.userConnector.open(account.dn, password, controls);
      await client.unbind().catch(() => {});
    } catch (err) {
      if (isLdapResult(err)) return this.bindFailure(err, controls, account);
      return { result: 'unavailable', detail: describe(err) };
    }
    const problem = this.bindSuccessProblem(controls);
    if (problem) return problem;
    try {
      const fresh = (await this.lookup(this.readPool, account.id)) ?? account;
      const groups = await this.readPool.use((client) => this.groupsOf(client, fresh.dn));
      return { result: 'ok', account: fresh, groups };
    } catch (err) {
      return { result: 'unavailable', detail: `signed in, but group membership could not be read: ${describe(err)}` };
    }
  }

  async memberships(id: string): Promise<AccountMemberships | undefined> {
    try {
      const account = await this.lookup(this.readPool, id);
      if (!account) return undefined;
      const groups = await this.readPool.use((client) => this.groupsOf(client, account.dn));
      return { account, groups };
    } catch (err) {
      // An LDAP result here (busy, unwilling, insufficient rights to read the groups) means the state could not be
      // read, like an unreachable server: the caller keeps what it knew and asks again later.
      if (isLdapResult(err))
        throw new StoreUnavailableError(this.id, `group membership could not be read: ${describe(err)}`, {
          cause: err,
        });
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.readPool.close();
    if (this.writePool !== this.readPool) await this.writePool.close();
  }

  /** Connections currently open to the directory (for tests and metrics). */
  get openConnections(): number {
    return this.readPool.openConnections + (this.writePool !== this.readPool ? this.writePool.openConnections : 0);
  }
}

export function describe(err: unknown): string {
  if (err instanceof StoreUnavailableError) return err.message;
  if (isLdapResult(err)) return `${err.name} (${err.code}): ${directoryText(err) || 'no text from the directory'}`;
  return err instanceof Error ? err.message : String(err);
}

/** Names from group entries: cn, else the first RDN value. */
export function groupRef(entry: EntryView): GroupRef {
  const rdn = /^[^=]+=((?:\\.|[^,])*)/.exec(entry.dn)?.[1] ?? entry.dn;
  return { dn: entry.dn, name: entry.first('cn') ?? rdn };
}
