import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { type AuditFilter, auditApi, FILTER_KEYS, filterParams } from './api';

/** Newest first, page by page ("Load more" follows nextCursor to older events). */
export function useAuditEvents(filter: AuditFilter) {
  return useInfiniteQuery({
    queryKey: ['audit', 'events', filterParams(filter).toString()],
    queryFn: ({ pageParam }) => auditApi.events(filter, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 5_000,
  });
}

export function useVerifyChain() {
  return useMutation({ mutationFn: auditApi.verify });
}

/** The applied filter lives in the page URL, so a filtered view can be bookmarked and shared. */
export function useAuditFilter(): [AuditFilter, (f: AuditFilter) => void] {
  const [params, setParams] = useSearchParams();
  const filter: AuditFilter = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filter[key] = value;
  }
  return [filter, (f) => setParams(filterParams(f))];
}
