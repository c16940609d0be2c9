import type { Outcome } from './api';

/** `2026-03-01T09:30` (a datetime-local input, local time) → ISO UTC; '' stays ''. */
export function localInputToIso(value: string): string {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** ISO → the datetime-local input's local `YYYY-MM-DDTHH:mm`. */
export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export const formatTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export const OUTCOME_LABEL: Record<Outcome, string> = {
  success: 'Success',
  failure: 'Failure',
  refused: 'Refused',
  requested: 'Requested',
  locked: 'Locked',
};

export const AUTH_TYPE_LABEL: Record<string, string> = {
  securityQuestions: 'Security questions',
  authenticator: 'Authenticator',
  email: 'Email code',
  phone: 'SMS code',
  password: 'Password',
};
