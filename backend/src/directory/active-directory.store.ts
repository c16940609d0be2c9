import { Attribute, Change, type Client, type Control, EqualityFilter } from 'ldapts';
import type { LdapStoreConfig } from '../config/config.types';
import { classifyAdBindError, filetimeToDate, guidToBytes, guidToString, isGuid, UF } from './ad-codec';
import type { AuthenticationResult, DirectoryAccount, GroupRef, StoreCapabilities } from './identity-store';
import { escapeFilterValue } from './ldap-escape';
import { directoryText } from './ldap-pool';
import { EntryView, groupRef, LdapIdentityStore } from './ldap-store.base';

/** LDAP_MATCHING_RULE_IN_CHAIN: transitive group membership. */
const IN_CHAIN = '1.2.840.113556.1.4.1941';
const COMPUTED_UAC = 'msDS-User-Account-Control-Computed';

/**
 * Active Directory (also Samba AD DC). Lock state from msDS-User-Account-Control-Computed & UF_LOCKOUT (a
 * constructed attribute, requested by name; lockoutTime alone stays non-zero after a timed lockout expired).
 * Unlock = replace lockoutTime with 0, on the write host (PDC emulator) when one is configured.
 */
export class ActiveDirectoryStore extends LdapIdentityStore {
  readonly capabilities: StoreCapabilities = {
    canSearch: true,
    canUnlock: true,
    canAuthenticate: true,
    notes: [
      'Lock state from msDS-User-Account-Control-Computed (UF_LOCKOUT)',
      'Unlock writes lockoutTime = 0 (needs write access to lockoutTime on the user)',
      'Nested group membership for sign-in via LDAP_MATCHING_RULE_IN_CHAIN',
    ],
  };

  protected readonly binaryAttributes = ['objectGUID'];
  protected readonly accountAttributes: string[];

  constructor(config: LdapStoreConfig, now?: () => Date) {
    super(config, now);
    const a = config.attributes;
    this.accountAttributes = [
      ...new Set([
        'objectGUID',
        a.username,
        ...a.displayName,
        ...a.email,
        ...a.phone,
        ...a.employeeId,
        'userAccountControl',
        COMPUTED_UAC,
        'lockoutTime',
        'badPwdCount',
        'badPasswordTime',
        'pwdLastSet',
      ]),
    ];
  }

  /** objectGUID equality on the binary value (as a string: `(objectGUID=\\e0\\04…)`, see objectGuidFilterString). */
  protected idFilter(id: string): EqualityFilter | undefined {
    if (!isGuid(id)) return undefined;
    return new EqualityFilter({ attribute: 'objectGUID', value: guidToBytes(id) });
  }

  protected lockedPrefilter(): string {
    return '(lockoutTime>=1)';
  }

  protected async toAccount(e: EntryView): Promise<DirectoryAccount> {
    const a = this.config.attributes;
    const guid = e.buffer('objectGUID');
    const computed = e.int(COMPUTED_UAC) ?? 0;
    const uac = e.int('userAccountControl') ?? 0;
    const locked = (computed & UF.LOCKOUT) !== 0;
    const lockoutTime = filetimeToDate(e.first('lockoutTime'));
    const badPwdCount = e.int('badPwdCount');
    const pwdLastSetRaw = e.first('pwdLastSet');
    return {
      storeId: this.id,
      id: guid ? guidToString(guid) : '',
      dn: e.dn,
      username: e.first(a.username) ?? '',
      displayName: e.firstOf(a.displayName),
      email: e.firstOf(a.email),
      phone: e.firstOf(a.phone),
      employeeId: e.firstOf(a.employeeId),
      lock: {
        state: locked ? 'locked' : 'unlocked',
        lockedAt: lockoutTime?.toISOString(),
        failedAttempts: badPwdCount,
      },
      disabled: (uac & UF.ACCOUNTDISABLE) !== 0,
      passwordLastChanged: filetimeToDate(pwdLastSetRaw)?.toISOString(),
      insight: {
        badPwdCount,
        lastFailedAt: filetimeToDate(e.first('badPasswordTime'))?.toISOString(),
        passwordMustChange: pwdLastSetRaw === '0',
        passwordExpired: (computed & UF.PASSWORD_EXPIRED) !== 0,
      },
    };
  }

  protected unlockRefusal(): string | undefined {
    return undefined;
  }

  protected async writeUnlock(client: Client, account: DirectoryAccount): Promise<void> {
    await client.modify(
      account.dn,
      new Change({ operation: 'replace', modification: new Attribute({ type: 'lockoutTime', values: ['0'] }) }),
    );
  }

  protected bindControls(): Control[] {
    return [];
  }

  protected bindFailure(err: Error & { code: number }): AuthenticationResult {
    const text = directoryText(err);
    if (err.code !== 49)
      return { result: 'invalid-credentials', detail: `bind refused (LDAP ${err.code})`, directoryMessage: text };
    const { failure, code } = classifyAdBindError(text);
    switch (failure) {
      case 'account-expired':
        return { result: 'disabled', detail: 'the account has expired (data 701)', directoryMessage: text };
      case 'not-permitted':
        return {
          result: 'disabled',
          detail: `logon not permitted now or from here (data ${code})`,
          directoryMessage: text,
        };
      default:
        return { result: failure, directoryMessage: text };
    }
  }

  protected bindSuccessProblem(): undefined {
    return undefined;
  }

  protected async groupsOf(client: Client, dn: string): Promise<GroupRef[]> {
    const groups = new Map<string, GroupRef>();
    for (const base of this.config.groupBaseDns) {
      const { searchEntries } = await client.search(base, {
        scope: 'sub',
        filter: `(&(objectClass=group)(member:${IN_CHAIN}:=${escapeFilterValue(dn)}))`,
        attributes: ['cn'],
        paged: { pageSize: this.config.pageSize },
      });
      for (const entry of searchEntries) {
        const ref = groupRef(new EntryView(entry));
        groups.set(ref.dn.toLowerCase(), ref);
      }
    }
    return [...groups.values()].sort((x, y) => x.name.localeCompare(y.name));
  }
}
