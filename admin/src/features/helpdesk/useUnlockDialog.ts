/**
 * Data hooks of the Unlock Account dialog: the user's profile, the case (caller authentication), the unlock (one
 * Idempotency-Key per click, reused by a retry of that click) and the user's history. Components render what these
 * return; the backend decides.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import {
  type AccountRef,
  type CaseView,
  type CodeChannel,
  type StepResult,
  type UnlockRequest,
  unlockApi,
} from './api';
import { KIOSK_CASE_POLL_MS } from './kioskModel';
import { newIdempotencyKey } from './unlockModel';

export const profileKey = (u: AccountRef) => ['user-profile', u.storeId, u.userId] as const;
export const historyKey = (u: AccountRef) => ['user-history', u.storeId, u.userId] as const;

export function useUserProfile(user: AccountRef) {
  return useQuery({ queryKey: profileKey(user), queryFn: () => unlockApi.profile(user), staleTime: 0, gcTime: 0 });
}

/** What the last attempt of one verification step said (by step: `q:<id>`, `send:email`, `code:sms`, `totp`). */
export type StepFeedback =
  | { kind: 'result'; result: StepResult }
  | { kind: 'error'; message: string; reason?: string | undefined };

type StepInput =
  | { step: 'answer'; questionId: string; answer: string }
  | { step: 'sendCode'; channel: CodeChannel }
  | { step: 'verifyCode'; channel: CodeChannel; code: string }
  | { step: 'authenticator'; code: string };

export const stepKey = (s: StepInput): string =>
  s.step === 'answer'
    ? `q:${s.questionId}`
    : s.step === 'sendCode'
      ? `send:${s.channel}`
      : s.step === 'verifyCode'
        ? `code:${s.channel}`
        : 'totp';

const errorFeedback = (e: unknown): StepFeedback => ({
  kind: 'error',
  message: errorMessage(e),
  reason: e instanceof ApiError ? e.reason : undefined,
});

/**
 * The case of this dialog: opened once when `open` is true (the Authenticate page is shown and the backend allows
 * it), then every verification step answers with the case as it now stands. `resume`: a case of this agent for this
 * user to pick up instead (the profile names one with a two-person request still in play, e.g. after the dialog was
 * closed while waiting for the approval, or the case a kiosk session claim opened). `watchKiosk`: while true and the
 * case comes from a kiosk session, the case is read again every few seconds, so answers given at the kiosk show up.
 */
export function useHelpdeskCase(user: AccountRef, open: boolean, resume?: string, watchKiosk = false) {
  const [view, setView] = useState<CaseView>();
  const [feedback, setFeedback] = useState<Record<string, StepFeedback>>({});
  const started = useRef(false);
  /** Bumped when a step starts and settles: a re-read begun before then may be older than the step's answer. */
  const stepSeq = useRef(0);
  const watched = watchKiosk && view?.kiosk ? view.caseId : undefined;
  useEffect(() => {
    if (!watched) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const next = () => {
      timer = setTimeout(async () => {
        const seq = stepSeq.current;
        try {
          const fresh = await unlockApi.getCase(watched);
          if (!stopped && seq === stepSeq.current) setView(fresh);
        } catch {
          // A failed re-read changes nothing; the next one may succeed (the session's end is handled globally).
        }
        if (!stopped) next();
      }, KIOSK_CASE_POLL_MS);
    };
    next();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [watched]);
  const resuming = useMutation({ mutationFn: (caseId: string) => unlockApi.getCase(caseId), onSuccess: setView });
  const { mutate: resumeCase } = resuming;
  useEffect(() => {
    if (resume && !started.current) {
      started.current = true;
      resumeCase(resume);
    }
  }, [resume, resumeCase]);
  const opening = useMutation({ mutationFn: () => unlockApi.openCase(user), onSuccess: setView });
  const { mutate: openCase, mutateAsync: openCaseAsync } = opening;
  /** The dialog's case, opened now if it has none (break-glass for an unenrolled user needs one). */
  const ensure = useCallback(async (): Promise<CaseView> => {
    if (view) return view;
    started.current = true;
    return openCaseAsync();
  }, [view, openCaseAsync]);
  useEffect(() => {
    if (open && !started.current) {
      started.current = true;
      openCase();
    }
  }, [open, openCase]);

  const step = useMutation({
    mutationFn: (s: StepInput): Promise<StepResult> => {
      const caseId = view?.caseId;
      if (!caseId) return Promise.reject(new ApiError(409, 'case.notOpen', 'The case is not open yet'));
      switch (s.step) {
        case 'answer':
          return unlockApi.answer(caseId, s.questionId, s.answer);
        case 'sendCode':
          return unlockApi.sendCode(caseId, s.channel);
        case 'verifyCode':
          return unlockApi.verifyCode(caseId, s.channel, s.code);
        case 'authenticator':
          return unlockApi.authenticator(caseId, s.code);
      }
    },
    onMutate: () => {
      stepSeq.current += 1;
    },
    onSettled: () => {
      stepSeq.current += 1;
    },
    onSuccess: (result, s) => {
      setView(result.case);
      setFeedback((f) => ({ ...f, [stepKey(s)]: { kind: 'result', result } }));
    },
    onError: (e, s) => setFeedback((f) => ({ ...f, [stepKey(s)]: errorFeedback(e) })),
  });

  return {
    view,
    /** Getting the dialog's case: picking up `resume` when there was one (e.g. a claimed kiosk case), else opening. */
    opening: resume && !opening.isError && !opening.isPending && !opening.isSuccess ? resuming : opening,
    ensure,
    feedback,
    pendingStep: step.isPending && step.variables ? stepKey(step.variables) : undefined,
    run: step.mutate,
  };
}

/**
 * Unlock: `unlock(request)` is one click, with a new Idempotency-Key; `retry()` sends the same request with the same
 * key (after a network error or a 503 while the directory is settling), so the backend answers it at most once.
 */
export function useUnlock(user: AccountRef) {
  const client = useQueryClient();
  const last = useRef<{ request: UnlockRequest; key: string }>(undefined);
  const mutation = useMutation({
    mutationFn: ({ request, key }: { request: UnlockRequest; key: string }) => unlockApi.unlock(user, request, key),
    onSettled: () => {
      // The directory changed: lock states in the search, the profile (insight) and the history are stale.
      void client.invalidateQueries({ queryKey: ['users'] });
      void client.invalidateQueries({ queryKey: profileKey(user) });
      void client.invalidateQueries({ queryKey: historyKey(user) });
    },
  });
  const { mutate } = mutation;
  const unlock = useCallback(
    (request: UnlockRequest) => {
      last.current = { request, key: newIdempotencyKey() };
      mutate(last.current);
    },
    [mutate],
  );
  const retry = useCallback(() => {
    if (last.current) mutate(last.current);
  }, [mutate]);
  return { ...mutation, unlock, retry, idempotencyKey: last.current?.key };
}

export function useUserHistory(user: AccountRef, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: historyKey(user),
    queryFn: ({ pageParam }) => unlockApi.history(user, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled,
    staleTime: 0,
  });
}
