import { Attribute, Change, type Client, Control, PasswordPolicyControl, PasswordPolicyError } from 'ldapts';
import type { LdapStoreConfig } from '../config/config.types';
import type { AuthenticationResult, DirectoryAccount, GroupRef, StoreCapabilities } from './identity-store';
import { escapeFilterValue } from './ldap-escape';
import { directoryText, isLdapResult } from './ldap-pool';
import { EntryView, groupRef, LdapIdentityStore } from './ldap-store.base';
import { derivePpolicyLock, PERMANENT_LOCK, parseGeneralizedTime } from './ppolicy';

/** Relax Rules control: needed to modify the NO-USER-MODIFICATION pwdFailureTime. */
export const RELAX_RULES_OID = '1.3.6.1.4.1.4203.666.5.12';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const POLICY_CACHE_MS = 30_000;
const MAX_GROUP_DEPTH = 5;

export const ADMIN_LOCK_REFUSAL =
  'The account is administratively locked (pwdAccountLockedTime 000001010000Z); the helpdesk cannot unlock it';

interface PolicyInfo {
  lockoutDurationSeconds: number;
  /** Set when the policy entry could not be read (the lock is then treated as permanent). */
  problem?: string;
}

/**
 * OpenLDAP with the ppolicy overlay. Locked = pwdAccountLockedTime present and not expired under the effective
 * policy's pwdLockoutDuration; 000001010000Z = permanent administrative lock, never unlocked here.
 * Unlock = replace pwdAccountLockedTime and pwdFailureTime with no values under the Relax Rules control.
 */
export class OpenLdapStore extends LdapIdentityStore {
  readonly capabilities: StoreCapabilities = {
    canSearch: true,
    canUnlock: true,
    canAuthenticate: true,
    notes: [
      'Lock state from pwdAccountLockedTime under the effective pwdLockoutDuration',
      'Administrative locks (000001010000Z) are shown but never unlocked by the helpdesk',
      'Unlock clears pwdAccountLockedTime and pwdFailureTime (Relax Rules control; needs manage access)',
      'No disabled flag in ppolicy: accounts are never reported disabled',
    ],
  };

  protected readonly binaryAttributes: string[] = [];
  protected readonly accountAttributes: string[];
  private readonly policies = new Map<string, { at: number; info: PolicyInfo }>();

  constructor(config: LdapStoreConfig, now?: () => Date) {
    super(config, now);
    const a = config.attributes;
    this.accountAttributes = [
      ...new Set([
        'entryUUID',
        a.username,
        ...a.displayName,
        ...a.email,
        ...a.phone,
        ...a.employeeId,
        'pwdAccountLockedTime',
        'pwdFailureTime',
        'pwdChangedTime',
        'pwdPolicySubentry',
        'pwdReset',
      ]),
    ];
  }

  protected idFilter(id: string): string | undefined {
    if (!UUID_RE.test(id)) return undefined;
    return `(entryUUID=${escapeFilterValue(id.toLowerCase())})`;
  }

  protected lockedPrefilter(): string {
    return '(pwdAccountLockedTime=*)';
  }

  /** pwdLockoutDuration of a policy entry, cached briefly (the lock itself is always read live). */
  private async policy(client: Client, dn: string | undefined): Promise<PolicyInfo> {
    if (!dn)
      return { lockoutDurationSeconds: 0, problem: 'no password policy configured (passwordPolicy.defaultPolicyDn)' };
    const key = dn.toLowerCase();
    const cached = this.policies.get(key);
    if (cached && Date.now() - cached.at < POLICY_CACHE_MS) return cached.info;
    let info: PolicyInfo;
    try {
      const { searchEntries } = await client.search(dn, {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['pwdLockoutDuration', 'pwdLockout'],
      });
      const duration = searchEntries[0] ? new EntryView(searchEntries[0]).int('pwdLockoutDuration') : undefined;
      info = searchEntries[0]
        ? { lockoutDurationSeconds: duration ?? 300 } // draft-behera default for pwdLockoutDuration is 300 s
        : { lockoutDurationSeconds: 0, problem: `password policy ${dn} not found` };
    } catch (err) {
      if (!isLdapResult(err)) throw err;
      info = {
        lockoutDurationSeconds: 0,
        problem: `password policy ${dn} unreadable: ${directoryText(err) || err.name}`,
      };
    }
    this.policies.set(key, { at: Date.now(), info });
    return info;
  }

  protected async toAccount(e: EntryView, client: Client): Promise<DirectoryAccount> {
    const a = this.config.attributes;
    const policyDn = e.first('pwdPolicySubentry') ?? this.config.passwordPolicy?.defaultPolicyDn;
    const policy = await this.policy(client, policyDn);
    const failures = e.all('pwdFailureTime');
    const lock = derivePpolicyLock({
      pwdAccountLockedTime: e.first('pwdAccountLockedTime'),
      pwdFailureTimes: failures,
      lockoutDurationSeconds: policy.lockoutDurationSeconds,
      now: this.now(),
    });
    const lastFailed = failures
      .map((f) => parseGeneralizedTime(f))
      .filter((d): d is Date => !!d)
      .sort((x, y) => y.getTime() - x.getTime())[0];
    return {
      storeId: this.id,
      id: (e.first('entryUUID') ?? '').toLowerCase(),
      dn: e.dn,
      username: e.first(a.username) ?? '',
      displayName: e.firstOf(a.displayName),
      email: e.firstOf(a.email),
      phone: e.firstOf(a.phone),
      employeeId: e.firstOf(a.employeeId),
      lock,
      disabled: false,
      passwordLastChanged: parseGeneralizedTime(e.first('pwdChangedTime'))?.toISOString(),
      insight: {
        pwdFailureCount: failures.length,
        lastFailedAt: lastFailed?.toISOString(),
        passwordMustChange: e.first('pwdReset')?.toUpperCase() === 'TRUE',
        passwordPolicyDn: policyDn,
        ...(policy.problem ? { notes: [`${policy.problem}; a set pwdAccountLockedTime is treated as permanent`] } : {}),
      },
    };
  }

  protected unlockRefusal(account: DirectoryAccount): string | undefined {
    return account.lock.state === 'admin-locked' ? ADMIN_LOCK_REFUSAL : undefined;
  }

  protected async writeUnlock(client: Client, account: DirectoryAccount): Promise<void> {
    // replace with no values is idempotent (delete of an absent attribute would fail with noSuchAttribute).
    await client.modify(
      account.dn,
      [
        new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdAccountLockedTime', values: [] }) }),
        new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdFailureTime', values: [] }) }),
      ],
      new Control(RELAX_RULES_OID, { critical: true }),
    );
  }

  protected bindControls(): Control[] {
    // ldapts parses the ppolicy response control into this same instance, also when the bind throws.
    return [new PasswordPolicyControl()];
  }

  private static ppolicyError(controls: Control[]): number | undefined {
    const c = controls.find((x): x is PasswordPolicyControl => x instanceof PasswordPolicyControl);
    return c?.value?.error;
  }

  protected async bindFailure(
    err: Error & { code: number },
    controls: Control[],
    account: DirectoryAccount,
  ): Promise<AuthenticationResult> {
    const text = directoryText(err) || undefined;
    const ppError = OpenLdapStore.ppolicyError(controls);
    if (ppError === PasswordPolicyError.AccountLocked)
      return {
        result: 'locked',
        detail:
          account.lock.state === 'admin-locked' || account.lock.state === 'locked'
            ? `ppolicy accountLocked (${account.lock.state})`
            : 'ppolicy accountLocked',
        directoryMessage: text,
      };
    if (ppError === PasswordPolicyError.PasswordExpired)
      return { result: 'password-expired', detail: 'ppolicy passwordExpired', directoryMessage: text };
    if (ppError === PasswordPolicyError.ChangeAfterReset)
      return { result: 'password-must-change', detail: 'ppolicy changeAfterReset', directoryMessage: text };
    if (err.code === 49 && account.lock.state !== 'unlocked')
      // Without ppolicy_use_lockout slapd sends no accountLocked error; the account we read shows the lock.
      return {
        result: 'locked',
        detail: `pwdAccountLockedTime is set (${account.lock.state})`,
        directoryMessage: text,
      };
    return { result: 'invalid-credentials', directoryMessage: text };
  }

  protected bindSuccessProblem(controls: Control[]): AuthenticationResult | undefined {
    if (OpenLdapStore.ppolicyError(controls) === PasswordPolicyError.ChangeAfterReset)
      return { result: 'password-must-change', detail: 'ppolicy changeAfterReset' };
    return undefined;
  }

  /** groupOfNames / groupOfUniqueNames containing the DN, then groups containing those (up to 5 levels). */
  protected async groupsOf(client: Client, dn: string): Promise<GroupRef[]> {
    const groups = new Map<string, GroupRef>();
    let frontier = [dn];
    for (let depth = 0; depth < MAX_GROUP_DEPTH && frontier.length; depth++) {
      const members = frontier.flatMap((m) => [
        `(member=${escapeFilterValue(m)})`,
        `(uniqueMember=${escapeFilterValue(m)})`,
      ]);
      const filter = `(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(|${members.join('')}))`;
      const next: string[] = [];
      for (const base of this.config.groupBaseDns) {
        const { searchEntries } = await client.search(base, { scope: 'sub', filter, attributes: ['cn'] });
        for (const entry of searchEntries) {
          const ref = groupRef(new EntryView(entry));
          if (groups.has(ref.dn.toLowerCase())) continue;
          groups.set(ref.dn.toLowerCase(), ref);
          next.push(ref.dn);
        }
      }
      frontier = next;
    }
    return [...groups.values()].sort((x, y) => x.name.localeCompare(y.name));
  }
}

export { PERMANENT_LOCK };
