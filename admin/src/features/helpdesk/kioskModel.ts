/**
 * Walk-up kiosk sessions as the helpdesk shows them. The person reads the session code aloud, so the agent may type
 * it in lower case with a space or dash between its halves; it is sent in the kiosk's form (upper case, no
 * separators). The backend decides whether the code names a waiting session.
 */

/** The waiting list is read again this often. */
export const KIOSK_SESSIONS_POLL_MS = 5000;
/** While the Authenticate page of a kiosk case shows, the case is read again this often (answers typed at the kiosk). */
export const KIOSK_CASE_POLL_MS = 2000;
export const SESSION_CODE_LENGTH = 6;

/** "k7q-m2p" / "K7Q M2P" → "K7QM2P". */
export const normaliseSessionCode = (typed: string) => typed.toUpperCase().replace(/[\s-]+/g, '');

/** Why the typed code cannot be a session code (before asking the backend), or null. */
export function sessionCodeProblem(typed: string): string | null {
  const code = normaliseSessionCode(typed);
  if (!code) return 'Type the code the person reads from the kiosk';
  if (!/^[A-Z0-9]+$/.test(code)) return 'The code has only letters and digits';
  if (code.length !== SESSION_CODE_LENGTH) return `The code has ${SESSION_CODE_LENGTH} characters`;
  return null;
}
