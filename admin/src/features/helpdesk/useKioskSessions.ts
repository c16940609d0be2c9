/**
 * Data hooks of walk-up kiosk sessions on the Helpdesk page: the waiting list (polled; hidden when the agent may not
 * see it), claiming one by its code (the backend opens the case) and ending a claimed one.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/client';
import { type KioskClaim, kioskSessionsApi } from './api';
import { KIOSK_SESSIONS_POLL_MS, normaliseSessionCode } from './kioskModel';

export const kioskSessionsKey = ['kiosk-sessions', 'waiting'] as const;

/** The answer will not change by asking again: no session, no permission, no such route. */
const settled = (e: unknown) => e instanceof ApiError && [401, 403, 404].includes(e.status);

/**
 * Waiting kiosk sessions, oldest first, read every few seconds. `allowed` is false once the backend said the agent
 * may not see them (401/403; 404 where the backend has no kiosks): the kiosk section is not shown then.
 */
export function useKioskSessions() {
  const query = useQuery({
    queryKey: kioskSessionsKey,
    queryFn: kioskSessionsApi.waiting,
    refetchInterval: (q) => (settled(q.state.error) ? false : KIOSK_SESSIONS_POLL_MS),
  });
  const allowed = query.data !== undefined && !settled(query.error);
  return { sessions: allowed ? (query.data?.sessions ?? []) : [], allowed, query };
}

/** Claims the session whose code the person read out (sent normalised); the list is read again either way. */
export function useClaimKioskSession(onClaimed?: (claim: KioskClaim) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (typed: string) => kioskSessionsApi.claim(normaliseSessionCode(typed)),
    onSettled: () => client.invalidateQueries({ queryKey: kioskSessionsKey }),
    onSuccess: (claim) => onClaimed?.(claim),
  });
}

export function useEndKioskSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) => kioskSessionsApi.end(sessionId),
    onSettled: () => client.invalidateQueries({ queryKey: kioskSessionsKey }),
  });
}
