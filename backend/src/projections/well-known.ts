import type { RecordedEvent } from '../event-store/event-store';

/**
 * Generic extraction of the facts that history and audit index, from well-known fields of event data and metadata.
 * The helpdesk events will carry these fields; until their shapes settle, the rules are deliberately lenient:
 * - subject (the user the fact is about): data.subject as {store|storeId, userId|user|username} or a string,
 *   else metadata.subject, else data.store/storeId + data.userId; keyed `store:userId` (or `userId` alone).
 * - actor: metadata.actor, else data.actor (a string, or an object with an id).
 * - outcome: data.outcome, else inferred from the event type's last word (…Refused → refused, …Failed → failed,
 *   …Requested → requested, …Succeeded/Unlocked/Verified/Enrolled → success), else none.
 * - reason: data.reason.
 */
export interface WellKnownFacts {
  subject: string | null;
  subjectStore: string | null;
  subjectUserId: string | null;
  actor: string | null;
  client: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: string | null;
  reason: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;

function subjectOf(candidate: unknown): { store: string | null; userId: string } | null {
  if (typeof candidate === 'string' && candidate !== '') {
    const i = candidate.indexOf(':');
    return i > 0
      ? { store: candidate.slice(0, i), userId: candidate.slice(i + 1) }
      : { store: null, userId: candidate };
  }
  if (!isObj(candidate)) return null;
  const userId = str(candidate.userId) ?? str(candidate.user) ?? str(candidate.username) ?? str(candidate.id);
  if (!userId) return null;
  return { store: str(candidate.store) ?? str(candidate.storeId), userId };
}

const OUTCOME_BY_SUFFIX: Array<[RegExp, string]> = [
  [/Refused$/, 'refused'],
  [/Failed$/, 'failed'],
  [/Requested$/, 'requested'],
  [/(Succeeded|Unlocked|Verified|Enrolled)$/, 'success'],
];

export function wellKnownFacts(event: Pick<RecordedEvent, 'type' | 'data' | 'metadata'>): WellKnownFacts {
  const data: Obj = isObj(event.data) ? event.data : {};
  const meta: Obj = isObj(event.metadata) ? event.metadata : {};
  const subject =
    subjectOf(data.subject) ??
    subjectOf(meta.subject) ??
    (str(data.userId) ? subjectOf({ store: data.store ?? data.storeId, userId: data.userId }) : null);
  const actorValue = meta.actor ?? data.actor;
  const actor = str(actorValue) ?? (isObj(actorValue) ? str(actorValue.id) : null);
  const outcome = str(data.outcome) ?? OUTCOME_BY_SUFFIX.find(([re]) => re.test(event.type))?.[1] ?? null;
  return {
    subject: subject ? (subject.store ? `${subject.store}:${subject.userId}` : subject.userId) : null,
    subjectStore: subject?.store ?? null,
    subjectUserId: subject?.userId ?? null,
    actor,
    client: str(meta.client),
    ip: str(meta.ip),
    userAgent: str(meta.userAgent),
    outcome,
    reason: str(data.reason),
  };
}
