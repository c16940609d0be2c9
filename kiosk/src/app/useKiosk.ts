/**
 * The kiosk's state machine and its effects: the device check on load, activation, one "I'm locked out" session at
 * a time (start, poll every 2 s, the person's verification steps, end), the result's reset after 15 s and the
 * messages for the live region. Screens only render what this returns and call its actions.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { deviceApi, deviceRefusal, type KioskIdentity } from '../features/device/api';
import { type CodeChannel, type KioskSessionView, type StepResult, sessionApi } from '../features/session/api';
import {
  INACTIVITY_MS,
  isSessionOver,
  POLL_INTERVAL_MS,
  RESULT_RESET_MS,
  type StepKind,
  sessionScreen,
  startRefusal,
  stepNotice,
  transitionNotice,
  VERIFYING_INACTIVITY_MS,
  waitText,
} from '../features/session/model';

export type KioskScreen =
  | { screen: 'loading' }
  | { screen: 'unreachable'; message: string }
  | { screen: 'not-activated' }
  | { screen: 'revoked' }
  | { screen: 'welcome' }
  | { screen: 'username' }
  | { screen: 'session'; session: KioskSessionView };

const DEVICE_RETRY_MS = 10_000;

export function useKiosk() {
  const [state, setState] = useState<KioskScreen>({ screen: 'loading' });
  const [kiosk, setKiosk] = useState<KioskIdentity | null>(null);
  const [notice, setNotice] = useState('');
  const [pollTick, setPollTick] = useState(0);
  /** Bumped to clear the set-up screen's field after inactivity (it has no session to end). */
  const [clearCount, setClearCount] = useState(0);
  /** Only the latest session read is applied (an older poll answering late must not undo a step's result). */
  const readSeq = useRef(0);
  /** The session shown now (null when none): answers for any other session are stale and ignored. */
  const current = useRef<KioskSessionView | null>(null);

  const show = useCallback((next: KioskScreen) => {
    current.current = next.screen === 'session' ? next.session : null;
    setState(next);
  }, []);

  /** Back to Welcome with nothing of the previous person left; ends their session on the server if there is one. */
  const reset = useCallback(
    (message = '') => {
      const previous = current.current;
      show({ screen: 'welcome' });
      setNotice(message);
      if (previous) sessionApi.end(previous.sessionId).catch(() => undefined);
    },
    [show],
  );

  /** Device refusals and a session that is over change the screen; returns true when it handled `error`. */
  const handleCommonError = useCallback(
    (error: unknown): boolean => {
      const refusal = deviceRefusal(error);
      if (refusal) {
        setKiosk(null);
        show({ screen: refusal });
        setNotice('');
        return true;
      }
      if (isSessionOver(error)) {
        show({ screen: 'welcome' });
        setNotice('The session has ended.');
        return true;
      }
      return false;
    },
    [show],
  );

  // The device check on load (also re-reads the CSRF token, kept in memory only); retried while unreachable.
  const loadDevice = useCallback(async () => {
    try {
      const device = await deviceApi.current();
      if (device.status === 'active') {
        setKiosk(device.kiosk);
        show({ screen: 'welcome' });
      } else show({ screen: device.status });
    } catch (e) {
      show({ screen: 'unreachable', message: errorMessage(e, 'The kiosk cannot reach the server right now.') });
    }
  }, [show]);

  useEffect(() => {
    void loadDevice();
  }, [loadDevice]);

  useEffect(() => {
    if (state.screen !== 'unreachable') return;
    const t = setTimeout(() => void loadDevice(), DEVICE_RETRY_MS);
    return () => clearTimeout(t);
  }, [state, loadDevice]);

  const applySession = useCallback(
    (next: KioskSessionView) => {
      const prev = current.current;
      if (!prev || prev.sessionId !== next.sessionId) return;
      const said = transitionNotice(prev, next);
      if (sessionScreen(next.status) === 'over') {
        show({ screen: 'welcome' });
        setNotice(said ?? '');
        return;
      }
      show({ screen: 'session', session: next });
      if (said) setNotice(said);
    },
    [show],
  );

  const refresh = useCallback(async () => {
    const s = current.current;
    if (!s) return;
    const seq = ++readSeq.current;
    try {
      const next = await sessionApi.get(s.sessionId);
      if (seq === readSeq.current) applySession(next);
    } catch (e) {
      if (current.current?.sessionId !== s.sessionId || seq !== readSeq.current) return;
      if (!handleCommonError(e)) {
        setNotice('Connection problem — trying again…');
        setPollTick((n) => n + 1);
      }
    }
  }, [applySession, handleCommonError]);

  // Poll while waiting for an agent and while verifying (the agent sends codes and unlocks from the admin console).
  // biome-ignore lint/correctness/useExhaustiveDependencies: pollTick re-arms the poll after a failed request
  useEffect(() => {
    if (state.screen !== 'session') return;
    const s = sessionScreen(state.session.status);
    if (s !== 'waiting' && s !== 'verifying') return;
    const t = setTimeout(() => void refresh(), POLL_INTERVAL_MS);
    return () => clearTimeout(t);
  }, [state, refresh, pollTick]);

  // The result stays for 15 s, then the kiosk is ready for the next person.
  useEffect(() => {
    if (state.screen !== 'session' || sessionScreen(state.session.status) !== 'result') return;
    const t = setTimeout(() => reset(), RESULT_RESET_MS);
    return () => clearTimeout(t);
  }, [state, reset]);

  const activate = useCallback(
    async (code: string): Promise<string | null> => {
      try {
        const identity = await deviceApi.activate(code.trim().toUpperCase());
        setKiosk(identity);
        show({ screen: 'welcome' });
        setNotice('This kiosk is set up.');
        return null;
      } catch (e) {
        if (deviceRefusal(e) === 'revoked') {
          handleCommonError(e);
          return null;
        }
        if (e instanceof ApiError && e.status === 429)
          return `Too many tries. Wait ${waitText(e.retryAfterSeconds ?? 60)} and try again.`;
        if (e instanceof ApiError && e.status === 400) return 'Type the activation code.';
        return errorMessage(e, 'The kiosk could not be activated. Try again.');
      }
    },
    [show, handleCommonError],
  );

  const startSession = useCallback(
    async (username: string): Promise<string | null> => {
      try {
        const started = await sessionApi.start(username.trim());
        const session: KioskSessionView = {
          sessionId: started.sessionId,
          status: 'waiting',
          code: started.code,
          expiresAt: started.expiresAt,
          agentName: null,
          verification: null,
          result: null,
        };
        show({ screen: 'session', session });
        setNotice(transitionNotice(null, session) ?? '');
        return null;
      } catch (e) {
        if (handleCommonError(e)) return null;
        return startRefusal(e);
      }
    },
    [show, handleCommonError],
  );

  const step = useCallback(
    async (kind: StepKind, call: (sessionId: string) => Promise<StepResult>): Promise<void> => {
      const s = current.current;
      if (!s) return;
      try {
        const result = await call(s.sessionId);
        if (current.current?.sessionId !== s.sessionId) return;
        setNotice(stepNotice(kind, result));
      } catch (e) {
        if (current.current?.sessionId !== s.sessionId || handleCommonError(e)) return;
        if (!(e instanceof ApiError && e.reason === 'kiosk.sessionNotClaimed'))
          setNotice(errorMessage(e, 'That could not be checked. Please try again.'));
      }
      await refresh();
    },
    [handleCommonError, refresh],
  );

  const answer = useCallback(
    (questionId: string, text: string) => step('answer', (id) => sessionApi.answer(id, questionId, text)),
    [step],
  );
  const verifyCode = useCallback(
    (channel: CodeChannel, code: string) => step('code', (id) => sessionApi.verifyCode(id, channel, code.trim())),
    [step],
  );
  const verifyAuthenticator = useCallback(
    (code: string) => step('authenticator', (id) => sessionApi.authenticator(id, code.trim())),
    [step],
  );

  const beginLockedOut = useCallback(() => {
    show({ screen: 'username' });
    setNotice('');
  }, [show]);

  const startOver = useCallback(() => reset(), [reset]);

  /** Nobody used the screen for a while: end the person's session, or clear the set-up field. */
  const idle = useCallback(() => {
    if (current.current === null && state.screen === 'not-activated') setClearCount((n) => n + 1);
    else reset();
  }, [reset, state.screen]);

  const screenKey =
    state.screen === 'session'
      ? `session-${state.session.sessionId}-${sessionScreen(state.session.status)}`
      : state.screen === 'not-activated'
        ? `not-activated-${clearCount}`
        : state.screen;
  // While the person waits for an agent nothing is typed, for minutes perhaps: the waiting screen has no inactivity
  // reset (the session code's own expiry ends it, and Start over is there).
  const screenOfSession = state.screen === 'session' ? sessionScreen(state.session.status) : undefined;
  const inactivityLimit =
    state.screen === 'username' || state.screen === 'not-activated'
      ? INACTIVITY_MS
      : screenOfSession === 'verifying'
        ? VERIFYING_INACTIVITY_MS
        : screenOfSession === 'result'
          ? INACTIVITY_MS
          : null;

  return {
    state,
    kiosk,
    notice,
    screenKey,
    inactivityLimit,
    activate,
    beginLockedOut,
    startSession,
    answer,
    verifyCode,
    verifyAuthenticator,
    startOver,
    idle,
  };
}
