import { Inject, Injectable, type OnModuleInit, ServiceUnavailableException } from '@nestjs/common';
import type { EventStore } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { statement } from '../projections/projection';
import { ProjectionHost } from '../projections/projection-host';
import { accountKey } from '../shared/domain-types';
import type { CaseAccount, CaseAgent, PriorVerification } from './case.events';
import { accountLinksProjection, breakGlassProjection, helpdeskCasesProjection } from './helpdesk.projections';

export type RecentUnlock = {
  caseId: string;
  agent: string | null;
  requestedAt: string;
  outcome: 'pending' | 'unlocked' | 'failed';
  reasonCode: string | null;
  reconciled: boolean;
};

/** A break-glass request waiting for a second agent (hd_break_glass). */
export type PendingBreakGlass = {
  caseId: string;
  requestId: string;
  subject: CaseAccount;
  requestedBy: CaseAgent;
  reason: string;
  ticket: string | null;
  requestedAt: string;
  expiresAt: string;
};

export type ExplicitLink = { other: CaseAccount; state: 'linked' | 'unlinked'; agent: string | null; at: string };

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));

/** Queries over the helpdesk read models (see helpdesk.projections.ts). */
@Injectable()
export class HelpdeskReadModel implements OnModuleInit {
  /**
   * Positions of verification facts (rejections, locks, accepted TOTP steps) this process appended, per subject:
   * `prior()` waits until the read model has applied the subject's latest one instead of the whole store's head, so
   * a busy store does not slow every case opening down. The head at start-up is waited for once (facts appended by
   * an earlier run). With several instances on one EventStoreDB, a fact appended by another instance in the last
   * moments before may not be seen yet (projection lag, typically milliseconds).
   */
  private readonly pendingFacts = new Map<string, bigint>();
  private startupHead: Promise<bigint> | undefined;

  constructor(
    private readonly runner: ProjectionHost,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  onModuleInit(): void {
    const missing = [helpdeskCasesProjection.name, accountLinksProjection.name, breakGlassProjection.name].filter(
      (n) => !this.runner.names.includes(n),
    );
    if (missing.length) {
      throw new Error(
        `HelpdeskModule needs the read models ${missing.join(', ')} in the projection runner (HELPDESK_PROJECTIONS)`,
      );
    }
  }

  private get db() {
    return this.runner.db;
  }

  /**
   * Waits until a read model has applied everything appended so far (read-your-writes for decisions that depend on
   * it, e.g. the verification lock carried into a new case). Fails closed with 503 when it lags too long.
   */
  async caughtUp(name: string, timeoutMs = 5000): Promise<void> {
    await this.applied(name, await this.store.headPosition(), timeoutMs);
  }

  /** Called after appending verification facts about a subject (see pendingFacts). */
  noteVerificationFacts(subject: { storeId: string; userId: string }, position: bigint): void {
    const key = accountKey(subject);
    const known = this.pendingFacts.get(key);
    if (known === undefined || position > known) this.pendingFacts.set(key, position);
  }

  private async readYourWrites(subject: { storeId: string; userId: string }): Promise<void> {
    this.startupHead ??= this.store.headPosition();
    const head = await this.startupHead;
    const key = accountKey(subject);
    const mine = this.pendingFacts.get(key);
    await this.applied(helpdeskCasesProjection.name, mine !== undefined && mine > head ? mine : head, 5000);
    if (mine !== undefined && this.pendingFacts.get(key) === mine) this.pendingFacts.delete(key);
  }

  /** Resolves once read model `name` has applied `target`; 503 when it is still behind after `timeoutMs`. */
  private async applied(name: string, target: bigint, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const position = this.runner.checkpoint(name).position ?? 0n;
      if (position >= target) return;
      if (Date.now() > deadline) {
        throw new ServiceUnavailableException({
          statusCode: 503,
          code: 'readModel.lagging',
          message: `The ${name} read model is behind the event store; try again in a moment`,
        });
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /**
   * The user's verification state from earlier cases, as the next case starts with it. Failures older than the lock
   * window no longer count (a lock is "N wrong answers in a row within the window"), a lock that ran out is over.
   */
  async prior(
    subject: { storeId: string; userId: string },
    now: Date,
    windowSeconds: number,
  ): Promise<PriorVerification> {
    await this.readYourWrites(subject);
    const row = statement(
      this.db,
      'SELECT failures, locked_until, last_failure_at, last_totp_step FROM hd_verification WHERE subject_key = ?',
    ).get(accountKey(subject)) as
      | { failures: bigint; locked_until: string | null; last_failure_at: string | null; last_totp_step: bigint | null }
      | undefined;
    if (!row) return { failures: 0, lockedUntil: null, lastAuthenticatorStep: null };
    const lastStep = row.last_totp_step === null ? null : num(row.last_totp_step);
    const t = now.getTime();
    if (row.locked_until && t < Date.parse(row.locked_until)) {
      return { failures: num(row.failures), lockedUntil: row.locked_until, lastAuthenticatorStep: lastStep };
    }
    const recent = row.last_failure_at !== null && t - Date.parse(row.last_failure_at) < windowSeconds * 1000;
    const lockRanOut = row.locked_until !== null;
    return {
      failures: recent && !lockRanOut ? num(row.failures) : 0,
      lockedUntil: null,
      lastAuthenticatorStep: lastStep,
    };
  }

  /** Cases with at least one unlock intent without an outcome (for the start-up reconciler). */
  pendingCaseIds(): string[] {
    const rows = statement(
      this.db,
      "SELECT DISTINCT case_id FROM hd_unlocks WHERE outcome = 'pending' ORDER BY case_id",
    ).all() as { case_id: string }[];
    return rows.map((r) => r.case_id);
  }

  /** Unlocks of this account (newest first) requested at or after `since`. */
  recentUnlocks(account: { storeId: string; userId: string }, since: Date, limit = 20): RecentUnlock[] {
    const rows = statement(
      this.db,
      `SELECT case_id, agent, requested_at, outcome, reason_code, reconciled FROM hd_unlocks
       WHERE account_key = ? AND requested_at >= ? ORDER BY requested_at DESC LIMIT ?`,
    ).all(accountKey(account), since.toISOString(), limit) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      caseId: r.case_id as string,
      agent: (r.agent as string | null) ?? null,
      requestedAt: r.requested_at as string,
      outcome: r.outcome as RecentUnlock['outcome'],
      reasonCode: (r.reason_code as string | null) ?? null,
      reconciled: num(r.reconciled) === 1,
    }));
  }

  /**
   * Break-glass requests still pending and unexpired at `now`, newest first (at most `limit`). Waits until the read
   * model has applied everything appended so far, so a request just made is listed.
   */
  async pendingBreakGlass(now: Date, limit = 200): Promise<PendingBreakGlass[]> {
    await this.caughtUp(breakGlassProjection.name);
    const rows = statement(
      this.db,
      `SELECT case_id, request_id, subject, requested_by, reason, ticket, requested_at, expires_at FROM hd_break_glass
       WHERE status = 'pending' AND expires_at > ? ORDER BY requested_at DESC, case_id LIMIT ?`,
    ).all(now.toISOString(), limit) as Array<Record<string, string | null>>;
    return rows.map((r) => ({
      caseId: r.case_id as string,
      requestId: r.request_id as string,
      subject: JSON.parse(r.subject as string) as CaseAccount,
      requestedBy: JSON.parse(r.requested_by as string) as CaseAgent,
      reason: r.reason as string,
      ticket: r.ticket ?? null,
      requestedAt: r.requested_at as string,
      expiresAt: r.expires_at as string,
    }));
  }

  /**
   * This agent's latest break-glass request for this user that still counts at `now` (pending and unexpired, or
   * approved, within its window and not yet used: no unlock of the user in that case since): the Unlock dialog picks
   * its case up again after being closed.
   */
  async openBreakGlass(
    agent: { storeId: string; userId: string },
    subject: { storeId: string; userId: string },
    now: Date,
  ): Promise<{ caseId: string; status: 'pending' | 'approved' } | null> {
    await this.caughtUp(breakGlassProjection.name);
    await this.caughtUp(helpdeskCasesProjection.name);
    const at = now.toISOString();
    const row = statement(
      this.db,
      `SELECT case_id, status FROM hd_break_glass
       WHERE json_extract(subject, '$.storeId') = ? AND json_extract(subject, '$.userId') = ?
         AND json_extract(requested_by, '$.storeId') = ? AND json_extract(requested_by, '$.userId') = ?
         AND ((status = 'pending' AND expires_at > ?) OR (status = 'approved' AND valid_until > ?))
         AND NOT EXISTS (SELECT 1 FROM hd_unlocks u WHERE u.case_id = hd_break_glass.case_id AND u.outcome = 'unlocked'
                         AND u.store_id = json_extract(hd_break_glass.subject, '$.storeId')
                         AND u.user_id = json_extract(hd_break_glass.subject, '$.userId'))
       ORDER BY requested_at DESC LIMIT 1`,
    ).get(subject.storeId, subject.userId, agent.storeId, agent.userId, at, at) as
      | { case_id: string; status: 'pending' | 'approved' }
      | undefined;
    return row ? { caseId: row.case_id, status: row.status } : null;
  }

  /** Explicit links and unlinks recorded for this account. */
  explicitLinks(account: { storeId: string; userId: string }): ExplicitLink[] {
    const rows = statement(
      this.db,
      'SELECT other, state, agent, at FROM account_links WHERE account_key = ? ORDER BY other_key',
    ).all(accountKey(account)) as Array<{ other: string; state: string; agent: string | null; at: string }>;
    return rows.map((r) => ({
      other: JSON.parse(r.other) as CaseAccount,
      state: r.state as ExplicitLink['state'],
      agent: r.agent,
      at: r.at,
    }));
  }
}
