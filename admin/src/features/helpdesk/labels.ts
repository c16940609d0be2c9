import type { AuthenticationType, LockState } from './api';

export const lockLabel: Record<LockState, string> = {
  locked: 'Locked',
  unlocked: 'Not locked',
  'admin-locked': 'Locked by an administrator',
};

export const authTypeLabel: Record<AuthenticationType, string> = {
  securityQuestions: 'Security questions',
  authenticator: 'Authenticator',
  email: 'Email',
  phone: 'Phone',
};

export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "14:05" (the agent's locale), for times within the next hour or so. */
export function formatTime(iso: string | undefined | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** "12 min left" / "less than a minute left" / "expired", from the backend's expiry time (display only). */
export function timeLeft(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  if (Number.isNaN(ms)) return '—';
  if (ms <= 0) return 'expired';
  const min = Math.floor(ms / 60_000);
  if (min < 1) return 'less than a minute left';
  return min < 120 ? `${min} min left` : `${Math.floor(min / 60)} h left`;
}

/** Titles of the backend's break-glass refusals; the body is always the backend's message. */
export const breakGlassRefusal: Record<string, string> = {
  'breakGlass.invalid': 'Check the request',
  'breakGlass.notNeeded': 'No approval needed',
  'breakGlass.alreadyRequested': 'Already asked',
  'breakGlass.samePerson': 'Someone else must decide',
  'breakGlass.permissionDenied': 'Not allowed to decide',
  'breakGlass.notPending': 'Already decided',
  'breakGlass.expired': 'The request has expired',
  'helpdesk.permissionDenied': 'Not allowed',
  'helpdesk.outOfScope': 'Outside your scope',
  'helpdesk.selfService': 'Not for your own account',
  'case.notYours': 'Not your case',
};

export const refusalTitle = (reason: string | undefined, fallback: string) =>
  (reason && breakGlassRefusal[reason]) ?? fallback;

/** Titles of the backend's refusals of a kiosk session claim; the body is the backend's message (else these). */
export const kioskClaimRefusal: Record<string, { title: string; message: string }> = {
  'kiosk.codeUnknown': { title: 'Unknown code', message: 'No waiting kiosk session has this code' },
  'kiosk.noSuchUser': {
    title: 'No such account',
    message: 'The name typed at the kiosk matches no account — ask the person to start again',
  },
  'kiosk.alreadyClaimed': { title: 'Already claimed', message: 'Another agent has already claimed this kiosk session' },
};

/** Title and message of a failed claim: the backend's message, under a title by its reason. */
export function claimRefusal(reason: string | undefined, message: string): { title: string; message: string } {
  const known = reason ? kioskClaimRefusal[reason] : undefined;
  const generic = /^Request failed \(\d+\)$/.test(message);
  return {
    title: known?.title ?? refusalTitle(reason, 'The kiosk session was not claimed'),
    message: generic && known ? known.message : message,
  };
}

/** "waiting 3 min" / "waiting less than a minute", from the session's start (display only). */
export function waitingFor(iso: string, now = Date.now()): string {
  const ms = now - new Date(iso).getTime();
  if (Number.isNaN(ms)) return '—';
  const min = Math.floor(ms / 60_000);
  return min < 1 ? 'waiting less than a minute' : `waiting ${min} min`;
}
