import { useQuery } from '@tanstack/react-query';
import { api } from './client';

/** An identity store as GET /api/directory/stores lists it. */
export type StoreInfo = {
  id: string;
  name: string;
  type: 'active-directory' | 'ldap' | 'entra-id';
  capabilities: { canUnlock: boolean; canSearch: boolean; reason?: string };
};

/** The configured identity stores: one query (and one cache entry) for the search, the roles and the audit pages. */
export function useStores() {
  return useQuery({
    queryKey: ['stores'],
    queryFn: () => api<StoreInfo[]>('GET', '/directory/stores'),
    staleTime: 5 * 60_000,
  });
}

/** The store's name, or its id when it is not (or no longer) configured. */
export const storeName = (id: string, stores: Pick<StoreInfo, 'id' | 'name'>[] | undefined) =>
  stores?.find((s) => s.id === id)?.name ?? id;
