import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { helpdeskApi, type UserSearchQuery } from './api';

export function useStores() {
  return useQuery({ queryKey: ['stores'], queryFn: helpdeskApi.stores, staleTime: 5 * 60_000 });
}

/** Searches once the agent typed something or asked for locked accounts; keeps the last results while typing. */
export function useUserSearch(query: UserSearchQuery) {
  const enabled = query.search.trim().length > 0 || query.lockedOnly;
  return useQuery({
    queryKey: ['users', query],
    queryFn: () => helpdeskApi.searchUsers(query),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
}
