import { api } from '../../api/client';

/** The permissions a role can grant, in the backend's canonical order, with the seed's names. */
export const PERMISSIONS = [
  'UnlockAccount',
  'UnlockAnyAccount',
  'ViewHistory',
  'ViewAudit',
  'ManageRoles',
  'ManageKiosks',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const PERMISSION_LABELS: Record<Permission, string> = {
  UnlockAccount: 'Unlock Account',
  UnlockAnyAccount: 'Unlock Any Account',
  ViewHistory: 'View History',
  ViewAudit: 'View Audit',
  ManageRoles: 'Manage Roles',
  ManageKiosks: 'Manage Kiosks',
};

export type PolicyMode = 'restricted' | 'unrestricted';
export type HelpdeskPolicy = { mode: PolicyMode; requiredTypes: number; minSecurityQuestions: number };
export type MappedGroup = { storeId: string; group: string };
/** `storeIds: ['*']` = every configured identity store (also ones added later). */
export type RoleScope = { storeIds: string[]; baseDns?: string[] };

export type RoleDefinition = {
  name: string;
  priority: number;
  mappedGroups: MappedGroup[];
  permissions: Permission[];
  scope: RoleScope;
  policy: HelpdeskPolicy;
};

/** A role as GET /api/roles returns it; `revision` goes back in If-Match on PUT/DELETE. */
export type RoleView = RoleDefinition & { roleId: string; revision: number; updatedAt: string };

export const ALL_STORES = '*';
export const MAX_PRIORITY = 1_000_000;
export const MAX_AUTHENTICATION_TYPES = 4;
export const MAX_SECURITY_QUESTIONS = 10;

/** GET /api/session/access: the agent's effective role, evaluated now, and why each missing permission is missing. */
export type SessionAccess = {
  role: {
    roleId: string;
    name: string;
    priority: number;
    scope: RoleScope;
    policy: HelpdeskPolicy;
    revision: number;
  } | null;
  permissions: Permission[];
  notPermitted: Partial<Record<Permission, string>>;
};

const ifMatch = (revision: number) => ({ 'If-Match': `"${revision}"` });
const rolePath = (roleId: string) => `/roles/${encodeURIComponent(roleId)}`;

export const rolesApi = {
  list: () => api<RoleView[]>('GET', '/roles'),
  get: (roleId: string) => api<RoleView>('GET', rolePath(roleId)),
  create: (definition: RoleDefinition) => api<RoleView | undefined>('POST', '/roles', definition),
  change: (roleId: string, definition: RoleDefinition, revision: number) =>
    api<RoleView | undefined>('PUT', rolePath(roleId), definition, ifMatch(revision)),
  remove: (roleId: string, revision: number) => api<void>('DELETE', rolePath(roleId), undefined, ifMatch(revision)),
  access: () => api<SessionAccess>('GET', '/session/access'),
};
