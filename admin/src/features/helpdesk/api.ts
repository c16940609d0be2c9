import { api } from '../../api/client';

export type LockState = 'locked' | 'unlocked' | 'admin-locked';
export type AuthenticationType = 'securityQuestions' | 'authenticator' | 'email' | 'phone';

export type UserRow = {
  storeId: string;
  id: string;
  dn: string;
  username: string;
  displayName?: string;
  email?: string;
  employeeId?: string;
  lock: { state: LockState; lockedAt?: string; failedAttempts?: number };
  disabled: boolean;
  passwordLastChanged?: string;
  enrolledTypes?: AuthenticationType[];
};

export type UserSearchResult = {
  results: UserRow[];
  errors: { storeId: string; message: string }[];
  truncated?: boolean;
};

export type StoreInfo = {
  id: string;
  name: string;
  type: 'active-directory' | 'ldap' | 'entra-id';
  capabilities: { canUnlock: boolean; canSearch: boolean; reason?: string };
};

export type UserSearchQuery = {
  search: string;
  storeIds: string[];
  lockedOnly: boolean;
  enrolled: 'any' | 'yes' | 'no';
};

export const helpdeskApi = {
  stores: () => api<StoreInfo[]>('GET', '/directory/stores'),
  searchUsers(q: UserSearchQuery): Promise<UserSearchResult> {
    const params = new URLSearchParams();
    if (q.search.trim()) params.set('search', q.search.trim());
    if (q.storeIds.length) params.set('storeId', q.storeIds.join(','));
    if (q.lockedOnly) params.set('locked', 'true');
    if (q.enrolled !== 'any') params.set('enrolled', q.enrolled === 'yes' ? 'true' : 'false');
    return api<UserSearchResult>('GET', `/users?${params}`);
  },
};
