/**
 * Two-person break-glass as the dialog shows it. Nothing here decides a rule: the offer mirrors the profile's own
 * refusal (`unlock.unenrolledNotAllowed` for an unenrolled user), the status is the case's `breakGlass`, and the length
 * limits mirror the API's input validation so the agent hears about them before sending (the backend checks again).
 */
import type { BreakGlass, UserProfile } from './api';
import { formatTime } from './labels';

export const BREAK_GLASS_LIMITS = { reasonMin: 10, reasonMax: 1000, ticketMax: 100, commentMax: 1000 } as const;

/** While a request is pending the case is read again this often. */
export const BREAK_GLASS_POLL_MS = 3000;
/** The Helpdesk page's "Approvals waiting" list is read again this often. */
export const APPROVALS_POLL_MS = 5000;

/** Offered exactly when the subject is unenrolled and the backend refused the unlock for that reason. */
export function breakGlassOffered(profile: UserProfile): boolean {
  return !profile.enrollment.enrolled && profile.actions.unlock.reasonCode === 'unlock.unenrolledNotAllowed';
}

export type BreakGlassForm = { reason: string; ticket: string };

/** The API's input limits, checked before sending: `{ reason?: message, ticket?: message }`. */
export function validateBreakGlass(f: BreakGlassForm): Partial<Record<keyof BreakGlassForm, string>> {
  const errors: Partial<Record<keyof BreakGlassForm, string>> = {};
  const reason = f.reason.trim();
  if (reason.length < BREAK_GLASS_LIMITS.reasonMin)
    errors.reason = `Give a reason of at least ${BREAK_GLASS_LIMITS.reasonMin} characters`;
  else if (reason.length > BREAK_GLASS_LIMITS.reasonMax)
    errors.reason = `The reason can be at most ${BREAK_GLASS_LIMITS.reasonMax} characters`;
  if (f.ticket.trim().length > BREAK_GLASS_LIMITS.ticketMax)
    errors.ticket = `The ticket reference can be at most ${BREAK_GLASS_LIMITS.ticketMax} characters`;
  return errors;
}

/** May the agent ask (again)? Not while a request is pending or approved. */
export const canAsk = (bg: BreakGlass | null | undefined) => !bg || bg.status === 'denied' || bg.status === 'expired';

export type BreakGlassStatusView = { color: string; title: string; text: string };

/** What the panel says about the case's request. */
export function breakGlassStatus(bg: BreakGlass): BreakGlassStatusView {
  const by = bg.decidedBy?.displayName ?? 'a second agent';
  switch (bg.status) {
    case 'pending':
      return {
        color: 'blue',
        title: 'Waiting for a second agent',
        text: `Agents with Unlock Any Account see the request on their Helpdesk page; it expires at ${formatTime(bg.expiresAt)}`,
      };
    case 'approved':
      return {
        color: 'teal',
        title: 'Approved',
        text: `Approved by ${by} until ${formatTime(bg.validUntil ?? bg.expiresAt)}`,
      };
    case 'denied':
      return { color: 'red', title: 'Denied', text: `Denied by ${by}` };
    default:
      return {
        color: 'gray',
        title: 'Expired',
        text: bg.validUntil
          ? `The approval ended at ${formatTime(bg.validUntil)}`
          : `Nobody decided before ${formatTime(bg.expiresAt)}`,
      };
  }
}
