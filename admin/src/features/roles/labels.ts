import { type StoreInfo, storeName } from '../../api/stores';
import { ALL_STORES, type HelpdeskPolicy, PERMISSION_LABELS, type Permission, type RoleScope } from './api';

export const permissionList = (ps: Permission[]) => ps.map((p) => PERMISSION_LABELS[p] ?? p).join(', ');

/** One line on what the policy asks of the agent before an unlock. */
export function policySummary(p: HelpdeskPolicy): string {
  const types = Math.max(p.requiredTypes, 1);
  const questions =
    p.minSecurityQuestions > 0
      ? `; security questions count after ${p.minSecurityQuestions} correct answer${p.minSecurityQuestions === 1 ? '' : 's'}`
      : '';
  if (p.mode === 'restricted') return `Authenticate first: ${types} type${types === 1 ? '' : 's'} verified${questions}`;
  return 'Authenticate may be skipped for enrolled users';
}

export const MODE_HELP = {
  restricted:
    'Restricted: the agent cannot unlock until the caller has been authenticated in this case to the policy below. Unenrolled users cannot be unlocked.',
  unrestricted:
    'Unrestricted: the agent may skip Authenticate for enrolled users. Unenrolled users can be unlocked only when the role also has Unlock Any Account.',
} as const;

export function scopeSummary(scope: RoleScope, stores: StoreInfo[] | undefined): string {
  const where = scope.storeIds.includes(ALL_STORES)
    ? 'All identity stores'
    : scope.storeIds.map((id) => storeName(id, stores)).join(', ');
  return scope.baseDns?.length ? `${where} — under ${scope.baseDns.join('; ')}` : where;
}
