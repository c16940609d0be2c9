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
