import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SessionGuard } from '../session/session.guard';
import type { Session } from '../session/session-store';
import { AccessService, accessFor, permissionLabel } from './access.service';
import { PermissionGuard, REQUIRED_PERMISSIONS } from './require-permission';
import type { Role } from './role';
import type { RolesReadModel, RoleView } from './roles.read-model';

const view = (r: Role): RoleView => ({ ...r, revision: 0, updatedAt: '2026-01-01T00:00:00.000Z' });
const agentRole = view({
  roleId: 'helpdesk-agent',
  name: 'Helpdesk agent',
  priority: 10,
  mappedGroups: [
    { storeId: 'corp-ad', group: 'Helpdesk Agents' },
    { storeId: 'corp-ldap', group: 'cn=helpdesk-agents,ou=groups,dc=example,dc=test' },
  ],
  permissions: ['UnlockAccount', 'ViewHistory'],
  scope: {
    storeIds: ['corp-ad', 'corp-ldap'],
    baseDns: ['OU=Staff,DC=example,DC=test', 'ou=people,dc=example,dc=test'],
  },
  policy: { mode: 'restricted', requiredTypes: 2, minSecurityQuestions: 2 },
});
const adminRole = view({
  roleId: 'administrator',
  name: 'Administrator',
  priority: 100,
  mappedGroups: [{ storeId: 'corp-ad', group: 'CN=Unlock Desk Admins,OU=Groups,DC=example,DC=test' }],
  permissions: ['UnlockAccount', 'UnlockAnyAccount', 'ViewHistory', 'ViewAudit', 'ManageRoles', 'ManageKiosks'],
  scope: { storeIds: ['*'] },
  policy: { mode: 'unrestricted', requiredTypes: 1, minSecurityQuestions: 0 },
});
const roles = [agentRole, adminRole];
const ad = (groups: string[]) => ({ storeId: 'corp-ad', groups });

describe('accessFor (effective role of an agent)', () => {
  it('maps the agent’s group names and DNs, nested ones included, within the agent’s store', () => {
    // hd.tier2: member of Helpdesk Tier2, itself a member of Helpdesk Agents (the adapter resolves nesting)
    const tier2 = accessFor(
      ad(['Helpdesk Tier2', 'CN=Helpdesk Tier2,OU=Groups,DC=example,DC=test', 'Helpdesk Agents']),
      roles,
    );
    expect(tier2.role?.roleId).toBe('helpdesk-agent');
    expect(accessFor(ad(['helpdesk agents']), roles).role?.roleId).toBe('helpdesk-agent');
    expect(
      accessFor({ storeId: 'corp-ldap', groups: ['CN=Helpdesk-Agents, OU=Groups, DC=example, DC=test'] }, roles).role
        ?.roleId,
    ).toBe('helpdesk-agent');
    // the same group name in another store does not count
    expect(accessFor({ storeId: 'corp-ldap', groups: ['Helpdesk Agents'] }, roles).role).toBeNull();
  });

  it('takes the highest-priority matching role', () => {
    const both = accessFor(ad(['Helpdesk Agents', 'CN=Unlock Desk Admins,OU=Groups,DC=example,DC=test']), roles);
    expect(both.role?.roleId).toBe('administrator');
    expect(both.can('ManageRoles')).toBe(true);
    expect(both.permissions).toEqual(adminRole.permissions);
  });

  it('explains missing permissions by role name and label', () => {
    const a = accessFor(ad(['Helpdesk Agents']), roles);
    expect(a.can('UnlockAccount')).toBe(true);
    expect(a.whyNot('UnlockAccount')).toBeUndefined();
    expect(a.whyNot('UnlockAnyAccount')).toBe('Your role (Helpdesk agent) lacks Unlock Any Account');
    const none = accessFor(ad(['Sales']), roles);
    expect(none).toMatchObject({ role: null, permissions: [] });
    expect(none.can('ViewHistory')).toBe(false);
    expect(none.whyNot('ViewHistory')).toMatch(/no role/);
    expect(none.inScope({ storeId: 'corp-ad', dn: 'CN=Alice,OU=Staff,DC=example,DC=test' })).toBe(false);
    expect(permissionLabel('ManageKiosks')).toBe('Manage Kiosks');
  });

  it('checks scope by store and base DN, with a reason', () => {
    const a = accessFor(ad(['Helpdesk Agents']), roles);
    const alice = { storeId: 'corp-ad', dn: 'CN=Alice Anders,OU=Staff,DC=example,DC=test' };
    const bob = { storeId: 'corp-ad', dn: 'CN=Bob Baker,CN=Users,DC=example,DC=test' };
    const entra = { storeId: 'cloud-entra', dn: 'x' };
    expect(a.inScope(alice)).toBe(true);
    expect(a.whyNotInScope(alice)).toBeUndefined();
    expect(a.inScope(bob)).toBe(false);
    expect(a.whyNotInScope(bob)).toBe('The account is outside the OUs your role (Helpdesk agent) covers');
    expect(a.whyNotInScope(entra)).toBe('Your role (Helpdesk agent) does not cover the identity store cloud-entra');
    expect(accessFor(ad(['CN=Unlock Desk Admins,OU=Groups,DC=example,DC=test']), roles).inScope(entra)).toBe(true);
  });

  it('AccessService reads the roles as they are now on every call', async () => {
    let current: RoleView[] = roles;
    const service = new AccessService({ list: () => current } as unknown as RolesReadModel);
    expect((await service.forAgent(ad(['Helpdesk Agents']))).can('ViewAudit')).toBe(false);
    current = [{ ...agentRole, permissions: [...agentRole.permissions, 'ViewAudit'] }, adminRole];
    expect((await service.forAgent(ad(['Helpdesk Agents']))).can('ViewAudit')).toBe(true);
  });
});

describe('PermissionGuard', () => {
  const session = (groups: string[]) =>
    ({
      agent: { storeId: 'corp-ad', userId: 'u1', dn: 'CN=x', username: 'x', displayName: 'X', groups },
      csrfToken: 't',
    }) as unknown as Session;
  const handler = () => undefined;
  class Controller {}
  const context = (req: Record<string, unknown>) =>
    ({
      switchToHttp: () => ({ getRequest: () => req }),
      getHandler: () => handler,
      getClass: () => Controller,
    }) as unknown as ExecutionContext;
  const guard = (required: string[] | undefined, sessionGuard?: Partial<SessionGuard>) => {
    Reflect.deleteMetadata(REQUIRED_PERMISSIONS, handler);
    if (required) Reflect.defineMetadata(REQUIRED_PERMISSIONS, required, handler);
    return new PermissionGuard(
      new Reflector(),
      (sessionGuard ?? { canActivate: () => true }) as SessionGuard,
      new AccessService({ list: () => roles } as unknown as RolesReadModel),
    );
  };

  it('lets an agent through with any one of the required permissions and leaves the access on the request', async () => {
    const req: Record<string, unknown> = { session: session(['Helpdesk Agents']) };
    await expect(guard(['ManageRoles', 'UnlockAccount']).canActivate(context(req))).resolves.toBe(true);
    expect((req.access as { role: RoleView }).role.roleId).toBe('helpdesk-agent');
  });

  it('answers 403 with reason permission and the role name', async () => {
    const err = await guard(['ManageRoles'])
      .canActivate(context({ session: session(['Helpdesk Agents']) }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenException);
    expect((err as ForbiddenException).getResponse()).toEqual({
      statusCode: 403,
      reason: 'permission',
      message: 'Your role (Helpdesk agent) lacks Manage Roles',
      required: ['ManageRoles'],
    });
  });

  it('runs the session check itself when no SessionGuard ran before it', async () => {
    const noSession = guard(['ViewHistory'], {
      canActivate: () => {
        throw new UnauthorizedException({ reason: 'no-session' });
      },
    });
    await expect(noSession.canActivate(context({}))).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('without listed permissions only evaluates access', async () => {
    const req: Record<string, unknown> = { session: session(['Sales']) };
    await expect(guard(undefined).canActivate(context(req))).resolves.toBe(true);
    expect((req.access as { role: unknown }).role).toBeNull();
  });
});
