import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { helpdeskApi, type UserSearchQuery } from './api';

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
