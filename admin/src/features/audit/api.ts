import { api } from '../../api/client';

export const OUTCOMES = ['success', 'failure', 'refused', 'requested', 'locked'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The action codes the backend's audit mapping produces (others appear as `event.<Type>`). */
export const ACTIONS = [
  'agent.signedIn',
  'agent.signInFailed',
  'agent.signedOut',
  'agent.sessionEnded',
  'case.opened',
  'case.openingRefused',
  'case.authenticated',
  'case.closed',
  'verification.securityQuestion',
  'verification.codeSent',
  'verification.code',
  'verification.authenticator',
  'verification.locked',
  'verification.refused',
  'verification.codeDeliveryFailed',
  'unlock.requested',
  'unlock.refused',
  'unlock.succeeded',
  'unlock.failed',
  'breakGlass.requested',
  'breakGlass.requestRefused',
  'breakGlass.approved',
  'breakGlass.denied',
  'breakGlass.decisionRefused',
  'notice.requested',
  'notice.sent',
  'notice.failed',
  'link.linked',
  'link.unlinked',
  'link.refused',
  'enrollment.enrolled',
  'enrollment.removed',
  'role.created',
  'role.changed',
  'role.deleted',
  'role.bootstrapped',
  'kiosk.registered',
  'kiosk.activated',
  'kiosk.activationRefused',
  'kiosk.revoked',
  'kioskSession.started',
  'kioskSession.claimed',
  'kioskSession.claimRefused',
  'kioskSession.ended',
  'kiosk.userSignedIn',
  'kiosk.userSignInFailed',
] as const;

export type AuditItem = {
  position: string;
  seq: number;
  eventId: string;
  stream: string;
  type: string;
  time: string;
  action: string;
  summary: string;
  actor: { id: string; displayName: string | null } | null;
  subject: { key: string; displayName: string | null } | null;
  storeId: string | null;
  storeName: string | null;
  authenticationTypes: string[];
  outcome: Outcome | null;
  reasonCode: string | null;
  reason: string | null;
  caseId: string | null;
  ticket: string | null;
  comment: string | null;
  client: string | null;
  ip: string | null;
  userAgent: string | null;
  correlationId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

export type AuditPage = { items: AuditItem[]; nextCursor: string | null };

/** All optional, combined with AND. `from`/`to` are ISO date-times (from inclusive, to exclusive). */
export type AuditFilter = {
  from?: string;
  to?: string;
  store?: string;
  actor?: string;
  subject?: string;
  action?: string;
  outcome?: string;
};

export const FILTER_KEYS = ['from', 'to', 'store', 'actor', 'subject', 'action', 'outcome'] as const;

export type ChainVerification = {
  ok: boolean;
  checked: number;
  headPosition: string | null;
  headHash: string;
  firstBroken?: { position: string; seq: number; problem: string } | null;
};

export type ExportFormat = 'csv' | 'json';

/** The filter as query parameters: only the ones set, trimmed, in a stable order. */
export function filterParams(filter: AuditFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filter[key]?.trim();
    if (value) params.set(key, value);
  }
  return params;
}

export const PAGE_SIZE = 50;

/** A plain link (the browser downloads it with the session cookie), carrying the same filters as the table. */
export function exportUrl(filter: AuditFilter, format: ExportFormat): string {
  const params = filterParams(filter);
  params.set('format', format);
  return `/api/audit/export?${params}`;
}

export const auditApi = {
  events(filter: AuditFilter, cursor?: string): Promise<AuditPage> {
    const params = filterParams(filter);
    params.set('limit', String(PAGE_SIZE));
    if (cursor) params.set('cursor', cursor);
    return api<AuditPage>('GET', `/audit/events?${params}`);
  },
  verify: () => api<ChainVerification>('GET', '/audit/verify'),
};
