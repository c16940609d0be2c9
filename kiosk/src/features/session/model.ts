/**
 * The kiosk's rules about a session, kept out of the screens: which screen a status shows, how the session code is
 * read aloud, what the person is told after each step and when the screen resets by itself.
 */
import { ApiError } from '../../api/client';
import type { KioskSessionView, SessionStatus, StepResult, VerificationView } from './api';

export const POLL_INTERVAL_MS = 2_000;
export const RESULT_RESET_MS = 15_000;
export const INACTIVITY_MS = 60_000;
export const VERIFYING_INACTIVITY_MS = 120_000;

export type SessionScreen = 'waiting' | 'verifying' | 'result' | 'over';

export function sessionScreen(status: SessionStatus): SessionScreen {
  switch (status) {
    case 'waiting':
      return 'waiting';
    case 'claimed':
      return 'verifying';
    case 'unlocked':
    case 'not-unlocked':
      return 'result';
    default:
      return 'over';
  }
}

/** "K7QM2P" → ["K7Q", "M2P"]: two groups of three, easy to read aloud. */
export function groupCode(code: string): string[] {
  const clean = code.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  const groups: string[] = [];
  for (let i = 0; i < clean.length; i += 3) groups.push(clean.slice(i, i + 3));
  return groups;
}

/** Clock time for people standing at the kiosk ("14:32"). */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** "5 minutes" / "1 minute" / "30 seconds" for a retry-after. */
export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The person-facing name of the agent, never blank. */
export function helperName(session: KioskSessionView): string {
  return session.agentName?.trim() || 'A helpdesk agent';
}

/** What the live region says when the session moves on (null when nothing worth saying). */
export function transitionNotice(prev: KioskSessionView | null, next: KioskSessionView): string | null {
  if (prev?.status === next.status) return null;
  switch (next.status) {
    case 'waiting':
      return 'Your code is ready. Tell it to the helpdesk agent.';
    case 'claimed':
      return `${helperName(next)} is helping you.`;
    case 'unlocked':
      return 'Your account is unlocked. You can sign in now.';
    case 'not-unlocked':
      return 'Your account could not be unlocked. Please ask at the helpdesk desk.';
    case 'expired':
      return 'The code expired. You can start again.';
    case 'ended':
      return 'The session has ended.';
  }
}

export type StepKind = 'answer' | 'code' | 'authenticator';

/** What the person is told after a step: plain words, nothing only in colour. */
export function stepNotice(kind: StepKind, result: StepResult): string {
  const what = kind === 'answer' ? 'answer' : 'code';
  switch (result.outcome) {
    case 'verified':
      return kind === 'answer' ? 'Correct — that answer is verified.' : 'Correct — that code is verified.';
    case 'locked':
      return lockNotice(result.lockedUntil ?? null, result.message);
    case 'sent':
      return result.message ?? 'A code was sent.';
    default: {
      const left =
        result.attemptsLeft === undefined
          ? ''
          : ` ${result.attemptsLeft} attempt${result.attemptsLeft === 1 ? '' : 's'} left.`;
      return `${result.message ?? `That ${what} was not accepted.`}${left}`.trim();
    }
  }
}

export function lockNotice(lockedUntil: string | null, message?: string): string {
  const until = lockedUntil ? ` until ${clockTime(lockedUntil)}` : '';
  return message ?? `Too many wrong answers: checking is locked${until}. Please talk to the helpdesk agent.`;
}

/** "1 of 2 checks done" — or done. */
export function progressText(v: VerificationView): string {
  if (v.progress.met) return 'All checks done. The helpdesk agent can now unlock your account.';
  const done = Math.min(v.progress.verifiedTypes.length, v.progress.required);
  return `${done} of ${v.progress.required} check${v.progress.required === 1 ? '' : 's'} done`;
}

/** A refusal of POST /api/kiosk/sessions that the person sees in plain words (never whether the username exists). */
export function startRefusal(error: unknown): string {
  if (error instanceof ApiError && error.status === 429) {
    const wait = error.retryAfterSeconds ? ` You can try again in ${waitText(error.retryAfterSeconds)}.` : '';
    return `Too many attempts here; please ask at the helpdesk desk.${wait}`;
  }
  if (error instanceof ApiError && error.status === 400) return 'Please type your username.';
  if (error instanceof ApiError && error.status === 0) return `${error.message} Please ask at the helpdesk desk.`;
  return 'Something went wrong. Please try again or ask at the helpdesk desk.';
}

/** 410 kiosk.sessionOver: the session ended or expired meanwhile. */
export function isSessionOver(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 410 || error.reason === 'kiosk.sessionOver');
}
