import { describe, expect, it } from '@jest/globals';
import { effectiveRole, hasPermission, isInScope } from './effective-role';
import type { Role } from './role';

const role = (roleId: string, priority: number, groups: [string, string][], extra: Partial<Role> = {}): Role => ({
  roleId,
  name: roleId,
  priority,
  mappedGroups: groups.map(([storeId, group]) => ({ storeId, group })),
  permissions: ['UnlockAccount'],
  scope: { storeIds: ['ad'] },
  policy: { mode: 'restricted', requiredTypes: 1, minSecurityQuestions: 0 },
  ...extra,
});

const helpdesk = role('helpdesk', 10, [['ad', 'CN=Helpdesk,OU=Groups,DC=corp,DC=test']]);
const admins = role('admins', 100, [['ad', 'CN=Domain Admins,CN=Users,DC=corp,DC=test']]);
const ldapHelpdesk = role('ldap-helpdesk', 50, [['ldap', 'cn=helpdesk,ou=groups,dc=example,dc=test']]);
const roles = [helpdesk, admins, ldapHelpdesk];

describe('effectiveRole', () => {
  it('picks the highest-priority role among the matching ones', () => {
    const groups = [
      { storeId: 'ad', group: 'CN=Helpdesk,OU=Groups,DC=corp,DC=test' },
      { storeId: 'ad', group: 'CN=Domain Admins,CN=Users,DC=corp,DC=test' },
    ];
    expect(effectiveRole(groups, roles)?.roleId).toBe('admins');
    expect(effectiveRole(groups.slice(0, 1), roles)?.roleId).toBe('helpdesk');
  });
  it('matches group DNs case- and space-insensitively, but only within the same store', () => {
    expect(effectiveRole([{ storeId: 'ad', group: 'cn=helpdesk, ou=groups, dc=corp, dc=test' }], roles)?.roleId).toBe(
      'helpdesk',
    );
    expect(effectiveRole([{ storeId: 'ldap', group: 'CN=Helpdesk,OU=Groups,DC=corp,DC=test' }], roles)).toBeUndefined();
  });
  it('matches plain group names case-insensitively', () => {
    const named = role('named', 1, [['ad', 'Helpdesk Operators']]);
    expect(effectiveRole([{ storeId: 'ad', group: 'helpdesk operators' }], [named])?.roleId).toBe('named');
  });
  it('returns undefined when no role matches', () => {
    expect(effectiveRole([{ storeId: 'ad', group: 'CN=Sales,DC=corp,DC=test' }], roles)).toBeUndefined();
    expect(effectiveRole([], roles)).toBeUndefined();
  });
  it('breaks priority ties by the smaller roleId, whatever the input order', () => {
    const a = role('alpha', 5, [['ad', 'g']]);
    const b = role('beta', 5, [['ad', 'g']]);
    const groups = [{ storeId: 'ad', group: 'g' }];
    expect(effectiveRole(groups, [a, b])?.roleId).toBe('alpha');
    expect(effectiveRole(groups, [b, a])?.roleId).toBe('alpha');
  });
});

describe('hasPermission', () => {
  it('is false without a role', () => {
    expect(hasPermission(undefined, 'UnlockAccount')).toBe(false);
    expect(hasPermission(helpdesk, 'UnlockAccount')).toBe(true);
    expect(hasPermission(helpdesk, 'UnlockAnyAccount')).toBe(false);
  });
});

describe('isInScope', () => {
  const scoped = role('scoped', 1, [], { scope: { storeIds: ['ad'], baseDns: ['OU=Staff,DC=corp,DC=test'] } });
  it('requires the account store to be in the role scope', () => {
    expect(isInScope(helpdesk, { storeId: 'ad', dn: 'CN=Alice,DC=corp,DC=test' })).toBe(true);
    expect(isInScope(helpdesk, { storeId: 'ldap', dn: 'uid=alice,dc=example,dc=test' })).toBe(false);
  });
  it("treats '*' as every store", () => {
    const all = role('all', 1, [], { scope: { storeIds: ['*'] } });
    expect(isInScope(all, { storeId: 'anything', dn: 'cn=x,dc=y' })).toBe(true);
  });
  it('requires the DN to be at or below a base DN (normalised, case-insensitive, RDN-wise)', () => {
    expect(isInScope(scoped, { storeId: 'ad', dn: 'cn=Alice Smith, ou=staff, dc=CORP, dc=test' })).toBe(true);
    expect(isInScope(scoped, { storeId: 'ad', dn: 'CN=Bob,OU=Admins,DC=corp,DC=test' })).toBe(false);
    expect(isInScope(scoped, { storeId: 'ad', dn: 'CN=Eve,OU=NotStaff,DC=corp,DC=test' })).toBe(false);
    expect(isInScope(scoped, { storeId: 'ad', dn: 'CN=Eve,OU=Staff,DC=corp,DC=test,DC=evil' })).toBe(false);
    expect(isInScope(scoped, { storeId: 'ldap', dn: 'CN=Alice,OU=Staff,DC=corp,DC=test' })).toBe(false);
  });
  it('treats an unparsable DN as out of scope when base DNs are set', () => {
    expect(isInScope(scoped, { storeId: 'ad', dn: 'garbage' })).toBe(false);
  });
});
