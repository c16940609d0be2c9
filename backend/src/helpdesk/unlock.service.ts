/**
 * Unlock: role now + accounts' live lock state → decide (refusals recorded with reasons) → UnlockRequested (the
 * intent) → directory unlock with read-back → AccountUnlocked / UnlockFailed per account (the outcome) → the user is
 * told by e-mail (recorded in `delivery-<caseId>`).
 *
 * Idempotency: every request has an Idempotency-Key (the client's, or one generated and returned). Without a caseId
 * the case id is derived from (agent, subject, key), so a retried request lands in the same case; the case decider
 * records nothing for a key it has seen and the answer is rebuilt from the case (`unlockResults`), the notice from
 * the delivery stream: same body, no second directory write, no duplicate events.
 *
 * Faults: if the directory fails after the intent is recorded and the state cannot be read back, nothing is recorded
 * for that account (the intent stays pending) and the answer is 503; a retry with the same key, or the next start's
 * reconciler, settles it from the directory's actual state.
 */
import { hash } from 'node:crypto';
import { ForbiddenException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import type { DirectoryAccount, UnlockResult } from '../directory/identity-store';
import type { EventStore } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { aggregate, handle } from '../event-store/handle';
import { isDeliveryError } from '../notifications/delivery-error';
import { Notifications } from '../notifications/notifications.service';
import { maskEmail } from '../shared/crypto/mask';
import { DomainRefusal, refuse } from '../shared/decider';
import { accountKey, type DirectoryAccountState, sameAccount } from '../shared/domain-types';
import { recording } from '../shared/http/errors';
import type { CaseCommand, UnlockTarget } from './case.decider';
import { caseStreamId, REASONS, type ReasonCode } from './case.events';
import { CASE_DECIDER, CASE_SEQUENCE, CaseService, throwIfOpeningRefused, unlockEntryView } from './case.service';
import { type CaseState, pendingUnlocks, type UnlockEntry, unlockResults } from './case.state';
import { deliveryDecider, deliveryStreamId, type NoticeStatus } from './delivery';
import { noticeAddress } from './effective-enrollment';
import { eventIds, type HelpdeskContext, metadataFor } from './helpdesk-context';
import { accountState, HelpdeskDirectory, namedRef, type ResolvedAccount } from './helpdesk-directory';
import type { DirectoryWrite } from './unlock-outcome';

export type UnlockRequest = {
  accounts?: { storeId: string; userId: string }[];
  caseId?: string;
  ticket?: string;
  comment?: string;
};

export type NoticeView =
  | { status: 'sent' | 'pending'; to: string }
  | { status: 'failed'; to: string; reasonCode: string; reason: string }
  | { status: 'skipped'; reason: 'disabled' | 'nothingUnlocked' | 'noAddress' };

export type UnlockResultView = ReturnType<typeof unlockEntryView>;

export type UnlockResponse = {
  caseId: string;
  idempotencyKey: string;
  subject: { storeId: string; userId: string };
  /** One per requested account, in request order. */
  results: UnlockResultView[];
  notification: NoticeView;
};

export type UnlockAnswer = { status: number; replayed: boolean; body: UnlockResponse };

/** The case of an unlock without a caseId: one per (agent, subject, Idempotency-Key). */
export function implicitCaseId(
  agent: { storeId: string; userId: string },
  subject: { storeId: string; userId: string },
  key: string,
): string {
  const h = hash('sha256', `${accountKey(agent)}\n${accountKey(subject)}\n${key}`, 'base64url');
  return `u${h.slice(0, 40)}`;
}

/** The directory's answer as the case decider's RecordUnlockOutcome needs it; 'unknown' when it could not be read back. */
export function directoryOutcome(
  r: UnlockResult,
): { write: DirectoryWrite; readBack: DirectoryAccountState | null } | 'unknown' {
  const readBack = r.account ? accountState(r.account) : null;
  const message = r.directoryMessage ?? r.reason ?? r.outcome;
  switch (r.outcome) {
    case 'unlocked':
    case 'still-locked':
      return readBack ? { write: { ok: true }, readBack } : 'unknown';
    case 'error':
      // The write may have happened but the read-back failed: record nothing, let a retry or the reconciler settle.
      if (!readBack && r.previousLock !== undefined) return 'unknown';
      return { write: { ok: false, message }, readBack };
    default:
      return { write: { ok: false, message }, readBack };
  }
}

const rdnValue = (dn: string) => /^[^=]+=((?:\\.|[^,])*)/.exec(dn)?.[1]?.replace(/\\(.)/g, '$1') ?? dn;

@Injectable()
export class UnlockService {
  private readonly log = new Logger('Unlock');
  /** Unlocks being carried out by this process, by `caseId/key`: a concurrent retry waits for them. */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cases: CaseService,
    private readonly directory: HelpdeskDirectory,
    private readonly notifications: Notifications,
  ) {}

  async unlock(
    ctx: HelpdeskContext,
    storeId: string,
    userId: string,
    body: UnlockRequest,
    key: string,
  ): Promise<UnlockAnswer> {
    const subject = await this.directory.resolve(storeId, userId);
    let caseId: string;
    let loaded: { state: CaseState; revision: bigint };
    if (body.caseId) {
      caseId = body.caseId;
      loaded = await this.cases.ownStream(ctx, caseId);
      const { state } = loaded;
      if (state.status === 'refused') this.openingRefused(caseId, state.reasonCode);
      if ((state.status === 'open' || state.status === 'closed') && !sameAccount(state.subject, subject.ref)) {
        refuse('unlock.invalid', 'The case is for another user', [
          { field: 'caseId', message: 'is a case for another user' },
        ]);
      }
    } else {
      caseId = implicitCaseId(ctx.agent, subject.ref, key);
      loaded = await this.cases.load(caseId);
      if (loaded.state.status === 'refused') this.openingRefused(caseId, loaded.state.reasonCode);
    }
    const { state } = loaded;

    const wanted = body.accounts?.length ? body.accounts : [subject.ref];
    const earlier = unlockResults(state, key);
    if (earlier.length > 0) {
      this.checkSameAccounts(earlier, wanted);
      return this.replay(ctx, caseId, key, subject, wanted);
    }

    // Bad input (an account that is not linked) is refused before anything is recorded, the implicit case included.
    const targets = await this.targets(subject, wanted);
    const role = await this.cases.role(ctx);
    const ids = eventIds();
    const now = new Date();
    const unlock: CaseCommand = {
      type: 'UnlockAccounts',
      idempotencyKey: key,
      role,
      accounts: targets.map((t): UnlockTarget => ({ ...namedRef(t), state: t.state })),
      ...(body.ticket !== undefined ? { ticket: body.ticket } : {}),
      ...(body.comment !== undefined ? { comment: body.comment } : {}),
      now,
    };
    // An implicit case is opened and the intent recorded in one append (CaseOpened, then UnlockRequested/Refused).
    const commands: CaseCommand[] =
      state.status === 'new' ? [await this.cases.openCommand(ctx, caseId, subject, role, now), unlock] : [unlock];
    const decided = await recording(() =>
      handle(this.store, caseStreamId(caseId), CASE_SEQUENCE, commands, {
        metadata: metadataFor(ctx),
        eventIds: ids,
        retryOnConflict: true,
        known: loaded,
      }),
    );
    throwIfOpeningRefused(decided.newEvents, caseId);
    if (!decided.newEvents.some((e) => e.type === 'UnlockRequested' || e.type === 'UnlockRefused'))
      return this.replay(ctx, caseId, key, subject, wanted);

    const flightKey = `${caseId}/${key}`;
    const work = this.execute(
      ctx,
      caseId,
      key,
      decided.newEvents.flatMap((e, i) => (e.type === 'UnlockRequested' ? [{ event: e, id: ids[i] as string }] : [])),
      { state: decided.newState, revision: decided.revision },
      new Map(targets.flatMap((t) => (t.account ? [[accountKey(t.ref), t.account] as const] : []))),
    );
    this.inFlight.set(flightKey, work);
    let after: CaseState | undefined;
    try {
      after = await work;
    } finally {
      this.inFlight.delete(flightKey);
    }
    const usernames = new Map(targets.map((t) => [accountKey(t.ref), t.account?.username ?? t.ref.userId]));
    return this.answer(ctx, caseId, key, subject, wanted, false, usernames, body.ticket?.trim() || undefined, after);
  }

  private openingRefused(caseId: string, reasonCode: string): never {
    throw new ForbiddenException({
      statusCode: 403,
      reason: reasonCode,
      message: REASONS[reasonCode as ReasonCode] ?? reasonCode,
      caseId,
    });
  }

  private checkSameAccounts(earlier: UnlockEntry[], wanted: { storeId: string; userId: string }[]): void {
    const before = [...new Set(earlier.map((u) => accountKey(u.account)))].sort().join('|');
    const now = [...new Set(wanted.map(accountKey))].sort().join('|');
    if (before !== now) {
      refuse('unlock.idempotencyConflict', 'This Idempotency-Key was already used for a different set of accounts', [
        { field: 'Idempotency-Key', message: 'was used for another request' },
      ]);
    }
  }

  /** The subject and the selected linked accounts (each must be linked to the subject), read live. */
  private async targets(
    subject: ResolvedAccount,
    wanted: { storeId: string; userId: string }[],
  ): Promise<ResolvedAccount[]> {
    let linked: ResolvedAccount[] | undefined;
    const out: ResolvedAccount[] = [];
    for (const [i, w] of wanted.entries()) {
      if (sameAccount(w, subject.ref)) {
        out.push(subject);
        continue;
      }
      linked ??= (await this.directory.linked(subject)).accounts;
      const found = linked.find((l) => sameAccount(l.ref, w));
      if (!found) {
        refuse('unlock.invalid', `accounts[${i}] is not an account linked to this user`, [
          { field: `accounts[${i}]`, message: 'is not linked to the user' },
        ]);
      }
      out.push(found);
    }
    return out;
  }

  /** Directory writes (in parallel), then one outcome event per account (in order), each caused by its intent. */
  private async execute(
    ctx: HelpdeskContext,
    caseId: string,
    key: string,
    intents: { event: { data: { account: { storeId: string; userId: string } } }; id: string }[],
    /** The case as the intent was recorded (each outcome is decided on it, re-read only on a conflict). */
    recorded: { state: CaseState; revision: bigint },
    /** The accounts as read live for this request's decision (the directory's read before its write). */
    current: Map<string, DirectoryAccount>,
  ): Promise<CaseState | undefined> {
    const outcomes = await Promise.all(
      intents.map(async ({ event, id }) => {
        const { storeId, userId } = event.data.account;
        const store = this.directory.store(storeId);
        try {
          return {
            account: { storeId, userId },
            id,
            outcome: directoryOutcome(await store.unlock(userId, current.get(accountKey({ storeId, userId })))),
          };
        } catch (err) {
          this.log.warn(
            `unlock of ${storeId}/${userId} in case ${caseId}: ${(err as Error).message}; left to reconcile`,
          );
          return { account: { storeId, userId }, id, outcome: 'unknown' as const };
        }
      }),
    );
    /** The case after the last outcome recorded here (the answer is built from it without reading the case again). */
    let after: CaseState | undefined;
    let known = recorded;
    for (const o of outcomes) {
      const outcome = o.outcome;
      if (outcome === 'unknown') continue;
      const done = await recording(() =>
        handle(
          this.store,
          caseStreamId(caseId),
          CASE_DECIDER,
          {
            type: 'RecordUnlockOutcome',
            account: o.account,
            idempotencyKey: key,
            write: outcome.write,
            readBack: outcome.readBack,
            now: new Date(),
          },
          { metadata: metadataFor(ctx, o.id), retryOnConflict: 10, known },
        ),
      );
      after = done.newState;
      known = { state: done.newState, revision: done.revision };
    }
    return after;
  }

  /** A request already decided under this key: no new intent; settle what is still pending, then answer. */
  private async replay(
    ctx: HelpdeskContext,
    caseId: string,
    key: string,
    subject: ResolvedAccount,
    wanted: { storeId: string; userId: string }[],
  ): Promise<UnlockAnswer> {
    const running = this.inFlight.get(`${caseId}/${key}`);
    if (running) await running.catch(() => undefined);
    else await this.reconcileCase(caseId, ctx, key);
    return this.answer(ctx, caseId, key, subject, wanted, true);
  }

  /**
   * Settles the pending intents of a case (of one request, or all) from the directory's current state
   * (ReconcileUnlocks). Accounts whose state cannot be read stay pending. Returns how many were settled.
   */
  async reconcileCase(caseId: string, ctx?: HelpdeskContext, key?: string): Promise<number> {
    const { state } = await this.cases.load(caseId);
    const pending = pendingUnlocks(state).filter((u) => key === undefined || u.idempotencyKey === key);
    if (pending.length === 0) return 0;
    const readings = (
      await Promise.all(
        pending.map(async (u) => {
          try {
            const store = this.directory.store(u.account.storeId);
            const account = await store.getAccount(u.account.userId);
            return [
              {
                account: { storeId: u.account.storeId, userId: u.account.userId },
                state: account ? accountState(account) : null,
              },
            ];
          } catch (err) {
            this.log.warn(
              `reconcile ${caseId}: cannot read ${u.account.storeId}/${u.account.userId}: ${(err as Error).message}`,
            );
            return [];
          }
        }),
      )
    ).flat();
    if (readings.length === 0) return 0;
    const r = await recording(() =>
      handle(
        this.store,
        caseStreamId(caseId),
        CASE_DECIDER,
        { type: 'ReconcileUnlocks', readings, now: new Date() },
        {
          metadata: ctx
            ? metadataFor(ctx)
            : { actor: 'system', client: 'system', correlationId: `reconcile-${caseId}`, reason: 'reconcile' },
          retryOnConflict: 10,
        },
      ),
    );
    return r.newEvents.length;
  }

  private async answer(
    ctx: HelpdeskContext,
    caseId: string,
    key: string,
    subject: ResolvedAccount,
    wanted: { storeId: string; userId: string }[],
    replayed: boolean,
    usernames = new Map<string, string>(),
    ticket?: string,
    known?: CaseState,
  ): Promise<UnlockAnswer> {
    const state = known ?? (await this.cases.load(caseId)).state;
    const entries = unlockResults(state, key);
    const ordered = wanted
      .map((w) => entries.find((e) => sameAccount(e.account, w)))
      .filter((e): e is UnlockEntry => e !== undefined);
    const notification = await this.notice(ctx, caseId, key, subject, ordered, state, usernames, ticket);
    const pending = ordered.some((e) => e.outcome === 'pending');
    return {
      status: pending ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK,
      replayed,
      body: {
        caseId,
        idempotencyKey: key,
        subject: { storeId: subject.ref.storeId, userId: subject.ref.userId },
        results: ordered.map(unlockEntryView),
        notification,
      },
    };
  }

  /** The unlock notice of one request: recorded once (intent, then sent/failed); a failure never fails the unlock. */
  private async notice(
    ctx: HelpdeskContext,
    caseId: string,
    key: string,
    subject: ResolvedAccount,
    entries: UnlockEntry[],
    state: CaseState,
    usernames: Map<string, string>,
    ticket?: string,
  ): Promise<NoticeView> {
    if (!this.config.helpdesk.notifyUserOnUnlock) return { status: 'skipped', reason: 'disabled' };
    const unlocked = entries.filter((e) => e.outcome === 'unlocked');
    if (unlocked.length === 0) return { status: 'skipped', reason: 'nothingUnlocked' };
    const stream = deliveryStreamId(caseId);
    const recorded = (await recording(() => aggregate(this.store, stream, deliveryDecider))).state.notices[key];
    if (recorded) return noticeView(recorded);
    const enrollment = await this.cases.enrollmentOf(subject);
    const address = noticeAddress(enrollment, subject.account);
    if (!address) return { status: 'skipped', reason: 'noAddress' };
    const masked = maskEmail(address);
    const who = { storeId: subject.ref.storeId, userId: subject.ref.userId };
    const record = (event: Parameters<typeof deliveryDecider.decide>[0]['event']) =>
      recording(() =>
        handle(
          this.store,
          stream,
          deliveryDecider,
          { type: 'RecordDelivery', event },
          { metadata: metadataFor(ctx), retryOnConflict: 10 },
        ),
      );
    try {
      await record({
        type: 'UnlockNoticeRequested',
        data: {
          caseId,
          subject: who,
          idempotencyKey: key,
          maskedDestination: masked,
          accounts: unlocked.map((u) => accountKey(u.account)),
          at: new Date().toISOString(),
        },
      });
    } catch (err) {
      if (err instanceof DomainRefusal) {
        const now = (await aggregate(this.store, stream, deliveryDecider)).state.notices[key];
        return now ? noticeView(now) : { status: 'pending', to: masked };
      }
      throw err;
    }
    const agentName =
      state.status === 'open' || state.status === 'closed' ? state.agent.displayName : ctx.agent.displayName;
    try {
      await this.notifications.sendUnlockNotice(address, {
        recipientName: subject.account?.displayName ?? subject.account?.username,
        accounts: unlocked.map((u) => ({
          storeName: this.directory.store(u.account.storeId).name,
          username:
            usernames.get(accountKey(u.account)) ??
            (sameAccount(u.account, subject.ref) ? subject.account?.username : undefined) ??
            rdnValue(u.account.dn),
        })),
        unlockedAt: new Date(),
        agentDisplayName: agentName,
        ...(ticket ? { ticket } : {}),
      });
      await record({
        type: 'UnlockNoticeSent',
        data: { caseId, subject: who, idempotencyKey: key, maskedDestination: masked, at: new Date().toISOString() },
      });
      return { status: 'sent', to: masked };
    } catch (err) {
      const reasonCode = isDeliveryError(err) ? err.reason : 'error';
      const reason = isDeliveryError(err) ? err.message : 'The notice could not be sent';
      this.log.warn(`unlock notice for case ${caseId} not sent: ${reasonCode}`);
      await record({
        type: 'UnlockNoticeFailed',
        data: {
          caseId,
          subject: who,
          idempotencyKey: key,
          maskedDestination: masked,
          reasonCode,
          reason,
          at: new Date().toISOString(),
        },
      }).catch(() => undefined);
      return { status: 'failed', to: masked, reasonCode, reason };
    }
  }
}

function noticeView(n: NoticeStatus): NoticeView {
  return n.status === 'failed'
    ? { status: 'failed', to: n.to, reasonCode: n.reasonCode, reason: n.reason }
    : { status: n.status, to: n.to };
}
