/**
 * "I'm locked out" at a walk-up kiosk. The kiosk starts a session for the typed username (the same answer whether it
 * exists), an agent claims it with the code the person reads out (which opens an ordinary case for the subject,
 * linked to the session), the person answers at the kiosk — through the very CaseService steps the admin console
 * uses, with the kiosk's metadata (client `kiosk`, its id) — the agent unlocks, the kiosk shows the result.
 * Codes and answers are never logged.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import type { EventStore } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { aggregate, handle } from '../event-store/handle';
import {
  CaseService,
  type CaseView,
  type ChannelName,
  caseView,
  newCaseId,
  type StepResult,
} from '../helpdesk/case.service';
import { type HelpdeskContext, metadataFor, type StepContext } from '../helpdesk/helpdesk-context';
import { HelpdeskDirectory } from '../helpdesk/helpdesk-directory';
import { RateLimiter } from '../session/rate-limiter';
import { refuse } from '../shared/decider';
import { recording } from '../shared/http/errors';
import { eventMetadata } from '../shared/http/request-metadata';
import { requireKiosk } from './kiosk.decider';
import { type KioskAgent, type KioskSessionEvent, kioskSessionStreamId, kioskStreamId } from './kiosk.events';
import { KioskReadModel } from './kiosk.read-model';
import type { KioskDevice } from './kiosk.service';
import { KIOSK_DECIDER, KIOSK_SESSION_DECIDER } from './kiosk.streams';
import { kioskActor, maskUnknownUsername, newSessionCode, normaliseCode } from './kiosk-device';
import { kioskAnswers, kioskError } from './kiosk-errors';
import {
  claimRefusal,
  type KioskSession,
  type KioskSessionState,
  type KioskSessionStatus,
  kioskSessionStatus,
  kioskStepGate,
} from './kiosk-session.decider';

/** Sessions started per kiosk and per typed username before 429 (contract: 20 and 5 per 10 minutes). */
export const KIOSK_SESSION_LIMITS = { perKiosk: 20, perUsername: 5, windowMs: 10 * 60_000 };

const RESULT_MESSAGES = {
  unlocked: 'Your account is unlocked. You can sign in again.',
  'not-unlocked': 'Your account could not be unlocked here. Please talk to the helpdesk.',
} as const;

export type KioskVerificationView = ReturnType<typeof kioskVerification>;

/** What the kiosk may show of the case: question texts, masked destinations, progress — never answers or codes. */
export function kioskVerification(view: CaseView) {
  if (view.status !== 'open' && view.status !== 'closed') return null;
  const channel = (type: 'email' | 'phone', masked: string | null) => {
    if (!view.enrollment.types.includes(type)) return null;
    const code = view.codes[type];
    return {
      maskedDestination: masked ?? '',
      pending: code !== null && code.status === 'active',
      verified: view.verified[type],
    };
  };
  return {
    questions: view.enrollment.securityQuestions.map((q) => ({
      questionId: q.questionId,
      text: q.question,
      verified: q.verified,
    })),
    codes: {
      email: channel('email', view.enrollment.maskedEmail),
      sms: channel('phone', view.enrollment.maskedPhone),
    },
    authenticator: {
      enrolled: view.enrollment.types.includes('authenticator'),
      verified: view.verified.authenticator,
    },
    locked: view.verificationLock.locked,
    lockedUntil: view.verificationLock.lockedUntil,
    progress: {
      met: view.progress.met,
      verifiedTypes: [...view.progress.verifiedTypes],
      required: view.progress.required,
    },
  };
}

/** The unlock of the case's subject as the kiosk shows it (the latest settled one; linked accounts do not count). */
function kioskResult(view: CaseView) {
  if (view.status !== 'open' && view.status !== 'closed') return null;
  const own = view.unlocks.filter(
    (u) =>
      !u.linked && u.storeId === view.subject.storeId && u.userId === view.subject.userId && u.outcome !== 'pending',
  );
  const last = own[own.length - 1];
  if (!last) return null;
  const outcome = last.outcome === 'unlocked' ? ('unlocked' as const) : ('not-unlocked' as const);
  return { outcome, message: RESULT_MESSAGES[outcome] };
}

const agentRef = (ctx: HelpdeskContext): KioskAgent => ({
  storeId: ctx.agent.storeId,
  userId: ctx.agent.userId,
  displayName: ctx.agent.displayName,
});

const firstName = (displayName: string) => displayName.trim().split(/\s+/)[0] || displayName;

@Injectable()
export class KioskSessionService {
  private readonly perKiosk = new RateLimiter(KIOSK_SESSION_LIMITS.perKiosk, KIOSK_SESSION_LIMITS.windowMs);
  private readonly perUsername = new RateLimiter(KIOSK_SESSION_LIMITS.perUsername, KIOSK_SESSION_LIMITS.windowMs);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stores: IdentityStoreRegistry,
    private readonly directory: HelpdeskDirectory,
    private readonly cases: CaseService,
    private readonly readModel: KioskReadModel,
  ) {}

  private async load(sessionId: string): Promise<{ state: KioskSessionState; revision: bigint }> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(sessionId))
      refuse('kiosk.sessionNotFound', 'There is no kiosk session with this id');
    return recording(() => aggregate(this.store, kioskSessionStreamId(sessionId), KIOSK_SESSION_DECIDER));
  }

  // ---- kiosk device side -----------------------------------------------------------------------------------------

  /** Starts a session for what the person typed: the same answer whether the username exists. 429 when rate-limited. */
  async start(device: KioskDevice, req: Request, username: string) {
    const typed = username.trim();
    const kioskKey = `kiosk:${device.kioskId}`;
    const userKey = `user:${device.storeId}:${typed.toLowerCase()}`;
    const wait = Math.max(this.perKiosk.retryAfterMs(kioskKey), this.perUsername.retryAfterMs(userKey));
    if (wait > 0) {
      throw kioskError(429, 'kiosk.rateLimited', 'Too many attempts; please wait and try again', {
        retryAfterSeconds: Math.ceil(wait / 1000),
      });
    }
    this.perKiosk.fail(kioskKey);
    this.perUsername.fail(userKey);

    const store = this.stores.get(device.storeId);
    const account = store && store.type !== 'entra-id' ? await store.findByUsername(typed) : undefined;
    const subject = account
      ? { storeId: device.storeId, userId: account.id, displayName: account.displayName ?? account.username }
      : null;

    // One session per kiosk: a new person at the kiosk ends what the previous one left behind.
    for (const previous of await this.readModel.openSessionsOf(device.kioskId, ['waiting', 'claimed'])) {
      await this.endByKiosk(device, req, previous).catch(() => undefined);
    }
    const now = new Date();
    let code = newSessionCode();
    for (let i = 0; i < 10 && (await this.readModel.waitingWithCode(code, now)); i++) code = newSessionCode();
    const sessionId = randomUUID().replaceAll('-', '');
    const r = await recording(() =>
      handle(
        this.store,
        kioskSessionStreamId(sessionId),
        KIOSK_SESSION_DECIDER,
        {
          type: 'StartKioskSession',
          sessionId,
          kioskId: device.kioskId,
          code,
          usernameTyped: subject ? typed : maskUnknownUsername(typed),
          subject,
          waitMinutes: this.config.kiosk.sessionWaitMinutes,
          now,
        },
        { metadata: eventMetadata(kioskActor(device, req)) },
      ),
    );
    const s = r.newState as KioskSession;
    return { sessionId, code, expiresAt: s.expiresAt };
  }

  /** This kiosk's session as its screen shows it. */
  async view(device: KioskDevice, sessionId: string) {
    return kioskAnswers(async () => {
      const { state } = await this.load(sessionId);
      if (state.status === 'new' || state.kioskId !== device.kioskId) {
        refuse('kiosk.sessionNotFound', 'There is no kiosk session with this id');
      }
      return this.sessionView(state, new Date());
    });
  }

  private async sessionView(s: KioskSession, now: Date) {
    const caseView_ = s.claim ? caseView(s.claim.caseId, (await this.cases.load(s.claim.caseId)).state, now) : null;
    const result = caseView_ ? kioskResult(caseView_) : null;
    const recorded = kioskSessionStatus(s, now);
    const status: KioskSessionStatus | 'unlocked' | 'not-unlocked' =
      s.ended?.by === 'kiosk' || recorded === 'expired' ? recorded : (result?.outcome ?? recorded);
    return {
      sessionId: s.sessionId,
      status,
      ...(status === 'waiting' ? { code: s.code } : {}),
      expiresAt: s.expiresAt,
      agentName: s.claim ? firstName(s.claim.agent.displayName) : null,
      // Over (ended, expired): the previous person's question texts and masked contact details stay off the kiosk.
      verification: caseView_ && status !== 'ended' && status !== 'expired' ? kioskVerification(caseView_) : null,
      result,
    };
  }

  /** A step typed at the kiosk goes through CaseService like the agent's, recorded with the kiosk's metadata. */
  async step(
    device: KioskDevice,
    req: Request,
    sessionId: string,
    step:
      | { type: 'answer'; questionId: string; answer: string }
      | { type: 'verifyCode'; channel: ChannelName; code: string }
      | { type: 'authenticator'; code: string },
  ) {
    return kioskAnswers(async () => {
      const { state } = await this.load(sessionId);
      const claim = kioskStepGate(state, device.kioskId, new Date());
      const ctx: StepContext = { agent: claim.agent, actor: kioskActor(device, req) };
      let r: StepResult;
      switch (step.type) {
        case 'answer':
          r = await this.cases.answer(ctx, claim.caseId, step.questionId, step.answer);
          break;
        case 'verifyCode':
          r = await this.cases.verifyCode(ctx, claim.caseId, step.channel, step.code);
          break;
        case 'authenticator':
          r = await this.cases.verifyAuthenticator(ctx, claim.caseId, step.code);
          break;
      }
      const { case: view, ...rest } = r;
      return { ...rest, verification: kioskVerification(view) };
    });
  }

  async endByKiosk(device: KioskDevice, req: Request, sessionId: string) {
    return kioskAnswers(async () => {
      const r = await recording(() =>
        handle(
          this.store,
          kioskSessionStreamId(sessionId),
          KIOSK_SESSION_DECIDER,
          { type: 'EndKioskSession', by: 'kiosk', kioskId: device.kioskId, now: new Date() },
          { metadata: eventMetadata(kioskActor(device, req)), retryOnConflict: true },
        ),
      );
      return { sessionId, status: kioskSessionStatus(r.newState as KioskSession, new Date()) };
    });
  }

  // ---- agent side ----------------------------------------------------------------------------------------------

  async waiting() {
    return { sessions: await this.readModel.waiting(new Date()) };
  }

  /**
   * Claims the waiting session with this code: 404 `kiosk.codeUnknown` (none waiting; not recorded), 409
   * `kiosk.noSuchUser` / `kiosk.alreadyClaimed` (recorded), 403 with the case-opening reason (recorded in the case).
   * Opens an ordinary case for the subject, linked to the session both ways.
   */
  async claim(ctx: HelpdeskContext, typedCode: string) {
    return kioskAnswers(async () => {
      const now = new Date();
      const sessionId = await this.readModel.waitingWithCode(normaliseCode(typedCode), now);
      if (!sessionId) refuse('kiosk.codeUnknown', 'No kiosk session is waiting with this code');
      const known = await this.load(sessionId);
      const agent = agentRef(ctx);
      const caseId = newCaseId();
      const claim = (k: typeof known) =>
        recording(() =>
          handle(
            this.store,
            kioskSessionStreamId(sessionId),
            KIOSK_SESSION_DECIDER,
            { type: 'ClaimKioskSession', agent, caseId, now: new Date() },
            { metadata: metadataFor(ctx), retryOnConflict: true, known: k },
          ),
        );
      if (claimRefusal(known.state, now)) throwIfClaimRefused((await claim(known)).newEvents, sessionId);
      const s = known.state as KioskSession;
      const subject = s.subject as NonNullable<KioskSession['subject']>;
      const kiosk = requireKiosk(
        (await recording(() => aggregate(this.store, kioskStreamId(s.kioskId), KIOSK_DECIDER))).state,
      );
      const resolved = await this.directory.resolve(subject.storeId, subject.userId);
      await this.cases.open(ctx, resolved, caseId, { sessionId, kioskId: s.kioskId, kioskName: kiosk.name });
      throwIfClaimRefused((await claim(known)).newEvents, sessionId);
      return { sessionId, caseId, subject };
    });
  }

  /** The claiming agent ends the session (403 `kiosk.notYours` for anyone else). */
  async endByAgent(ctx: HelpdeskContext, sessionId: string) {
    return kioskAnswers(async () => {
      const r = await recording(() =>
        handle(
          this.store,
          kioskSessionStreamId(sessionId),
          KIOSK_SESSION_DECIDER,
          { type: 'EndKioskSession', by: 'agent', agent: agentRef(ctx), now: new Date() },
          { metadata: metadataFor(ctx), retryOnConflict: true },
        ),
      );
      return { sessionId, status: kioskSessionStatus(r.newState as KioskSession, new Date()) };
    });
  }

  /** A revoked kiosk's waiting sessions end (recorded with the administrator's metadata). */
  async endForRevokedKiosk(ctx: HelpdeskContext, kioskId: string) {
    for (const sessionId of await this.readModel.openSessionsOf(kioskId, ['waiting'])) {
      await recording(() =>
        handle(
          this.store,
          kioskSessionStreamId(sessionId),
          KIOSK_SESSION_DECIDER,
          { type: 'EndKioskSession', by: 'revocation', now: new Date() },
          { metadata: metadataFor(ctx), retryOnConflict: true },
        ),
      );
    }
  }
}

function throwIfClaimRefused(events: KioskSessionEvent[], sessionId: string): void {
  for (const e of events) {
    if (e.type === 'KioskSessionClaimRefused') {
      throw kioskError(409, e.data.reasonCode, e.data.reason, { sessionId });
    }
  }
}
