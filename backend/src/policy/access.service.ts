/**
 * What an agent may do, decided per request from the agent's directory groups (captured at sign-in, nested ones
 * included) and the roles read model as it is now: a role change applies on the agent's next request.
 */
import { Injectable } from '@nestjs/common';
import type { Agent } from '../session/agent-directory';
import { type AgentGroup, effectiveRole, hasPermission, isInScope } from './effective-role';
import { PERMISSIONS, type Permission } from './role';
import { RolesReadModel, type RoleView } from './roles.read-model';

export type { RoleView } from './roles.read-model';

export type AgentAccess = {
  /** The highest-priority role matching the agent's groups; null: no role (the agent may do nothing). */
  role: RoleView | null;
  /** The role's permissions (empty without a role). */
  permissions: Permission[];
  can(p: Permission): boolean;
  inScope(account: { storeId: string; dn: string }): boolean;
  /** Why the agent lacks `p` (a sentence for the UI / a 403), undefined when they have it. */
  whyNot(p: Permission): string | undefined;
  /** Why the account is outside the agent's scope, undefined when it is inside. */
  whyNotInScope(account: { storeId: string; dn: string }): string | undefined;
};

/** `UnlockAnyAccount` → `Unlock Any Account`. */
export function permissionLabel(p: Permission): string {
  return p.replace(/([a-z])([A-Z])/g, '$1 $2');
}

export const NO_ROLE_MESSAGE = 'You have no role: none of your directory groups is mapped to an Unlock Desk role';

export function agentGroups(agent: Pick<Agent, 'storeId' | 'groups'>): AgentGroup[] {
  return agent.groups.map((group) => ({ storeId: agent.storeId, group }));
}

/** The access of an agent under a given set of roles (pure; AccessService feeds it the current roles). */
export function accessFor(agent: Pick<Agent, 'storeId' | 'groups'>, roles: readonly RoleView[]): AgentAccess {
  const role = effectiveRole(agentGroups(agent), roles) ?? null;
  const permissions = role ? PERMISSIONS.filter((p) => role.permissions.includes(p)) : [];
  return {
    role,
    permissions,
    can: (p) => hasPermission(role ?? undefined, p),
    inScope: (account) => (role ? isInScope(role, account) : false),
    whyNot: (p) => {
      if (!role) return NO_ROLE_MESSAGE;
      return hasPermission(role, p) ? undefined : `Your role (${role.name}) lacks ${permissionLabel(p)}`;
    },
    whyNotInScope: (account) => {
      if (!role) return NO_ROLE_MESSAGE;
      if (isInScope(role, account)) return undefined;
      const stores = role.scope.storeIds;
      if (!stores.includes('*') && !stores.includes(account.storeId))
        return `Your role (${role.name}) does not cover the identity store ${account.storeId}`;
      return `The account is outside the OUs your role (${role.name}) covers`;
    },
  };
}

@Injectable()
export class AccessService {
  constructor(private readonly roles: RolesReadModel) {}

  /** Re-evaluated on every call from the current roles read model. */
  async forAgent(agent: Pick<Agent, 'storeId' | 'groups'>): Promise<AgentAccess> {
    return accessFor(agent, this.roles.list());
  }
}
