/**
 * Roles and helpdesk policy: the shapes, and validation that names the offending field.
 */
import type { FieldProblem } from '../shared/decider';
import { isValidDn, normaliseDn } from '../shared/dn';

export const PERMISSIONS = [
  'UnlockAccount',
  'UnlockAnyAccount',
  'ViewHistory',
  'ViewAudit',
  'ManageRoles',
  'ManageKiosks',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const POLICY_MODES = ['restricted', 'unrestricted'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/**
 * Helpdesk policy.
 * - restricted: the case must be authenticated before an unlock: `requiredTypes` (1..4) distinct enrolled
 *   authentication types verified, where the security-questions type counts once at least
 *   max(1, `minSecurityQuestions`) different questions were answered correctly.
 * - unrestricted: authentication may be skipped for enrolled users; `requiredTypes` (0..4) only says when a
 *   case the agent chose to authenticate counts as authenticated (0 is treated as 1).
 */
export type HelpdeskPolicy = { mode: PolicyMode; requiredTypes: number; minSecurityQuestions: number };

/** A directory group (DN or name) in one identity store whose members get the role. */
export type MappedGroup = { storeId: string; group: string };

/**
 * Where the role may act: identity stores (`'*'` = every configured store) and, optionally, base DNs.
 * With base DNs, an account is in scope only if its DN lies at or below one of them.
 */
export type RoleScope = { storeIds: string[]; baseDns?: string[] };

export type RoleDefinition = {
  name: string;
  /** Larger number = higher priority. */
  priority: number;
  mappedGroups: MappedGroup[];
  permissions: Permission[];
  scope: RoleScope;
  policy: HelpdeskPolicy;
};

export type Role = RoleDefinition & { roleId: string };

export const ALL_STORES = '*';
export const MAX_PRIORITY = 1_000_000;
export const MAX_SECURITY_QUESTIONS = 10;
export const MAX_AUTHENTICATION_TYPES = 4;

export type Validation<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const isIntIn = (v: unknown, lo: number, hi: number): v is number =>
  Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;

const normalisedGroups = new Map<string, string>();

/**
 * Case-insensitive identity of a group name: DNs compared normalised, other names by NFKC lower case. Remembered per
 * name (bounded): every request matches the agent's groups against every role's, and parsing DNs was most of that.
 */
export function normaliseGroupName(group: string): string {
  let known = normalisedGroups.get(group);
  if (known === undefined) {
    const trimmed = group.normalize('NFKC').trim();
    known = isValidDn(trimmed) ? `dn:${normaliseDn(trimmed)}` : `name:${trimmed.toLowerCase()}`;
    if (normalisedGroups.size >= 10_000) normalisedGroups.clear();
    normalisedGroups.set(group, known);
  }
  return known;
}

export function groupKey(group: { storeId: string; group: string }): string {
  return `${group.storeId}\u0000${normaliseGroupName(group.group)}`;
}

/**
 * Validates a role definition from untrusted input and returns it normalised (trimmed strings, permissions
 * in canonical order without duplicates, duplicate groups and stores removed). Problems name the field.
 */
export function validateRoleDefinition(input: unknown): Validation<RoleDefinition> {
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });
  if (!isRecord(input)) return { ok: false, problems: [{ field: 'role', message: 'must be an object' }] };

  const name = input.name;
  if (!nonEmptyString(name)) problem('name', 'must be a non-empty string');
  else if (name.trim().length > 100) problem('name', 'must be at most 100 characters');

  if (!Number.isInteger(input.priority)) problem('priority', 'must be an integer');
  else if (!isIntIn(input.priority, 0, MAX_PRIORITY)) problem('priority', `must be between 0 and ${MAX_PRIORITY}`);

  const mappedGroups: MappedGroup[] = [];
  if (!Array.isArray(input.mappedGroups)) problem('mappedGroups', 'must be an array');
  else {
    const seen = new Set<string>();
    input.mappedGroups.forEach((g: unknown, i: number) => {
      if (!isRecord(g)) {
        problem(`mappedGroups[${i}]`, 'must be an object with storeId and group');
        return;
      }
      if (!nonEmptyString(g.storeId)) problem(`mappedGroups[${i}].storeId`, 'must be a non-empty string');
      if (!nonEmptyString(g.group)) problem(`mappedGroups[${i}].group`, 'must be a non-empty string');
      if (nonEmptyString(g.storeId) && nonEmptyString(g.group)) {
        const entry = { storeId: g.storeId.trim(), group: g.group.trim() };
        const key = groupKey(entry);
        if (!seen.has(key)) mappedGroups.push(entry);
        seen.add(key);
      }
    });
  }

  const permissions: Permission[] = [];
  if (!Array.isArray(input.permissions)) problem('permissions', 'must be an array');
  else {
    input.permissions.forEach((p: unknown, i: number) => {
      if (!(PERMISSIONS as readonly unknown[]).includes(p)) {
        problem(`permissions[${i}]`, `unknown permission ${JSON.stringify(p)}; known: ${PERMISSIONS.join(', ')}`);
      }
    });
    permissions.push(...PERMISSIONS.filter((p) => (input.permissions as unknown[]).includes(p)));
    if (permissions.includes('UnlockAnyAccount') && !permissions.includes('UnlockAccount')) {
      problem('permissions', 'UnlockAnyAccount requires UnlockAccount');
    }
  }

  let scope: RoleScope = { storeIds: [] };
  if (!isRecord(input.scope)) problem('scope', 'must be an object with storeIds and optional baseDns');
  else {
    const { storeIds, baseDns } = input.scope;
    if (!Array.isArray(storeIds) || storeIds.length === 0) {
      problem('scope.storeIds', `must be a non-empty array of store ids ('${ALL_STORES}' for all stores)`);
    } else {
      storeIds.forEach((s: unknown, i: number) => {
        if (!nonEmptyString(s)) problem(`scope.storeIds[${i}]`, 'must be a non-empty string');
      });
      scope = { storeIds: [...new Set(storeIds.filter(nonEmptyString).map((s) => s.trim()))] };
    }
    if (baseDns !== undefined) {
      if (!Array.isArray(baseDns)) problem('scope.baseDns', 'must be an array of DNs');
      else {
        baseDns.forEach((dn: unknown, i: number) => {
          if (typeof dn !== 'string' || !isValidDn(dn)) problem(`scope.baseDns[${i}]`, 'must be a valid DN');
        });
        const valid = baseDns.filter((dn): dn is string => typeof dn === 'string' && isValidDn(dn));
        if (valid.length > 0) scope = { ...scope, baseDns: [...new Set(valid.map((dn) => dn.trim()))] };
      }
    }
  }

  let policy: HelpdeskPolicy = { mode: 'restricted', requiredTypes: 1, minSecurityQuestions: 0 };
  if (!isRecord(input.policy)) problem('policy', 'must be an object with mode, requiredTypes and minSecurityQuestions');
  else {
    const { mode, requiredTypes, minSecurityQuestions } = input.policy;
    if (!(POLICY_MODES as readonly unknown[]).includes(mode))
      problem('policy.mode', 'must be restricted or unrestricted');
    const minTypes = mode === 'restricted' ? 1 : 0;
    if (!Number.isInteger(requiredTypes)) problem('policy.requiredTypes', 'must be an integer');
    else if (!isIntIn(requiredTypes, minTypes, MAX_AUTHENTICATION_TYPES)) {
      problem(
        'policy.requiredTypes',
        mode === 'restricted'
          ? `must be between 1 and ${MAX_AUTHENTICATION_TYPES} in restricted mode`
          : `must be between 0 and ${MAX_AUTHENTICATION_TYPES}`,
      );
    }
    if (!Number.isInteger(minSecurityQuestions)) problem('policy.minSecurityQuestions', 'must be an integer');
    else if (!isIntIn(minSecurityQuestions, 0, MAX_SECURITY_QUESTIONS)) {
      problem('policy.minSecurityQuestions', `must be between 0 and ${MAX_SECURITY_QUESTIONS}`);
    }
    policy = {
      mode: mode as PolicyMode,
      requiredTypes: requiredTypes as number,
      minSecurityQuestions: minSecurityQuestions as number,
    };
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      name: (name as string).trim(),
      priority: input.priority as number,
      mappedGroups,
      permissions,
      scope,
      policy,
    },
  };
}
