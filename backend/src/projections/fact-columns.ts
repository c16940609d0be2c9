import type { HelpdeskFact } from './helpdesk-facts';

/**
 * The columns that the history and audit read models share: the helpdesk fact of an event and the request context
 * from its metadata. One mapping each way, so the two tables cannot drift apart.
 */

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
const nullable = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** Client, IP, user agent and correlation id of an event, as stored (empty or missing → NULL). */
export function requestColumns(metadata: Record<string, unknown> | undefined) {
  const meta = metadata ?? {};
  return {
    client: text(meta.client),
    ip: text(meta.ip),
    userAgent: text(meta.userAgent),
    correlationId: text(meta.correlationId),
    causationId: text(meta.causationId),
  };
}

/** The JSON columns of a fact. */
export function factJson(f: Pick<HelpdeskFact, 'authenticationTypes' | 'details'>) {
  return { authTypes: JSON.stringify(f.authenticationTypes), details: JSON.stringify(f.details) };
}

/** The shared fields of a history or audit entry, read back from its row. */
export function sharedEntryFields(r: Record<string, unknown>) {
  return {
    action: r.action as string,
    actor: r.actor ? { id: r.actor as string, displayName: nullable(r.actor_name) } : null,
    storeId: nullable(r.store),
    authenticationTypes: JSON.parse(r.auth_types as string) as string[],
    outcome: nullable(r.outcome),
    reasonCode: nullable(r.reason_code),
    reason: nullable(r.reason),
    caseId: nullable(r.case_id),
    ticket: nullable(r.ticket),
    comment: nullable(r.comment),
    client: nullable(r.client),
    ip: nullable(r.ip),
    userAgent: nullable(r.user_agent),
    correlationId: nullable(r.correlation_id),
    details: JSON.parse(r.details as string) as Record<string, unknown>,
  };
}

export { nullable };
