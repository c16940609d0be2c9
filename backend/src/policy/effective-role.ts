/**
 * Which role applies to an agent, and whether an account is inside a role's scope. Pure functions over the
 * current roles (the role read model) and the agent's directory groups (read at sign-in / per request).
 */
import { isDnWithin } from '../shared/dn';
import { ALL_STORES, type MappedGroup, normaliseGroupName, type Permission, type Role, type RoleScope } from './role';

export type AgentGroup = { storeId: string; group: string };

export function groupMatches(mapped: MappedGroup, agentGroup: AgentGroup): boolean {
  return (
    mapped.storeId === agentGroup.storeId && normaliseGroupName(mapped.group) === normaliseGroupName(agentGroup.group)
  );
}

export function roleMatchesAgent(role: Pick<Role, 'mappedGroups'>, agentGroups: readonly AgentGroup[]): boolean {
  return role.mappedGroups.some((mapped) => agentGroups.some((g) => groupMatches(mapped, g)));
}

/**
 * The highest-priority role whose mapped groups include one of the agent's groups (group DNs compared
 * normalised and case-insensitively, within the same store). Larger priority wins; ties are broken by the
 * smaller roleId in code-point order, so the answer never depends on the order roles were listed or loaded.
 * No matching role: undefined (the agent may do nothing).
 */
export function effectiveRole<R extends Role>(agentGroups: readonly AgentGroup[], roles: readonly R[]): R | undefined {
  let best: R | undefined;
  for (const role of roles) {
    if (!roleMatchesAgent(role, agentGroups)) continue;
    if (!best || role.priority > best.priority || (role.priority === best.priority && role.roleId < best.roleId)) {
      best = role;
    }
  }
  return best;
}

export function hasPermission(
  role: { permissions: readonly Permission[] } | undefined,
  permission: Permission,
): boolean {
  return role?.permissions.includes(permission) ?? false;
}

/**
 * An account is in scope when its store is one of the role's stores (or the role has `'*'`) and, if the role
 * lists base DNs, its DN is at or below one of them (RDN-wise, case-insensitive, normalised).
 */
export function isInScope(role: { scope: RoleScope }, account: { storeId: string; dn: string }): boolean {
  const { storeIds, baseDns } = role.scope;
  if (!storeIds.includes(ALL_STORES) && !storeIds.includes(account.storeId)) return false;
  if (!baseDns || baseDns.length === 0) return true;
  return baseDns.some((base) => isDnWithin(account.dn, base));
}
