/**
 * Helpdesk cases: open one for a user, authenticate the caller step by step. Each step prepares what the pure case
 * decider needs (DOMAIN.md "What the handler prepares"), runs it through handle() on `case-<caseId>`, and answers
 * with what was recorded. Secrets never leave this file: answers are verified against their hash, codes are hashed
 * with the server key, TOTP seeds are decrypted only to verify.
 */
import { randomUUID } from 'node:crypto';
import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { type AppConfig, caseSettingsFrom } from '../config/config.types';
import {
  answerHashFor,
  type EnrollmentState,
  enrollmentSecretContext,
  enrollmentSnapshot,
} from '../enrollment/enrollment.decider';
import { EnrollmentService } from '../enrollment/enrollment.service';
import type { EventStore } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { aggregate, handle, type StreamDecider } from '../event-store/handle';
import { isDeliveryError } from '../notifications/delivery-error';
import { Notifications } from '../notifications/notifications.service';
import { AccessService } from '../policy/access.service';
import { normaliseAnswer } from '../shared/crypto/normalise-answer';
import { generateOneTimeCode, hashOneTimeCode } from '../shared/crypto/one-time-code';
import { decryptSecret } from '../shared/crypto/secret-box';
import { verifySecret } from '../shared/crypto/secret-hash';
import { base32Decode, type TotpVerification, verifyTotp } from '../shared/crypto/totp';
import { refuse } from '../shared/decider';
import { sameAccount } from '../shared/domain-types';
import { recording } from '../shared/http/errors';
import { type AppSecrets, SECRETS } from '../shared/secrets';
import { policyStatus } from './authentication-policy';
import { type CaseCommand, type CaseRole, caseDecider } from './case.decider';
import {
  CASE_EVENT_SCHEMA_VERSIONS,
  type CaseEvent,
  type CaseKioskLink,
  caseStreamId,
  upcastCaseEvent,
} from './case.events';
import type { BreakGlassEntry, CaseState, OpenCase } from './case.state';
import { breakGlassStatus, isAuthenticated, isVerificationLocked } from './case.state';
import { deliveryDecider, deliveryStreamId } from './delivery';
import { codeDestination } from './effective-enrollment';
import { HelpdeskReadModel } from './helpdesk.read-model';
import { type HelpdeskContext, metadataFor, type StepContext } from './helpdesk-context';
import { HelpdeskDirectory, lockView, namedRef, type ResolvedAccount } from './helpdesk-directory';

export const CASE_DECIDER: StreamDecider<CaseCommand, CaseEvent, CaseState> = {
  ...caseDecider,
  schemaVersions: CASE_EVENT_SCHEMA_VERSIONS,
  upcast: upcastCaseEvent,
};

/** Several case commands decided in order over the evolving state and appended together (e.g. open + unlock). */
export const CASE_SEQUENCE: StreamDecider<CaseCommand[], CaseEvent, CaseState> = {
  initialState: caseDecider.initialState,
  evolve: caseDecider.evolve,
  schemaVersions: CASE_EVENT_SCHEMA_VERSIONS,
  upcast: upcastCaseEvent,
  decide: (commands, state) => {
    const out: CaseEvent[] = [];
    let s = state;
    for (const c of commands) {
      const events = caseDecider.decide(c, s);
      out.push(...events);
      s = events.reduce(caseDecider.evolve, s);
      if (s.status === 'refused') break;
    }
    return out;
  },
};

const VERIFICATION_FACTS = new Set([
  'SecurityAnswerRejected',
  'VerificationCodeRejected',
  'AuthenticatorCodeRejected',
  'VerificationLocked',
  'AuthenticatorCodeVerified',
]);

export type VerificationOutcome = 'verified' | 'rejected' | 'locked' | 'sent';

export type StepResult = {
  outcome: VerificationOutcome;
  /** Why it was rejected/refused (mismatch, expired, used, attemptsExhausted, replayed, verification.locked). */
  reason?: string;
  message?: string;
  attemptsLeft?: number;
  lockedUntil?: string;
  case: CaseView;
};

export type CaseView = ReturnType<typeof caseView>;

const CHANNELS = { email: 'email', sms: 'phone', phone: 'phone' } as const;
export type ChannelName = keyof typeof CHANNELS;

export function caseView(caseId: string, state: CaseState, now: Date) {
  if (state.status === 'new') return { caseId, status: 'new' as const };
  if (state.status === 'refused') return { caseId, status: 'refused' as const, reasonCode: state.reasonCode };
  const c: OpenCase = state;
  const progress = policyStatus(c.policy, c.enrollment, c.verified);
  const code = (ch: 'email' | 'phone') => {
    const k = c.codes[ch];
    return k
      ? {
          codeId: k.codeId,
          expiresAt: k.expiresAt,
          attemptsLeft: k.attemptsLeft,
          status: now.getTime() >= Date.parse(k.expiresAt) && k.status === 'active' ? 'expired' : k.status,
          sent: c.codesSent[ch],
        }
      : null;
  };
  return {
    caseId,
    status: state.status,
    closeReason: state.status === 'closed' ? state.closeReason : null,
    openedAt: c.openedAt,
    agent: c.agent,
    subject: c.subject,
    role: c.role,
    policy: c.policy,
    enrollment: {
      types: c.enrollment.types,
      securityQuestions: c.enrollment.securityQuestions.map((q) => ({
        questionId: q.questionId,
        question: q.question,
        verified: c.verified.questions.includes(q.questionId),
      })),
      maskedEmail: c.enrollment.maskedEmail ?? null,
      maskedPhone: c.enrollment.maskedPhone ?? null,
    },
    /** policyStatus: met, required, verifiedTypes, questionsRequired, questionsVerified, attainable. */
    progress,
    verified: c.verified,
    authenticated: isAuthenticated(c, now),
    authenticatedAt: c.authenticatedAt,
    authenticatedUntil: c.authenticationExpiresAt,
    authenticationExpired: c.authenticationExpiresAt !== null && !isAuthenticated(c, now),
    verificationLock: {
      locked: isVerificationLocked(c, now),
      lockedUntil: isVerificationLocked(c, now) ? c.lockedUntil : null,
      failures: c.failures,
      maxFailures: c.settings.maxVerificationFailures,
    },
    codes: { email: code('email'), phone: code('phone') },
    unlocks: c.unlocks.map(unlockEntryView),
    /** The case's two-person break-glass request (unenrolled subjects), status evaluated now; null: none. */
    breakGlass: breakGlassView(c.breakGlass, now),
    /** The walk-up kiosk session the case was opened from: `{ sessionId, kioskId, kioskName }` (null: none). */
    kiosk: c.kiosk ?? null,
  };
}

/** The case's break-glass request as the API shows it, its status evaluated against `now`. */
export function breakGlassView(b: BreakGlassEntry | null, now: Date) {
  if (!b) return null;
  return {
    requestId: b.requestId,
    status: breakGlassStatus(b, now),
    requestedBy: b.requestedBy,
    reason: b.reason,
    ticket: b.ticket,
    requestedAt: b.requestedAt,
    expiresAt: b.expiresAt,
    ...(b.decidedBy ? { decidedBy: b.decidedBy, decidedAt: b.decidedAt, comment: b.comment } : {}),
    ...(b.validUntil ? { validUntil: b.validUntil } : {}),
  };
}
export type BreakGlassView = NonNullable<ReturnType<typeof breakGlassView>>;
export function unlockEntryView(u: OpenCase['unlocks'][number]) {
  return {
    storeId: u.account.storeId,
    storeType: u.account.storeType,
    userId: u.account.userId,
    dn: u.account.dn,
    linked: u.linked,
    idempotencyKey: u.idempotencyKey,
    outcome: u.outcome,
    reasonCode: u.reasonCode,
    reason: u.reason,
    lock: u.readBack ? lockView(u.readBack) : null,
    directoryMessage: u.directoryMessage,
    /** The two-person break-glass the unlock relied on: `{ requestId, approvedBy }` (null: none). */
    breakGlass: u.breakGlass ?? null,
  };
}

@Injectable()
export class CaseService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SECRETS) private readonly secrets: AppSecrets,
    private readonly access: AccessService,
    private readonly directory: HelpdeskDirectory,
    private readonly enrollment: EnrollmentService,
    private readonly readModel: HelpdeskReadModel,
    private readonly notifications: Notifications,
  ) {}

  get settings() {
    return caseSettingsFrom(this.config.helpdesk);
  }

  async role(ctx: HelpdeskContext): Promise<CaseRole | null> {
    return (await this.access.forAgent(ctx.agent)).role;
  }

  async load(caseId: string): Promise<{ state: CaseState; revision: bigint }> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(caseId)) refuse('case.notFound', 'There is no case with this id');
    return recording(() => aggregate(this.store, caseStreamId(caseId), CASE_DECIDER));
  }

  /** The effective enrollment of an account (recorded + directory attributes when configured). */
  async enrollmentOf(subject: ResolvedAccount): Promise<EnrollmentState> {
    return this.enrollment.state(subject.ref.storeId, subject.ref.userId, subject.account);
  }

  /**
   * The OpenCase command for this agent and subject, as the decider needs it (also used to preview what the agent
   * may do on the profile page).
   */
  async openCommand(
    ctx: HelpdeskContext,
    caseId: string,
    subject: ResolvedAccount,
    role: CaseRole | null,
    now: Date,
    enrollment?: EnrollmentState,
    kiosk?: CaseKioskLink,
  ) {
    const state = enrollment ?? (await this.enrollmentOf(subject));
    const settings = this.settings;
    return {
      type: 'OpenCase' as const,
      caseId,
      agent: { storeId: ctx.agent.storeId, userId: ctx.agent.userId, displayName: ctx.agent.displayName },
      role,
      subject: namedRef(subject),
      enrollment: enrollmentSnapshot(state),
      prior: await this.readModel.prior(subject.ref, now, settings.verificationLockSeconds),
      settings,
      ...(kiosk ? { kiosk } : {}),
      now,
    };
  }

  /**
   * Opens a case (CaseOpened or a recorded CaseOpeningRefused → 403 with the reason); `kiosk`: the kiosk session the
   * agent claimed, recorded in CaseOpened.
   */
  async open(ctx: HelpdeskContext, subject: ResolvedAccount, caseId = newCaseId(), kiosk?: CaseKioskLink) {
    const now = new Date();
    const role = await this.role(ctx);
    const command = await this.openCommand(ctx, caseId, subject, role, now, undefined, kiosk);
    const result = await recording(() =>
      handle(this.store, caseStreamId(caseId), CASE_DECIDER, command, { metadata: metadataFor(ctx) }),
    );
    throwIfOpeningRefused(result.newEvents, caseId);
    return { caseId, state: result.newState };
  }

  /** Reads a case the agent may work on (their own). */
  async own(ctx: StepContext, caseId: string): Promise<CaseState> {
    return (await this.ownStream(ctx, caseId)).state;
  }

  /** `own` with the stream revision it was read at (to decide the next command on it without reading it again). */
  async ownStream(ctx: StepContext, caseId: string): Promise<{ state: CaseState; revision: bigint }> {
    const loaded = await this.load(caseId);
    const { state } = loaded;
    if (state.status === 'new') refuse('case.notFound', 'There is no case with this id');
    if (state.status === 'refused') return loaded;
    if (!sameAccount(state.agent, ctx.agent)) {
      throw new ForbiddenException({
        statusCode: 403,
        reason: 'case.notYours',
        message: 'This case was opened by another agent',
      });
    }
    return loaded;
  }

  async view(ctx: HelpdeskContext, caseId: string) {
    return caseView(caseId, await this.own(ctx, caseId), new Date());
  }

  private async step(ctx: StepContext, caseId: string, command: CaseCommand) {
    const r = await recording(() =>
      handle(this.store, caseStreamId(caseId), CASE_DECIDER, command, {
        metadata: metadataFor(ctx),
        retryOnConflict: true,
      }),
    );
    const s = r.newState;
    if (
      r.appended &&
      (s.status === 'open' || s.status === 'closed') &&
      r.newEvents.some((e) => VERIFICATION_FACTS.has(e.type))
    ) {
      this.readModel.noteVerificationFacts(s.subject, r.appended.position);
    }
    return r;
  }

  private async subjectEnrollment(c: OpenCase): Promise<{ enrollment: EnrollmentState; subject: ResolvedAccount }> {
    const subject = await this.directory.resolve(c.subject.storeId, c.subject.userId);
    return { enrollment: await this.enrollmentOf(subject), subject };
  }

  private openOrRefuse(state: CaseState): OpenCase {
    if (state.status === 'refused') refuse('case.notOpen', 'The case was not opened (refused)');
    if (state.status === 'closed') refuse('case.closed', 'The case is closed');
    if (state.status !== 'open') refuse('case.notFound', 'There is no case with this id');
    return state;
  }

  async answer(ctx: StepContext, caseId: string, questionId: string, answer: string): Promise<StepResult> {
    const c = this.openOrRefuse(await this.own(ctx, caseId));
    let answerCorrect = false;
    if (c.enrollment.securityQuestions.some((q) => q.questionId === questionId)) {
      const recorded = await this.enrollment.state(c.subject.storeId, c.subject.userId, null);
      const hash = answerHashFor(recorded, questionId);
      answerCorrect = hash ? await verifySecret(normaliseAnswer(answer), hash) : false;
    }
    const now = new Date();
    const r = await this.step(ctx, caseId, { type: 'VerifySecurityAnswer', questionId, answerCorrect, now });
    return this.result(caseId, r.newEvents, r.newState, now);
  }

  async sendCode(ctx: HelpdeskContext, caseId: string, channelName: ChannelName): Promise<StepResult> {
    const channel = CHANNELS[channelName];
    const c = this.openOrRefuse(await this.own(ctx, caseId));
    const { enrollment, subject } = await this.subjectEnrollment(c);
    const destination = c.enrollment.types.includes(channel) ? codeDestination(enrollment, channel) : undefined;
    if (c.enrollment.types.includes(channel) && !destination) {
      refuse(
        'verification.noDestination',
        `The user's ${channel === 'email' ? 'e-mail address' : 'phone number'} is no longer available`,
      );
    }
    const code = generateOneTimeCode();
    const codeId = randomUUID();
    const now = new Date();
    const codeHash = hashOneTimeCode(this.secrets.codeKey, `${caseId}/${channel}`, code);
    // Intent first: the code exists (as a hash) before it leaves the building.
    const r = await this.step(ctx, caseId, { type: 'SendVerificationCode', channel, codeId, codeHash, now });
    const sent = r.newEvents.find((e) => e.type === 'VerificationCodeSent');
    if (sent?.type !== 'VerificationCodeSent' || !destination) return this.result(caseId, r.newEvents, r.newState, now);
    try {
      await this.notifications.sendVerificationCode(
        channel,
        destination,
        code,
        Math.max(1, Math.round(c.settings.codeTtlSeconds / 60)),
      );
    } catch (err) {
      if (!isDeliveryError(err)) throw err;
      await recording(() =>
        handle(
          this.store,
          deliveryStreamId(caseId),
          deliveryDecider,
          {
            type: 'RecordDelivery',
            event: {
              type: 'VerificationCodeDeliveryFailed',
              data: {
                caseId,
                subject: { storeId: subject.ref.storeId, userId: subject.ref.userId },
                codeId,
                channel,
                maskedDestination: sent.data.maskedDestination,
                reasonCode: err.reason,
                reason: err.message,
                at: new Date().toISOString(),
              },
            },
          },
          { metadata: metadataFor(ctx), retryOnConflict: true },
        ),
      );
      throw err;
    }
    return this.result(caseId, r.newEvents, r.newState, now);
  }

  async verifyCode(ctx: StepContext, caseId: string, channelName: ChannelName, typed: string): Promise<StepResult> {
    const channel = CHANNELS[channelName];
    this.openOrRefuse(await this.own(ctx, caseId));
    const now = new Date();
    const codeHash = hashOneTimeCode(this.secrets.codeKey, `${caseId}/${channel}`, typed);
    const r = await this.step(ctx, caseId, { type: 'VerifyVerificationCode', channel, codeHash, now });
    return this.result(caseId, r.newEvents, r.newState, now);
  }

  async verifyAuthenticator(ctx: StepContext, caseId: string, typed: string): Promise<StepResult> {
    const c = this.openOrRefuse(await this.own(ctx, caseId));
    let result: TotpVerification = { valid: false };
    const now = new Date();
    if (c.enrollment.types.includes('authenticator')) {
      const recorded = await this.enrollment.state(c.subject.storeId, c.subject.userId, null);
      const t = recorded.types.authenticator;
      if (t?.type === 'authenticator') {
        const seed = decryptSecret(
          t.encryptedSecret,
          this.secrets.encryptionKeys,
          enrollmentSecretContext(c.subject.storeId, c.subject.userId),
        );
        result = verifyTotp(base32Decode(seed), typed, now.getTime());
      }
    }
    const r = await this.step(ctx, caseId, { type: 'VerifyAuthenticatorCode', result, now });
    return this.result(caseId, r.newEvents, r.newState, now);
  }

  private result(caseId: string, events: CaseEvent[], state: CaseState, now: Date): StepResult {
    const view = caseView(caseId, state, now);
    for (const e of events) {
      switch (e.type) {
        case 'VerificationAttemptRefused':
          return {
            outcome: 'locked',
            reason: e.data.reasonCode,
            message: e.data.reason,
            lockedUntil: e.data.lockedUntil,
            case: view,
          };
        case 'SecurityAnswerRejected':
        case 'AuthenticatorCodeRejected':
        case 'VerificationCodeRejected': {
          const lock = events.find((x) => x.type === 'VerificationLocked');
          return {
            outcome: 'rejected',
            reason: e.type === 'SecurityAnswerRejected' ? 'mismatch' : e.data.reason,
            message: REJECTION_MESSAGES[e.type === 'SecurityAnswerRejected' ? 'mismatch' : e.data.reason],
            ...(e.type === 'VerificationCodeRejected' ? { attemptsLeft: e.data.attemptsLeft } : {}),
            ...(lock && lock.type === 'VerificationLocked' ? { lockedUntil: lock.data.lockedUntil } : {}),
            case: view,
          };
        }
        case 'SecurityAnswerVerified':
        case 'VerificationCodeVerified':
        case 'AuthenticatorCodeVerified':
          return { outcome: 'verified', case: view };
        case 'VerificationCodeSent':
          return { outcome: 'sent', case: view };
        default:
          break;
      }
    }
    return { outcome: 'rejected', case: view };
  }
}

const REJECTION_MESSAGES: Record<string, string> = {
  mismatch: 'That is not right',
  expired: 'The code has expired; send a new one',
  used: 'The code was already used; send a new one',
  attemptsExhausted: 'Too many wrong tries for this code; send a new one',
  replayed: 'This authenticator code was already used; wait for the next one',
};

/** A recorded CaseOpeningRefused becomes 403 with its reason. */
export function throwIfOpeningRefused(events: CaseEvent[], caseId: string): void {
  const refused = events.find((e) => e.type === 'CaseOpeningRefused');
  if (refused && refused.type === 'CaseOpeningRefused') {
    throw new ForbiddenException({
      statusCode: 403,
      reason: refused.data.reasonCode,
      message: refused.data.reason,
      caseId,
    });
  }
}

export const newCaseId = () => randomUUID().replaceAll('-', '');
