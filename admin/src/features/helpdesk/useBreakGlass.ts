/**
 * Data hooks of the two-person break-glass path: asking for an approval on the dialog's case (opening the case
 * first if needed) and watching the case while the request is pending; the Helpdesk page's list of approvals waiting
 * and the decisions on them. The backend decides who may ask, decide and unlock.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import {
  type BreakGlass,
  type BreakGlassAnswer,
  type BreakGlassDecision,
  type BreakGlassRequest,
  breakGlassApi,
  type CaseView,
  unlockApi,
} from './api';
import { APPROVALS_POLL_MS, BREAK_GLASS_POLL_MS } from './breakGlassModel';

export const caseKey = (caseId: string | undefined) => ['helpdesk-case', caseId] as const;
export const approvalsKey = ['break-glass', 'pending'] as const;

type DialogCase = { view?: CaseView | undefined; ensure: () => Promise<CaseView> };

/**
 * The break-glass request of the dialog's case: `ask` opens the case when the dialog has none, then asks; while the
 * request is pending the case is read again every few seconds, so an approval (or denial) shows up by itself.
 */
export function useBreakGlass(kase: DialogCase, offered: boolean) {
  const client = useQueryClient();
  const caseId = kase.view?.caseId;
  const [asked, setAsked] = useState(false);
  const ask = useMutation({
    mutationFn: async (body: BreakGlassRequest) => {
      const c = await kase.ensure();
      return breakGlassApi.request(c.caseId, body);
    },
    onSuccess: (answer) => {
      setAsked(true);
      client.setQueryData<CaseView>(caseKey(answer.caseId), (old) => old && { ...old, breakGlass: answer.breakGlass });
      void client.invalidateQueries({ queryKey: caseKey(answer.caseId) });
    },
  });
  const watching = offered && Boolean(caseId) && (asked || kase.view?.breakGlass != null);
  const status = useQuery({
    queryKey: caseKey(caseId),
    queryFn: () => unlockApi.getCase(caseId as string),
    enabled: watching,
    staleTime: 0,
    refetchInterval: (q) => (q.state.data?.breakGlass?.status === 'pending' ? BREAK_GLASS_POLL_MS : false),
  });
  const breakGlass: BreakGlass | null =
    (watching ? status.data?.breakGlass : undefined) ?? ask.data?.breakGlass ?? kase.view?.breakGlass ?? null;
  return { breakGlass, ask, statusError: status.error };
}

export type BreakGlassHook = ReturnType<typeof useBreakGlass>;

/** Stop asking when the answer will not change (no session, no permission, no such route). */
const settled = (e: unknown) => e instanceof ApiError && [401, 403, 404].includes(e.status);

/** Pending, unexpired requests for a second agent, newest first; read again every few seconds. */
export function usePendingApprovals() {
  return useQuery({
    queryKey: approvalsKey,
    queryFn: breakGlassApi.pending,
    refetchInterval: (q) => (settled(q.state.error) ? false : APPROVALS_POLL_MS),
  });
}

export type Decision = { caseId: string; requestId: string; decision: BreakGlassDecision; comment?: string };

/**
 * Approve or deny one request. The list is read again before the decision settles (the row decided on goes away),
 * and `onDecided` runs even when that row has unmounted.
 */
export function useDecideApproval(onDecided?: (answer: BreakGlassAnswer, decision: Decision) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ caseId, requestId, decision, comment }: Decision) => {
      try {
        return await breakGlassApi.decide(caseId, requestId, decision, comment?.trim() || undefined);
      } finally {
        await client.invalidateQueries({ queryKey: approvalsKey });
      }
    },
    onSuccess: onDecided,
  });
}
