import type { AuditItem } from './audit.service';

/**
 * Export formats. CSV (RFC 4180): a header row, CRLF line ends, every field quoted when it holds a comma, quote, CR
 * or LF (quotes doubled), UTF-8 with a byte-order mark so spreadsheet programs read non-ASCII text right. Cells of
 * free-text columns starting with = + - @ (a spreadsheet would run them as formulas) get a leading apostrophe; the
 * columns the hash chain covers (position, id, type, stream, time, data, metadata) are never altered, so
 * `scripts/verify-audit-export.mjs` verifies a CSV export as it is.
 * JSON: an array with one event per line; NDJSON: one event per line.
 */
export const CSV_COLUMNS = [
  'seq',
  'position',
  'time',
  'id',
  'type',
  'stream',
  'action',
  'summary',
  'actor',
  'actor_name',
  'subject',
  'subject_name',
  'store',
  'store_name',
  'authentication_types',
  'outcome',
  'reason_code',
  'reason',
  'case_id',
  'ticket',
  'comment',
  'client',
  'ip',
  'user_agent',
  'correlation_id',
  'causation_id',
  'data',
  'metadata',
  'prev_hash',
  'hash',
] as const;

/** Columns never touched by the formula guard (the chain covers them, or they are machine values). */
const VERBATIM = new Set(['seq', 'position', 'time', 'id', 'type', 'stream', 'data', 'metadata', 'prev_hash', 'hash']);

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const guard = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

export const CSV_BOM = '\uFEFF';
export const csvHeader = () => `${CSV_COLUMNS.join(',')}\r\n`;

export function csvRow(e: AuditItem): string {
  const values: Record<(typeof CSV_COLUMNS)[number], string> = {
    seq: String(e.seq),
    position: e.position,
    time: e.time,
    id: e.eventId,
    type: e.type,
    stream: e.stream,
    action: e.action,
    summary: e.summary,
    actor: e.actor?.id ?? '',
    actor_name: e.actor?.displayName ?? '',
    subject: e.subject?.key ?? '',
    subject_name: e.subject?.displayName ?? '',
    store: e.storeId ?? '',
    store_name: e.storeName ?? '',
    authentication_types: e.authenticationTypes.join(' '),
    outcome: e.outcome ?? '',
    reason_code: e.reasonCode ?? '',
    reason: e.reason ?? '',
    case_id: e.caseId ?? '',
    ticket: e.ticket ?? '',
    comment: e.comment ?? '',
    client: e.client ?? '',
    ip: e.ip ?? '',
    user_agent: e.userAgent ?? '',
    correlation_id: e.correlationId ?? '',
    causation_id: e.causationId ?? '',
    data: JSON.stringify(e.data),
    metadata: JSON.stringify(e.metadata),
    prev_hash: e.prevHash,
    hash: e.hash,
  };
  return `${CSV_COLUMNS.map((c) => csvField(VERBATIM.has(c) ? values[c] : guard(values[c]))).join(',')}\r\n`;
}

export function jsonRow(e: AuditItem): string {
  return JSON.stringify(e);
}
