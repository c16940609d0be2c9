/**
 * The role form's model: form values <-> the API's RoleDefinition, and the backend's 400 answer mapped onto the
 * form's fields. The rules themselves (ranges, UnlockAnyAccount needing UnlockAccount, …) are the backend's; the
 * form only places its messages.
 */
import { ApiError } from '../../api/client';
import {
  ALL_STORES,
  PERMISSION_LABELS,
  type Permission,
  type PolicyMode,
  type RoleDefinition,
  type RoleView,
} from './api';

export type GroupRow = { key: string; storeId: string; group: string };

export type RoleFormValues = {
  name: string;
  priority: number | string;
  permissions: Permission[];
  mode: PolicyMode;
  requiredTypes: number | string;
  minSecurityQuestions: number | string;
  allStores: boolean;
  storeIds: string[];
  /** One base DN per line; empty = the whole store. */
  baseDns: string;
  mappedGroups: GroupRow[];
};

let keySeq = 0;
export const groupRow = (storeId = '', group = ''): GroupRow => ({ key: `g${++keySeq}`, storeId, group });

export function emptyRole(): RoleFormValues {
  return {
    name: '',
    priority: 10,
    permissions: ['UnlockAccount', 'ViewHistory'],
    mode: 'restricted',
    requiredTypes: 1,
    minSecurityQuestions: 0,
    allStores: true,
    storeIds: [],
    baseDns: '',
    mappedGroups: [],
  };
}

export function fromRole(role: RoleView): RoleFormValues {
  const allStores = role.scope.storeIds.includes(ALL_STORES);
  return {
    name: role.name,
    priority: role.priority,
    permissions: [...role.permissions],
    mode: role.policy.mode,
    requiredTypes: role.policy.requiredTypes,
    minSecurityQuestions: role.policy.minSecurityQuestions,
    allStores,
    storeIds: allStores ? [] : [...role.scope.storeIds],
    baseDns: (role.scope.baseDns ?? []).join('\n'),
    mappedGroups: role.mappedGroups.map((g) => groupRow(g.storeId, g.group)),
  };
}

/** Empty number inputs are sent as null so the backend names the field, rather than guessing a number. */
const num = (v: number | string): number => (v === '' ? (null as unknown as number) : Number(v));

export const baseDnLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function toDefinition(v: RoleFormValues): RoleDefinition {
  const baseDns = baseDnLines(v.baseDns);
  return {
    name: v.name,
    priority: num(v.priority),
    permissions: [...v.permissions],
    policy: { mode: v.mode, requiredTypes: num(v.requiredTypes), minSecurityQuestions: num(v.minSecurityQuestions) },
    scope: { storeIds: v.allStores ? [ALL_STORES] : [...v.storeIds], ...(baseDns.length ? { baseDns } : {}) },
    mappedGroups: v.mappedGroups.map((g) => ({ storeId: g.storeId, group: g.group })),
  };
}

type FormPath = keyof RoleFormValues | `mappedGroups.${number}.${'storeId' | 'group'}`;

/** The form input that shows a backend field (`policy.requiredTypes`, `mappedGroups[2].group`, `scope.baseDns.0`…). */
export function formPath(field: string): { path: FormPath; prefix?: string } | undefined {
  const f = field.replace(/\[(\d+)\]/g, '.$1');
  if (f === 'name' || f === 'roleId') return { path: 'name' };
  if (f === 'priority') return { path: 'priority' };
  if (f === 'permissions' || f.startsWith('permissions.')) return { path: 'permissions' };
  if (f === 'policy' || f === 'policy.mode') return { path: 'mode' };
  if (f === 'policy.requiredTypes') return { path: 'requiredTypes' };
  if (f === 'policy.minSecurityQuestions') return { path: 'minSecurityQuestions' };
  if (f === 'scope' || f.startsWith('scope.storeIds')) return { path: 'storeIds' };
  const dn = /^scope\.baseDns(?:\.(\d+))?/.exec(f);
  if (dn) return { path: 'baseDns', prefix: dn[1] === undefined ? undefined : `Base DN ${Number(dn[1]) + 1}` };
  const group = /^mappedGroups\.(\d+)(?:\.(storeId|group))?/.exec(f);
  if (group) return { path: `mappedGroups.${Number(group[1])}.${(group[2] as 'storeId' | 'group') ?? 'group'}` };
  if (f === 'mappedGroups') return { path: 'mappedGroups' };
  return undefined;
}

/** Capitalised, with permission codes in their display names (`UnlockAnyAccount` → `Unlock Any Account`). */
const sentence = (s: string) =>
  (s.charAt(0).toUpperCase() + s.slice(1)).replace(
    /\b(UnlockAccount|UnlockAnyAccount|ViewHistory|ViewAudit|ManageRoles|ManageKiosks)\b/g,
    (p) => PERMISSION_LABELS[p as Permission],
  );

/**
 * Splits a save error into messages per form input and the rest. Domain refusals carry `fields`; the
 * request validation answers with messages that start with the field path (`policy.requiredTypes must not be …`).
 */
export function roleFieldErrors(err: unknown): { fields: Record<string, string>; other: string[] } {
  const fields: Record<string, string> = {};
  const other: string[] = [];
  if (!(err instanceof ApiError)) return { fields, other: [err instanceof Error ? err.message : String(err)] };
  const problems =
    err.fields.length > 0
      ? err.fields
      : err.details.map((d) => {
          const m = /^([A-Za-z][\w.[\]]*)\s+(.*)$/.exec(d);
          return m ? { field: m[1] as string, message: m[2] as string } : { field: '', message: d };
        });
  for (const p of problems) {
    const target = formPath(p.field);
    if (!target) {
      other.push(sentence(p.field ? `${p.field} ${p.message}` : p.message));
      continue;
    }
    const text = target.prefix ? `${target.prefix}: ${p.message}` : sentence(p.message);
    fields[target.path] = fields[target.path] ? `${fields[target.path]}; ${text}` : text;
  }
  if (problems.length === 0) other.push(err.message);
  return { fields, other };
}

/** A stale revision (412) or a concurrent write (409 conflict): someone else changed the role meanwhile. */
export const isStale = (err: unknown) =>
  err instanceof ApiError && (err.status === 412 || (err.status === 409 && err.reason === 'conflict'));
