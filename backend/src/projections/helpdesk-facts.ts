import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RecordedEvent } from '../event-store/event-store';
import { maskEmail, maskPhone } from '../shared/crypto/mask';
import { wellKnownFacts } from './well-known';

/**
 * What history and audit know about one event, mapped precisely from the product's events (case, enrollment, role,
 * agent sign-in, delivery, account links) and generically (well-known fields) for any other type.
 *
 * People are keyed `<storeId>:<userId>` (the same shape as `agentActor()`), with the user id lower-cased so that a
 * key from an event and a key from a URL compare equal. Case events after `CaseOpened` carry neither the agent nor the
 * subject: a small per-projection context table remembers them per case (and each unlock request's ticket, comment
 * and authentication types, so the outcome row carries them too). Everything is derived from earlier events in global
 * order, so a rebuild reproduces the same rows.
 */
export interface HelpdeskFact {
  /** Stable code, e.g. `unlock.succeeded`, `verification.securityQuestion` (see ACTIONS). */
  action: string;
  actor: string | null;
  actorName: string | null;
  /** Key of the account the fact is about. */
  subject: string | null;
  subjectStore: string | null;
  subjectUserId: string | null;
  subjectName: string | null;
  /** The identity store the action was in (the subject's store). */
  store: string | null;
  authenticationTypes: string[];
  /** success | failure | refused | requested | locked | null (informational). */
  outcome: string | null;
  reasonCode: string | null;
  reason: string | null;
  caseId: string | null;
  ticket: string | null;
  comment: string | null;
  /** Small facts for the readable sentence (question text, channel, masked destination, read-back state…). */
  details: Record<string, unknown>;
  /** Every person the fact concerns (history rows are found through these); `asActor`: done by them. */
  people: { key: string; asActor: boolean }[];
}

/** The action codes this mapping produces; any other event type maps to `event.<Type>`. */
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

export const OUTCOMES = ['success', 'failure', 'refused', 'requested', 'locked'] as const;

/** Why a directory sign-in (an agent's, or a person's at a kiosk) failed, in words; the code stays in reasonCode. */
const SIGN_IN_FAILURES: Record<string, string> = {
  'invalid-credentials': 'wrong username or password',
  locked: 'the account is locked',
  disabled: 'the account is disabled',
  'password-must-change': 'the password must be changed first',
  'password-expired': 'the password has expired',
  'unknown-store': 'no such identity store',
  unavailable: 'the directory could not be reached',
};
const signInFailure = (code: string | null) => (code ? (SIGN_IN_FAILURES[code] ?? code) : null);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export const personKey = (storeId: string, userId: string) => `${storeId}:${userId.toLowerCase()}`;

/** The most specific RDN's value of a DN (`CN=Carol Jones,OU=…` → `Carol Jones`), as a display name of last resort. */
function nameFromDn(dn: unknown): string | null {
  if (typeof dn !== 'string') return null;
  const m = /^\s*[A-Za-z0-9.-]+\s*=\s*((?:\\.|[^,+\\])*)/.exec(dn);
  if (!m) return null;
  const value = m[1].trim().replace(/\\(.)/g, '$1');
  return value === '' ? null : value;
}

interface CaseContext {
  agent: string | null;
  agentName: string | null;
  subject: string | null;
  subjectStore: string | null;
  subjectUserId: string | null;
  subjectName: string | null;
  questions: Record<string, string>;
  /** `<idempotencyKey>/<account key>` → what the request said. */
  requests: Record<
    string,
    {
      ticket: string | null;
      comment: string | null;
      authenticationTypes: string[];
      /** The approver of the break-glass the unlock relied on (UnlockRequested 2). */
      breakGlassApprovedBy?: string | null;
    }
  >;
  /** Idempotency key → how many accounts the unlock notice is about (from UnlockNoticeRequested). */
  notices?: Record<string, number>;
  /** Kiosk sessions (kept under `kiosk-session:<sessionId>`): the kiosk and what the person typed. */
  kioskId?: string;
  usernameTyped?: string;
}

interface PersonRow {
  displayName: string | null;
  username: string | null;
  storeId: string | null;
}

/** What a FactContext keeps in memory per database: bounded caches of its tables (write-through) and statements. */
interface ContextState {
  /** case id → context; null: known not to exist. */
  cases: Map<string, CaseContext | null>;
  /** person key → row; null: known not to exist. */
  people: Map<string, PersonRow | null>;
  getCase: StatementSync;
  putCase: StatementSync;
  getPerson: StatementSync;
  putPerson: StatementSync;
  byUsername: StatementSync;
}

/** Cache bounds: a case's events are close together in the log; people recur (agents) or are few per day. */
const CASES_CACHED = 10_000;
const PEOPLE_CACHED = 50_000;

function cache<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key); // re-inserted at the end: the oldest entries are evicted first
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

/**
 * Per-projection tables of what later events need from earlier ones: cases and known people. The tables are the
 * durable truth (a restart or a resumed rebuild reads them); reads go through bounded in-memory caches kept in step
 * with every write, so a rebuild does not SELECT and parse a case context per event, nor rewrite a person's row that
 * has not changed. `init` (after a wipe) and `discard` (after a rolled-back batch) drop the caches.
 */
export class FactContext {
  readonly tables: string[];
  private readonly states = new WeakMap<DatabaseSync, ContextState>();
  constructor(private readonly prefix: string) {
    this.tables = [`${prefix}_cases`, `${prefix}_people`];
  }

  init(db: DatabaseSync): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${this.prefix}_cases (case_id TEXT PRIMARY KEY, context TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ${this.prefix}_people (
        key TEXT PRIMARY KEY, display_name TEXT, username TEXT, store_id TEXT, username_key TEXT
      );
      CREATE INDEX IF NOT EXISTS ${this.prefix}_people_username ON ${this.prefix}_people (username_key);
    `);
    this.discard(db);
  }

  /** Forgets the caches (the tables may have changed under them: a rolled-back transaction, a wipe). */
  discard(db: DatabaseSync): void {
    this.states.delete(db);
  }

  private state(db: DatabaseSync): ContextState {
    let st = this.states.get(db);
    if (!st) {
      const p = this.prefix;
      st = {
        cases: new Map(),
        people: new Map(),
        getCase: db.prepare(`SELECT context FROM ${p}_cases WHERE case_id = ?`),
        putCase: db.prepare(
          `INSERT INTO ${p}_cases (case_id, context) VALUES (?, ?)
           ON CONFLICT (case_id) DO UPDATE SET context = excluded.context`,
        ),
        getPerson: db.prepare(`SELECT display_name, username, store_id FROM ${p}_people WHERE key = ?`),
        putPerson: db.prepare(
          `INSERT INTO ${p}_people (key, display_name, username, store_id, username_key) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET display_name = excluded.display_name, username = excluded.username,
             store_id = excluded.store_id, username_key = excluded.username_key`,
        ),
        byUsername: db.prepare(`SELECT key, store_id FROM ${p}_people WHERE username_key = ?`),
      };
      this.states.set(db, st);
    }
    return st;
  }

  /** The case's context. The object is the cached one: after changing it, call putCase. */
  getCase(db: DatabaseSync, caseId: string): CaseContext | undefined {
    const st = this.state(db);
    let c = st.cases.get(caseId);
    if (c === undefined) {
      const row = st.getCase.get(caseId) as { context: string } | undefined;
      c = row ? (JSON.parse(row.context) as CaseContext) : null;
      cache(st.cases, caseId, c, CASES_CACHED);
    }
    return c ?? undefined;
  }

  putCase(db: DatabaseSync, caseId: string, context: CaseContext): void {
    const st = this.state(db);
    st.putCase.run(caseId, JSON.stringify(context));
    cache(st.cases, caseId, context, CASES_CACHED);
  }

  private person(st: ContextState, key: string): PersonRow | null {
    let row = st.people.get(key);
    if (row === undefined) {
      const r = st.getPerson.get(key) as
        | { display_name: string | null; username: string | null; store_id: string | null }
        | undefined;
      row = r ? { displayName: r.display_name, username: r.username, storeId: r.store_id } : null;
      cache(st.people, key, row, PEOPLE_CACHED);
    }
    return row;
  }

  name(db: DatabaseSync, key: string | null): string | null {
    if (!key) return null;
    const row = this.person(this.state(db), key);
    return row?.displayName ?? row?.username ?? null;
  }

  /** Records what an event says about a person; a field the event does not give keeps its earlier value. */
  remember(
    db: DatabaseSync,
    key: string,
    facts: { displayName?: string | null; username?: string | null; storeId?: string | null },
  ): void {
    const st = this.state(db);
    const old = this.person(st, key);
    const row: PersonRow = {
      displayName: facts.displayName ?? old?.displayName ?? null,
      username: facts.username ?? old?.username ?? null,
      storeId: facts.storeId ?? old?.storeId ?? null,
    };
    if (old && old.displayName === row.displayName && old.username === row.username && old.storeId === row.storeId) {
      return; // nothing new: most events repeat what the agent's sign-in said
    }
    st.putPerson.run(key, row.displayName, row.username, row.storeId, row.username ? row.username.toLowerCase() : null);
    cache(st.people, key, row, PEOPLE_CACHED);
  }

  /** The key of an agent known by username (from an earlier sign-in), in a store or, with none given, any store. */
  byUsername(db: DatabaseSync, storeId: string | null, username: string): string | null {
    const rows = this.state(db).byUsername.all(username.trim().toLowerCase()) as {
      key: string;
      store_id: string | null;
    }[];
    const matching = storeId ? rows.filter((r) => r.store_id === storeId) : rows;
    return matching.length === 1 ? matching[0].key : null;
  }
}

const CHANNEL_TYPE: Record<string, string> = { email: 'email', phone: 'phone' };
const METHOD_TYPE: Record<string, string | null> = {
  securityQuestion: 'securityQuestions',
  authenticator: 'authenticator',
  verificationCode: null,
  sendCode: null,
};

/**
 * An account in event data. `displayName`: what the event says the person is called (recorded since events carry it;
 * older events do not); `name`: the DN's most specific value, a last resort (for LDAP that is often the username).
 */
function accountOf(
  v: unknown,
): { key: string; storeId: string; userId: string; displayName: string | null; name: string | null } | null {
  if (!isObj(v)) return null;
  const storeId = str(v.storeId);
  const userId = str(v.userId);
  if (!storeId || !userId) return null;
  return {
    key: personKey(storeId, userId),
    storeId,
    userId,
    displayName: str(v.displayName),
    name: nameFromDn(v.dn),
  };
}

/** The name of an account in an event: its own display name (remembered), else a known name, else its DN's. */
function accountName(db: DatabaseSync, ctx: FactContext, a: NonNullable<ReturnType<typeof accountOf>>): string | null {
  if (a.displayName) {
    ctx.remember(db, a.key, { displayName: a.displayName, storeId: a.storeId });
    return a.displayName;
  }
  return ctx.name(db, a.key) ?? a.name;
}

const caseIdOf = (event: RecordedEvent, data: Obj): string | null =>
  str(data.caseId) ?? (event.streamId.startsWith('case-') ? event.streamId.slice('case-'.length) : null);

function empty(action: string): HelpdeskFact {
  return {
    action,
    actor: null,
    actorName: null,
    subject: null,
    subjectStore: null,
    subjectUserId: null,
    subjectName: null,
    store: null,
    authenticationTypes: [],
    outcome: null,
    reasonCode: null,
    reason: null,
    caseId: null,
    ticket: null,
    comment: null,
    details: {},
    people: [],
  };
}

function withPeople(f: HelpdeskFact, ...extra: (string | null)[]): HelpdeskFact {
  const map = new Map<string, boolean>();
  const add = (key: string | null, asActor: boolean) => {
    if (key) map.set(key, (map.get(key) ?? false) || asActor);
  };
  add(f.actor, true);
  add(f.subject, false);
  for (const k of extra) add(k, false);
  f.people = [...map].map(([key, asActor]) => ({ key, asActor }));
  return f;
}

/** AgentSessionEnded reasons (the directory check of a session), in words. */
const SESSION_END_REASONS: Record<string, string> = {
  gone: 'the account no longer exists in the directory',
  disabled: 'the account is disabled in the directory',
  locked: 'the account is locked in the directory',
};

const CODE_REJECTIONS: Record<string, string> = {
  mismatch: 'Wrong code',
  expired: 'The code had expired',
  used: 'The code was already used',
  attemptsExhausted: 'Too many wrong tries for this code',
  replayed: 'The authenticator code was already used',
};

/** Maps one event to its fact, reading and updating the context tables (call in global order). */
export function factOf(db: DatabaseSync, ctx: FactContext, event: RecordedEvent): HelpdeskFact {
  const f = mapFact(db, ctx, event);
  // Handlers also write the agent's username as `actorName`: a name for actors no event has named yet.
  const actorName = isObj(event.metadata) ? str(event.metadata.actorName) : null;
  if (f.actor && actorName) {
    const i = f.actor.indexOf(':');
    ctx.remember(db, f.actor, { username: actorName, storeId: i > 0 ? f.actor.slice(0, i) : null });
    f.actorName ??= actorName;
  }
  return f;
}

function mapFact(db: DatabaseSync, ctx: FactContext, event: RecordedEvent): HelpdeskFact {
  const data: Obj = isObj(event.data) ? event.data : {};
  const meta: Obj = isObj(event.metadata) ? event.metadata : {};
  const metaActor = str(meta.actor);
  const actorKey = (fallback: string | null) => {
    if (!metaActor) return fallback;
    const i = metaActor.indexOf(':');
    return i > 0 ? personKey(metaActor.slice(0, i), metaActor.slice(i + 1)) : metaActor;
  };

  if (KIOSK_TYPES.has(event.type)) return kioskFact(db, ctx, event, data, actorKey);

  switch (event.type) {
    case 'AgentSignedIn':
    case 'AgentSignedOut': {
      const who = accountOf(data.subject);
      const f = empty(event.type === 'AgentSignedIn' ? 'agent.signedIn' : 'agent.signedOut');
      if (who) {
        ctx.remember(db, who.key, {
          displayName: str(data.displayName),
          username: str(data.username),
          storeId: who.storeId,
        });
        Object.assign(f, {
          subject: who.key,
          subjectStore: who.storeId,
          subjectUserId: who.userId,
          store: who.storeId,
        });
      }
      f.actor = actorKey(who?.key ?? null);
      f.actorName = ctx.name(db, f.actor);
      f.subjectName = ctx.name(db, f.subject);
      f.details = { username: str(data.username) };
      if (event.type === 'AgentSignedIn') {
        f.outcome = 'success';
        f.authenticationTypes = ['password'];
      }
      return withPeople(f);
    }
    case 'AgentSessionEnded': {
      // The system ended the session (actor `system`); like a failed sign-in it belongs to the agent's own history.
      const who = accountOf(data.subject);
      const f = empty('agent.sessionEnded');
      if (who) {
        Object.assign(f, {
          subject: who.key,
          subjectStore: who.storeId,
          subjectUserId: who.userId,
          store: who.storeId,
        });
      }
      f.actor = actorKey(null);
      f.actorName = ctx.name(db, f.actor);
      f.subjectName = ctx.name(db, f.subject) ?? str(data.username);
      f.reasonCode = str(data.reason);
      f.reason = SESSION_END_REASONS[f.reasonCode ?? ''] ?? str(data.detail) ?? f.reasonCode;
      f.details = { username: str(data.username) };
      const out = withPeople(f);
      for (const p of out.people) if (p.key === f.subject) p.asActor = true;
      return out;
    }
    case 'AgentSignInFailed': {
      const storeId = str(data.storeId);
      const username = str(data.username) ?? '';
      const f = empty('agent.signInFailed');
      const known = ctx.byUsername(db, storeId, username);
      f.subject = known ?? `${storeId ?? '*'}:@${username.toLowerCase()}`;
      f.subjectStore = storeId ?? (known ? known.slice(0, known.indexOf(':')) : null);
      f.subjectUserId = known ? known.slice(known.indexOf(':') + 1) : null;
      f.subjectName = (known && ctx.name(db, known)) || username;
      f.store = f.subjectStore;
      f.actor = actorKey(null);
      f.outcome = 'failure';
      f.authenticationTypes = ['password'];
      f.reasonCode = str(data.reason);
      f.reason = signInFailure(f.reasonCode);
      f.details = { username };
      const out = withPeople(f);
      // The attempt is the agent's own: it belongs to their agent history, not to an anonymous actor's.
      for (const p of out.people) if (p.key === f.subject) p.asActor = true;
      return out;
    }
    case 'AuthenticationTypeEnrolled':
    case 'AuthenticationTypeRemoved': {
      const storeId = str(data.storeId);
      const userId = str(data.userId);
      const f = empty(event.type === 'AuthenticationTypeEnrolled' ? 'enrollment.enrolled' : 'enrollment.removed');
      if (storeId && userId) {
        f.subject = personKey(storeId, userId);
        f.subjectStore = storeId;
        f.subjectUserId = userId;
        f.store = storeId;
        // Enrollment events carry the display name since the import records it (older ones do not).
        const displayName = str(data.displayName);
        if (displayName) ctx.remember(db, f.subject, { displayName, storeId });
      }
      f.actor = actorKey(null);
      f.actorName = ctx.name(db, f.actor);
      f.subjectName = ctx.name(db, f.subject);
      f.outcome = 'success';
      if (event.type === 'AuthenticationTypeEnrolled') {
        const e: Obj = isObj(data.enrollment) ? data.enrollment : {};
        const type = str(e.type);
        f.authenticationTypes = type ? [type] : [];
        const details: Obj = { source: str(data.source), replaced: data.replaced === true };
        if (type === 'email' && str(e.address)) details.destination = maskEmail(e.address as string);
        if (type === 'phone' && str(e.number)) details.destination = maskPhone(e.number as string);
        if (type === 'securityQuestions' && Array.isArray(e.questions)) details.questions = e.questions.length;
        f.details = details;
      } else {
        const type = str(data.authenticationType);
        f.authenticationTypes = type ? [type] : [];
        f.reason = str(data.reason);
      }
      return withPeople(f);
    }
    case 'RoleCreated':
    case 'RoleChanged':
    case 'RoleDeleted': {
      const f = empty(
        event.type === 'RoleCreated' ? 'role.created' : event.type === 'RoleChanged' ? 'role.changed' : 'role.deleted',
      );
      f.actor = actorKey(null);
      f.actorName = ctx.name(db, f.actor);
      f.outcome = 'success';
      f.details = { roleId: str(data.roleId), roleName: str(data.name) };
      if (event.type === 'RoleChanged') f.details.changedFields = strs(data.changedFields);
      return withPeople(f);
    }
    case 'RolesBootstrapped': {
      const f = empty('role.bootstrapped');
      f.actor = actorKey(null);
      f.actorName = ctx.name(db, f.actor);
      f.outcome = 'success';
      f.details = { roles: strs(data.roleIds).length, created: strs(data.created).length, source: str(data.source) };
      return withPeople(f);
    }
    case 'VerificationCodeDeliveryFailed':
    case 'UnlockNoticeRequested':
    case 'UnlockNoticeSent':
    case 'UnlockNoticeFailed':
      return deliveryFact(db, ctx, event, data, actorKey);
    case 'AccountsLinked':
    case 'AccountsUnlinked':
    case 'AccountLinkRefused':
      return linkFact(db, ctx, event, data, actorKey);
  }

  const caseId = event.streamId.startsWith('case-') || event.type === 'CaseOpened' ? caseIdOf(event, data) : null;
  if (caseId && (event.type === 'CaseOpened' || event.type === 'CaseOpeningRefused' || ctx.getCase(db, caseId))) {
    return caseFact(db, ctx, event, data, caseId, actorKey);
  }

  // Anything else: the generic well-known fields.
  const w = wellKnownFacts(event);
  const f = empty(`event.${event.type}`);
  f.actor = w.actor ? actorKey(w.actor) : null;
  f.actorName = ctx.name(db, f.actor);
  f.subject = w.subjectStore && w.subjectUserId ? personKey(w.subjectStore, w.subjectUserId) : w.subject;
  f.subjectStore = w.subjectStore;
  f.subjectUserId = w.subjectUserId;
  f.subjectName = ctx.name(db, f.subject);
  f.store = w.subjectStore;
  f.outcome = w.outcome === 'failed' ? 'failure' : w.outcome;
  f.reason = w.reason;
  f.authenticationTypes = strs(data.authenticationTypes);
  f.ticket = str(data.ticket);
  f.comment = str(data.comment);
  f.caseId = str(data.caseId);
  return withPeople(f);
}

function caseFact(
  db: DatabaseSync,
  ctx: FactContext,
  event: RecordedEvent,
  data: Obj,
  caseId: string,
  actorKey: (fallback: string | null) => string | null,
): HelpdeskFact {
  let c = ctx.getCase(db, caseId);
  if (event.type === 'CaseOpened' || event.type === 'CaseOpeningRefused') {
    const agent = accountOf(data.agent);
    const subject = accountOf(data.subject);
    const questions: Record<string, string> = {};
    const enrollment: Obj = isObj(data.enrollment) ? data.enrollment : {};
    if (Array.isArray(enrollment.securityQuestions)) {
      for (const q of enrollment.securityQuestions) {
        if (isObj(q) && str(q.questionId) && str(q.question)) questions[q.questionId as string] = q.question as string;
      }
    }
    const agentName = isObj(data.agent) ? str(data.agent.displayName) : null;
    if (agent) ctx.remember(db, agent.key, { displayName: agentName, storeId: agent.storeId });
    c = {
      agent: agent?.key ?? null,
      agentName: agentName ?? ctx.name(db, agent?.key ?? null),
      subject: subject?.key ?? null,
      subjectStore: subject?.storeId ?? null,
      subjectUserId: subject?.userId ?? null,
      subjectName: subject ? accountName(db, ctx, subject) : null,
      questions,
      requests: {},
    };
    ctx.putCase(db, caseId, c);
  }
  const context = c as CaseContext;
  const f = empty('case.event');
  f.caseId = caseId;
  f.actor = actorKey(context.agent);
  f.actorName = f.actor === context.agent ? (context.agentName ?? ctx.name(db, f.actor)) : ctx.name(db, f.actor);
  f.subject = context.subject;
  f.subjectStore = context.subjectStore;
  f.subjectUserId = context.subjectUserId;
  f.subjectName = context.subjectName;
  f.store = context.subjectStore;
  const refusal = () => {
    f.reasonCode = str(data.reasonCode);
    f.reason = str(data.reason);
  };
  const account = accountOf(data.account);
  const onAccount = () => {
    if (!account) return;
    f.subject = account.key;
    f.subjectStore = account.storeId;
    f.subjectUserId = account.userId;
    f.subjectName =
      account.displayName || account.key !== context.subject ? accountName(db, ctx, account) : context.subjectName;
    f.store = account.storeId;
    f.details.linked = data.linked === true || (context.subject !== null && account.key !== context.subject);
  };
  const requestKey = `${str(data.idempotencyKey) ?? ''}/${account?.key ?? ''}`;

  switch (event.type) {
    case 'CaseOpened': {
      f.action = 'case.opened';
      f.outcome = 'success';
      const enrollment: Obj = isObj(data.enrollment) ? data.enrollment : {};
      const policy: Obj = isObj(data.policy) ? data.policy : {};
      const role: Obj = isObj(data.role) ? data.role : {};
      f.details = {
        enrolledTypes: strs(enrollment.types),
        policyMode: str(policy.mode),
        requiredTypes: typeof policy.requiredTypes === 'number' ? policy.requiredTypes : null,
        roleName: str(role.name),
      };
      break;
    }
    case 'CaseOpeningRefused':
      f.action = 'case.openingRefused';
      f.outcome = 'refused';
      refusal();
      break;
    case 'SecurityAnswerVerified':
    case 'SecurityAnswerRejected': {
      f.action = 'verification.securityQuestion';
      f.authenticationTypes = ['securityQuestions'];
      const questionId = str(data.questionId);
      f.details = { questionId, question: questionId ? (context.questions[questionId] ?? null) : null };
      if (event.type === 'SecurityAnswerVerified') f.outcome = 'success';
      else {
        f.outcome = 'failure';
        f.reasonCode = 'mismatch';
        f.reason = 'Wrong answer';
        f.details.failures = data.failures;
      }
      break;
    }
    case 'VerificationCodeSent':
      f.action = 'verification.codeSent';
      f.outcome = 'success';
      f.authenticationTypes = [CHANNEL_TYPE[str(data.channel) ?? ''] ?? str(data.channel) ?? ''].filter(Boolean);
      f.details = {
        channel: str(data.channel),
        destination: str(data.maskedDestination),
        expiresAt: str(data.expiresAt),
      };
      break;
    case 'VerificationCodeVerified':
    case 'VerificationCodeRejected':
      f.action = 'verification.code';
      f.authenticationTypes = [CHANNEL_TYPE[str(data.channel) ?? ''] ?? str(data.channel) ?? ''].filter(Boolean);
      f.details = { channel: str(data.channel) };
      if (event.type === 'VerificationCodeVerified') f.outcome = 'success';
      else {
        f.outcome = 'failure';
        f.reasonCode = str(data.reason);
        f.reason = CODE_REJECTIONS[str(data.reason) ?? ''] ?? str(data.reason);
        f.details.attemptsLeft = data.attemptsLeft;
        f.details.failures = data.failures;
      }
      break;
    case 'AuthenticatorCodeVerified':
    case 'AuthenticatorCodeRejected':
      f.action = 'verification.authenticator';
      f.authenticationTypes = ['authenticator'];
      if (event.type === 'AuthenticatorCodeVerified') f.outcome = 'success';
      else {
        f.outcome = 'failure';
        f.reasonCode = str(data.reason);
        f.reason = CODE_REJECTIONS[str(data.reason) ?? ''] ?? str(data.reason);
        f.details = { failures: data.failures };
      }
      break;
    case 'VerificationLocked':
      f.action = 'verification.locked';
      f.outcome = 'locked';
      f.reasonCode = 'verification.locked';
      f.reason = `Too many wrong answers (${String(data.failures)}); verification locked until ${String(data.lockedUntil)}`;
      f.details = { failures: data.failures, lockedUntil: str(data.lockedUntil) };
      break;
    case 'VerificationAttemptRefused': {
      f.action = 'verification.refused';
      f.outcome = 'refused';
      const type = METHOD_TYPE[str(data.method) ?? ''];
      f.authenticationTypes = type ? [type] : [];
      f.details = { method: str(data.method), lockedUntil: str(data.lockedUntil) };
      refusal();
      break;
    }
    case 'CaseAuthenticated':
      f.action = 'case.authenticated';
      f.outcome = 'success';
      f.authenticationTypes = strs(data.verifiedTypes);
      f.details = { expiresAt: str(data.expiresAt) };
      break;
    case 'UnlockRequested':
    case 'UnlockRefused': {
      onAccount();
      f.ticket = str(data.ticket);
      f.comment = str(data.comment);
      f.authenticationTypes = strs(data.authenticationTypes);
      const glass: Obj | null = isObj(data.breakGlass) ? data.breakGlass : null;
      const approvedBy = glass ? accountOf(glass.approvedBy) : null;
      const approvedByName = approvedBy ? accountName(db, ctx, approvedBy) : null;
      if (glass) {
        f.details.breakGlassRequestId = str(glass.requestId);
        f.details.breakGlassApprovedBy = approvedByName ?? approvedBy?.key ?? null;
      }
      context.requests[requestKey] = {
        ticket: f.ticket,
        comment: f.comment,
        authenticationTypes: f.authenticationTypes,
        ...(glass ? { breakGlassApprovedBy: approvedByName ?? approvedBy?.key ?? null } : {}),
      };
      ctx.putCase(db, caseId, context);
      if (event.type === 'UnlockRequested') {
        f.action = 'unlock.requested';
        f.outcome = 'requested';
        f.details.stateBefore = isObj(data.stateBefore) ? data.stateBefore.lockState : null;
      } else {
        f.action = 'unlock.refused';
        f.outcome = 'refused';
        refusal();
      }
      break;
    }
    case 'AccountUnlocked':
    case 'UnlockFailed': {
      onAccount();
      const request = context.requests[requestKey];
      f.ticket = request?.ticket ?? null;
      f.comment = request?.comment ?? null;
      f.authenticationTypes = request ? [...request.authenticationTypes] : [];
      if (request?.breakGlassApprovedBy) f.details.breakGlassApprovedBy = request.breakGlassApprovedBy;
      f.details.readBack = isObj(data.readBack) ? (str(data.readBack.lockState) ?? null) : null;
      f.details.reconciled = data.reconciled === true;
      f.details.directoryMessage = str(data.directoryMessage);
      if (event.type === 'AccountUnlocked') {
        f.action = 'unlock.succeeded';
        f.outcome = 'success';
      } else {
        f.action = 'unlock.failed';
        f.outcome = 'failure';
        refusal();
      }
      break;
    }
    case 'CaseClosed':
      f.action = 'case.closed';
      f.reason = str(data.reason);
      break;
    case 'BreakGlassRequested':
    case 'BreakGlassRequestRefused':
      // The case's agent asks; the justification is the agent's comment (the reason column is for refusals).
      f.ticket = str(data.ticket);
      if (event.type === 'BreakGlassRequested') {
        f.action = 'breakGlass.requested';
        f.outcome = 'requested';
        f.comment = str(data.reason);
        f.details = {
          requestId: str(data.requestId),
          justification: str(data.reason),
          ticket: f.ticket,
          expiresAt: str(data.expiresAt),
        };
      } else {
        f.action = 'breakGlass.requestRefused';
        f.outcome = 'refused';
        refusal();
      }
      break;
    case 'BreakGlassApproved':
    case 'BreakGlassDenied':
    case 'BreakGlassDecisionRefused': {
      // Decided by a second agent on the case's stream: the actor is the approver (their request's metadata).
      const approver = accountOf(data.approver);
      if (approver) {
        const name = accountName(db, ctx, approver);
        f.actor = actorKey(approver.key);
        f.actorName = f.actor === approver.key ? name : ctx.name(db, f.actor);
      }
      f.comment = str(data.comment);
      f.details = {
        comment: f.comment,
        requestId: str(data.requestId),
        requestedBy: context.agent,
        requestedByName: context.agentName,
      };
      if (event.type === 'BreakGlassApproved') {
        f.action = 'breakGlass.approved';
        f.outcome = 'success';
        f.details.validUntil = str(data.validUntil);
      } else if (event.type === 'BreakGlassDenied') {
        f.action = 'breakGlass.denied';
        f.outcome = 'refused';
      } else {
        f.action = 'breakGlass.decisionRefused';
        f.outcome = 'refused';
        f.details.decision = str(data.decision);
        refusal();
      }
      // The requester's history shows what became of their request too.
      return withPeople(f, context.subject, context.agent);
    }
    default:
      f.action = `event.${event.type}`;
  }
  return withPeople(f, context.subject);
}

/** Out-of-band messages of a case (stream `delivery-<caseId>`): named from the case's context when it is known. */
function deliveryFact(
  db: DatabaseSync,
  ctx: FactContext,
  event: RecordedEvent,
  data: Obj,
  actorKey: (fallback: string | null) => string | null,
): HelpdeskFact {
  const caseId = str(data.caseId) ?? (event.streamId.startsWith('delivery-') ? event.streamId.slice(9) : null);
  const context = caseId ? ctx.getCase(db, caseId) : undefined;
  const who = accountOf(data.subject);
  const f = empty('event.delivery');
  f.caseId = caseId;
  f.actor = actorKey(context?.agent ?? null);
  f.actorName =
    context && f.actor === context.agent ? (context.agentName ?? ctx.name(db, f.actor)) : ctx.name(db, f.actor);
  if (who) {
    f.subject = who.key;
    f.subjectStore = who.storeId;
    f.subjectUserId = who.userId;
    f.store = who.storeId;
    f.subjectName = context && context.subject === who.key ? context.subjectName : ctx.name(db, who.key);
  }
  const key = str(data.idempotencyKey);
  f.details = { destination: str(data.maskedDestination) };
  const refusal = () => {
    f.reasonCode = str(data.reasonCode);
    f.reason = str(data.reason);
  };
  switch (event.type) {
    case 'VerificationCodeDeliveryFailed': {
      f.action = 'verification.codeDeliveryFailed';
      f.outcome = 'failure';
      const channel = str(data.channel);
      f.authenticationTypes = channel && CHANNEL_TYPE[channel] ? [CHANNEL_TYPE[channel]] : [];
      f.details.channel = channel;
      refusal();
      break;
    }
    case 'UnlockNoticeRequested': {
      f.action = 'notice.requested';
      f.outcome = 'requested';
      const accounts = strs(data.accounts).length;
      f.details.accounts = accounts;
      if (context && key) {
        context.notices = { ...context.notices, [key]: accounts };
        ctx.putCase(db, caseId as string, context);
      }
      break;
    }
    case 'UnlockNoticeSent':
    case 'UnlockNoticeFailed':
      f.action = event.type === 'UnlockNoticeSent' ? 'notice.sent' : 'notice.failed';
      f.outcome = event.type === 'UnlockNoticeSent' ? 'success' : 'failure';
      f.details.accounts = (key && context?.notices?.[key]) ?? null;
      if (event.type === 'UnlockNoticeFailed') refusal();
      break;
  }
  return withPeople(f, context?.subject ?? null);
}

/** An explicit link or unlink of two accounts (or its refusal): about both accounts, the first as the subject. */
function linkFact(
  db: DatabaseSync,
  ctx: FactContext,
  event: RecordedEvent,
  data: Obj,
  actorKey: (fallback: string | null) => string | null,
): HelpdeskFact {
  const account = accountOf(data.account);
  const other = accountOf(data.other);
  const f = empty(
    event.type === 'AccountsLinked'
      ? 'link.linked'
      : event.type === 'AccountsUnlinked'
        ? 'link.unlinked'
        : 'link.refused',
  );
  f.actor = actorKey(null);
  f.actorName = ctx.name(db, f.actor);
  if (account) {
    f.subject = account.key;
    f.subjectStore = account.storeId;
    f.subjectUserId = account.userId;
    f.subjectName = accountName(db, ctx, account);
    f.store = account.storeId;
  }
  f.details = {
    other: other?.key ?? null,
    otherName: other ? accountName(db, ctx, other) : null,
    otherStore: other?.storeId ?? null,
  };
  f.comment = str(data.comment);
  if (event.type === 'AccountLinkRefused') {
    f.outcome = 'refused';
    f.reasonCode = str(data.reasonCode);
    f.reason = str(data.reason);
    f.details.linkAction = str(data.action);
  } else f.outcome = 'success';
  return withPeople(f, other?.key ?? null);
}

const KIOSK_TYPES = new Set([
  'KioskRegistered',
  'KioskActivated',
  'KioskActivationRefused',
  'KioskRevoked',
  'KioskSessionStarted',
  'KioskSessionClaimed',
  'KioskSessionClaimRefused',
  'KioskSessionEnded',
  'KioskUserSignedIn',
  'KioskUserSignInFailed',
]);

/** A kiosk is named like a person, keyed `kiosk:<kioskId>` (the actor of what is recorded from it). */
const kioskKey = (kioskId: string) => `kiosk:${kioskId.toLowerCase()}`;

/**
 * Kiosk registry (`kiosk-<kioskId>`) and kiosk session (`kiosk-session-<sessionId>`) events. A session's later events
 * carry neither the kiosk nor the person: the context table remembers them under `kiosk-session:<sessionId>`.
 */
function kioskFact(
  db: DatabaseSync,
  ctx: FactContext,
  event: RecordedEvent,
  data: Obj,
  actorKey: (fallback: string | null) => string | null,
): HelpdeskFact {
  const f = empty('kiosk.event');
  const refusal = () => {
    f.reasonCode = str(data.reasonCode);
    f.reason = str(data.reason);
  };
  if (event.type.startsWith('KioskSession')) {
    const sessionId = str(data.sessionId) ?? event.streamId.slice('kiosk-session-'.length);
    const contextKey = `kiosk-session:${sessionId}`;
    let c = ctx.getCase(db, contextKey);
    if (event.type === 'KioskSessionStarted') {
      const subject = accountOf(data.subject);
      c = {
        agent: null,
        agentName: null,
        subject: subject?.key ?? null,
        subjectStore: subject?.storeId ?? null,
        subjectUserId: subject?.userId ?? null,
        subjectName: subject ? accountName(db, ctx, subject) : null,
        questions: {},
        requests: {},
        kioskId: str(data.kioskId) ?? undefined,
        usernameTyped: str(data.usernameTyped) ?? undefined,
      };
      ctx.putCase(db, contextKey, c);
    }
    const kiosk = c?.kioskId ? kioskKey(c.kioskId) : null;
    f.subject = c?.subject ?? null;
    f.subjectStore = c?.subjectStore ?? null;
    f.subjectUserId = c?.subjectUserId ?? null;
    f.subjectName = c?.subjectName ?? null;
    f.store = c?.subjectStore ?? null;
    f.actor = actorKey(kiosk);
    f.actorName = ctx.name(db, f.actor);
    f.details = { sessionId, kioskId: c?.kioskId ?? null, kioskName: ctx.name(db, kiosk) };
    if (!c?.subject) f.details.usernameTyped = c?.usernameTyped ?? null;
    switch (event.type) {
      case 'KioskSessionStarted':
        f.action = 'kioskSession.started';
        f.outcome = 'requested';
        f.details.expiresAt = str(data.expiresAt);
        break;
      case 'KioskSessionClaimed': {
        f.action = 'kioskSession.claimed';
        f.outcome = 'success';
        f.caseId = str(data.caseId);
        const agent = accountOf(data.agent);
        if (agent && isObj(data.agent)) ctx.remember(db, agent.key, { displayName: str(data.agent.displayName) });
        f.actorName = ctx.name(db, f.actor);
        break;
      }
      case 'KioskSessionClaimRefused':
        f.action = 'kioskSession.claimRefused';
        f.outcome = 'refused';
        refusal();
        break;
      case 'KioskSessionEnded':
        f.action = 'kioskSession.ended';
        f.details.by = str(data.by);
        break;
    }
    return withPeople(f);
  }
  const kioskId = str(data.kioskId) ?? event.streamId.slice('kiosk-'.length);
  const kiosk = kioskKey(kioskId);
  if (event.type === 'KioskRegistered') ctx.remember(db, kiosk, { displayName: str(data.name) });
  f.actor = actorKey(kiosk);
  f.actorName = ctx.name(db, f.actor);
  f.details = { kioskId, kioskName: ctx.name(db, kiosk) };
  switch (event.type) {
    case 'KioskRegistered':
      f.action = 'kiosk.registered';
      f.outcome = 'success';
      f.store = str(data.storeId);
      f.details.location = str(data.location);
      f.details.activationExpiresAt = str(data.activationExpiresAt);
      break;
    case 'KioskActivated':
      f.action = 'kiosk.activated';
      f.outcome = 'success';
      break;
    case 'KioskActivationRefused':
      f.action = 'kiosk.activationRefused';
      f.outcome = 'refused';
      refusal();
      break;
    case 'KioskRevoked':
      f.action = 'kiosk.revoked';
      f.outcome = 'success';
      f.comment = str(data.reason);
      f.details.comment = f.comment;
      break;
    case 'KioskUserSignedIn':
    case 'KioskUserSignInFailed': {
      // A person proving themselves at the kiosk with their directory password (to set up their verification).
      const signedIn = event.type === 'KioskUserSignedIn';
      f.action = signedIn ? 'kiosk.userSignedIn' : 'kiosk.userSignInFailed';
      f.outcome = signedIn ? 'success' : 'failure';
      f.authenticationTypes = ['password'];
      const who = accountOf(data.subject);
      if (who) {
        ctx.remember(db, who.key, { displayName: str(data.displayName), username: str(data.username) });
        Object.assign(f, { subject: who.key, subjectStore: who.storeId, subjectUserId: who.userId });
      }
      f.subjectName = (who && ctx.name(db, who.key)) || str(data.username);
      f.store = str(data.storeId);
      f.details.username = str(data.username);
      f.details.purpose = str(data.purpose);
      if (!signedIn) {
        f.reasonCode = str(data.reason);
        f.reason = signInFailure(f.reasonCode);
      }
      break;
    }
  }
  return withPeople(f);
}
