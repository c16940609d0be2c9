/**
 * Read models the helpdesk handlers need (run by the projection runner, never by the in-process EventBus):
 *
 * - `helpdesk-cases`:
 *   - `hd_case`: case id → subject and agent (case events after CaseOpened do not repeat the subject);
 *   - `hd_verification`: per user (subject), the verification failures, running lock and last accepted TOTP step
 *     across all of the user's cases: the `prior` of the next OpenCase, so a new case is no way around the lock;
 *   - `hd_unlocks`: one row per unlock intent (UnlockRequested) with its outcome: the start-up reconciler's list of
 *     pending intents, and the profile's "recent unlocks" insight.
 * - `account-links`: explicit links/unlinks between accounts, one row per direction with the latest state.
 * - `helpdesk-break-glass`: `hd_break_glass`, one row per break-glass request with its decision (the list of pending
 *   requests second agents see). A closed case's pending request is marked `closed` (it can no longer be decided).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { RecordedEvent } from '../event-store/event-store';
import { type Projection, statement } from '../projections/projection';
import { accountKey } from '../shared/domain-types';
import type { CaseEvent } from './case.events';
import type { LinkEvent } from './links';

const caseIdOf = (streamId: string) => (streamId.startsWith('case-') ? streamId.slice('case-'.length) : null);

const CASE_TYPES = [
  'CaseOpened',
  'SecurityAnswerRejected',
  'VerificationCodeRejected',
  'AuthenticatorCodeRejected',
  'VerificationLocked',
  'AuthenticatorCodeVerified',
  'UnlockRequested',
  'AccountUnlocked',
  'UnlockFailed',
] as const;

function subjectOfCase(db: DatabaseSync, caseId: string): string | undefined {
  const row = statement(db, 'SELECT subject_key FROM hd_case WHERE case_id = ?').get(caseId) as
    | { subject_key: string }
    | undefined;
  return row?.subject_key;
}

function ensureVerificationRow(db: DatabaseSync, subject: string): void {
  statement(
    db,
    `INSERT INTO hd_verification (subject_key, failures, locked_until, last_failure_at, last_totp_step)
     VALUES (?, 0, NULL, NULL, NULL) ON CONFLICT (subject_key) DO NOTHING`,
  ).run(subject);
}

export const helpdeskCasesProjection: Projection = {
  name: 'helpdesk-cases',
  version: 1,
  eventTypes: CASE_TYPES,
  tables: ['hd_case', 'hd_verification', 'hd_unlocks'],
  init(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS hd_case (
        case_id TEXT PRIMARY KEY,
        subject_key TEXT NOT NULL,
        store_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        agent TEXT NOT NULL,
        opened_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS hd_verification (
        subject_key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until TEXT,
        last_failure_at TEXT,
        last_totp_step INTEGER
      );
      CREATE TABLE IF NOT EXISTS hd_unlocks (
        case_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        account_key TEXT NOT NULL,
        store_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        subject_key TEXT,
        linked INTEGER NOT NULL,
        agent TEXT,
        requested_at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason_code TEXT,
        reconciled INTEGER NOT NULL DEFAULT 0,
        settled_at TEXT,
        PRIMARY KEY (case_id, idempotency_key, account_key)
      );
    `);
  },
  indexes: [
    "CREATE INDEX IF NOT EXISTS hd_unlocks_pending ON hd_unlocks (outcome) WHERE outcome = 'pending'",
    'CREATE INDEX IF NOT EXISTS hd_unlocks_account ON hd_unlocks (account_key, requested_at)',
  ],
  apply(db, recorded) {
    const caseId = caseIdOf(recorded.streamId);
    if (!caseId) return;
    const event = { type: recorded.type, data: recorded.data } as CaseEvent;
    switch (event.type) {
      case 'CaseOpened': {
        const d = event.data;
        const subject = accountKey(d.subject);
        statement(
          db,
          `INSERT INTO hd_case (case_id, subject_key, store_id, user_id, agent, opened_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (case_id) DO NOTHING`,
        ).run(caseId, subject, d.subject.storeId, d.subject.userId, `${d.agent.storeId}:${d.agent.userId}`, d.at);
        ensureVerificationRow(db, subject);
        return;
      }
      case 'SecurityAnswerRejected':
      case 'VerificationCodeRejected':
      case 'AuthenticatorCodeRejected': {
        const subject = subjectOfCase(db, caseId);
        if (!subject) return;
        ensureVerificationRow(db, subject);
        // Mirrors the case's own fold: a rejection after a lock ran out starts a new count (the lock is cleared).
        statement(
          db,
          `UPDATE hd_verification SET failures = ?, last_failure_at = ?,
             locked_until = CASE WHEN locked_until IS NOT NULL AND ? >= locked_until THEN NULL ELSE locked_until END
           WHERE subject_key = ?`,
        ).run(event.data.failures, event.data.at, event.data.at, subject);
        return;
      }
      case 'VerificationLocked': {
        const subject = subjectOfCase(db, caseId);
        if (!subject) return;
        ensureVerificationRow(db, subject);
        statement(
          db,
          'UPDATE hd_verification SET failures = ?, locked_until = ?, last_failure_at = ? WHERE subject_key = ?',
        ).run(event.data.failures, event.data.lockedUntil, event.data.at, subject);
        return;
      }
      case 'AuthenticatorCodeVerified': {
        const subject = subjectOfCase(db, caseId);
        if (!subject) return;
        ensureVerificationRow(db, subject);
        statement(
          db,
          `UPDATE hd_verification SET last_totp_step = MAX(COALESCE(last_totp_step, -1), ?) WHERE subject_key = ?`,
        ).run(event.data.step, subject);
        return;
      }
      case 'UnlockRequested': {
        const d = event.data;
        const actor = typeof recorded.metadata.actor === 'string' ? recorded.metadata.actor : null;
        statement(
          db,
          `INSERT INTO hd_unlocks (case_id, idempotency_key, account_key, store_id, user_id, subject_key, linked, agent,
             requested_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')
           ON CONFLICT (case_id, idempotency_key, account_key) DO NOTHING`,
        ).run(
          caseId,
          d.idempotencyKey,
          accountKey(d.account),
          d.account.storeId,
          d.account.userId,
          subjectOfCase(db, caseId) ?? null,
          d.linked ? 1 : 0,
          actor,
          d.at,
        );
        return;
      }
      case 'AccountUnlocked':
      case 'UnlockFailed': {
        const d = event.data;
        statement(
          db,
          `UPDATE hd_unlocks SET outcome = ?, reason_code = ?, reconciled = ?, settled_at = ?
           WHERE case_id = ? AND idempotency_key = ? AND account_key = ? AND outcome = 'pending'`,
        ).run(
          event.type === 'AccountUnlocked' ? 'unlocked' : 'failed',
          event.type === 'UnlockFailed' ? event.data.reasonCode : null,
          d.reconciled ? 1 : 0,
          d.at,
          caseId,
          d.idempotencyKey,
          accountKey(d.account),
        );
        return;
      }
      default:
        return;
    }
  },
};

export const accountLinksProjection: Projection = {
  name: 'account-links',
  version: 1,
  eventTypes: ['AccountsLinked', 'AccountsUnlinked'],
  tables: ['account_links'],
  init(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS account_links (
        account_key TEXT NOT NULL,
        other_key TEXT NOT NULL,
        other TEXT NOT NULL,
        state TEXT NOT NULL,
        agent TEXT,
        at TEXT NOT NULL,
        PRIMARY KEY (account_key, other_key)
      )
    `);
  },
  apply(db, recorded: RecordedEvent) {
    const event = { type: recorded.type, data: recorded.data } as LinkEvent;
    if (event.type !== 'AccountsLinked' && event.type !== 'AccountsUnlinked') return;
    const state = event.type === 'AccountsLinked' ? 'linked' : 'unlinked';
    const actor = typeof recorded.metadata.actor === 'string' ? recorded.metadata.actor : null;
    const { account, other, at } = event.data;
    for (const [a, b] of [
      [account, other],
      [other, account],
    ]) {
      statement(
        db,
        `INSERT INTO account_links (account_key, other_key, other, state, agent, at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_key, other_key) DO UPDATE SET state = excluded.state, agent = excluded.agent,
           at = excluded.at, other = excluded.other`,
      ).run(accountKey(a), accountKey(b), JSON.stringify(b), state, actor, at);
    }
  },
};

export const breakGlassProjection: Projection = {
  name: 'helpdesk-break-glass',
  version: 1,
  eventTypes: ['BreakGlassRequested', 'BreakGlassApproved', 'BreakGlassDenied', 'CaseClosed'],
  tables: ['hd_break_glass'],
  init(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS hd_break_glass (
        case_id TEXT NOT NULL,
        request_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        requested_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        ticket TEXT,
        requested_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        status TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT,
        comment TEXT,
        valid_until TEXT,
        PRIMARY KEY (case_id, request_id)
      )
    `);
  },
  indexes: [
    "CREATE INDEX IF NOT EXISTS hd_break_glass_pending ON hd_break_glass (requested_at) WHERE status = 'pending'",
  ],
  apply(db, recorded) {
    const caseId = caseIdOf(recorded.streamId);
    if (!caseId) return;
    const event = { type: recorded.type, data: recorded.data } as CaseEvent;
    switch (event.type) {
      case 'BreakGlassRequested': {
        const d = event.data;
        statement(
          db,
          `INSERT INTO hd_break_glass (case_id, request_id, subject, requested_by, reason, ticket, requested_at,
             expires_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')
           ON CONFLICT (case_id, request_id) DO NOTHING`,
        ).run(
          caseId,
          d.requestId,
          JSON.stringify(d.subject),
          JSON.stringify(d.requestedBy),
          d.reason,
          d.ticket,
          d.at,
          d.expiresAt,
        );
        return;
      }
      case 'BreakGlassApproved':
      case 'BreakGlassDenied': {
        const d = event.data;
        statement(
          db,
          `UPDATE hd_break_glass SET status = ?, decided_by = ?, decided_at = ?, comment = ?, valid_until = ?
           WHERE case_id = ? AND request_id = ? AND status = 'pending'`,
        ).run(
          event.type === 'BreakGlassApproved' ? 'approved' : 'denied',
          JSON.stringify(d.approver),
          d.at,
          d.comment,
          event.type === 'BreakGlassApproved' ? event.data.validUntil : null,
          caseId,
          d.requestId,
        );
        return;
      }
      case 'CaseClosed':
        statement(db, "UPDATE hd_break_glass SET status = 'closed' WHERE case_id = ? AND status = 'pending'").run(
          caseId,
        );
        return;
      default:
        return;
    }
  },
};

export const HELPDESK_PROJECTIONS: readonly Projection[] = [
  helpdeskCasesProjection,
  accountLinksProjection,
  breakGlassProjection,
];
