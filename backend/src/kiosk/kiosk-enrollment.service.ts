/**
 * "Set up how we can verify you" at a walk-up kiosk. The person proves themselves with their directory password (a
 * bind as them against the kiosk's identity store); that gives the kiosk a short-lived enrollment grant, held here in
 * memory (one per kiosk, 5 minutes since its last use; never the password). With the grant the person sets three
 * security questions and/or an authenticator app; each change is recorded through the enrollment decider exactly
 * like an import (answers normalised + scrypt-hashed, the seed encrypted), as `source: kiosk` with the kiosk's metadata
 * (client `kiosk`, its id).
 *
 * Refusals never reveal whether a username exists: every failed bind answers the same 401 `kiosk.signInRefused`, a
 * locked account too (directories report the lock whatever password was typed, so a distinct answer would tell anyone
 * which names exist and are locked). Failed sign-ins are limited per kiosk and per typed username (429), charged before
 * the directory is asked so parallel requests cannot get past the limit. Passwords, answers, seeds and codes are never
 * logged.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { DirectoryAccount } from '../directory/identity-store';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import { EnrollmentService, type EnrollmentView } from '../enrollment/enrollment.service';
import type { EventStore } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { RateLimiter } from '../session/rate-limiter';
import { normaliseAnswer } from '../shared/crypto/normalise-answer';
import { base32Encode, totpUri, verifyTotp } from '../shared/crypto/totp';
import type { AuthenticationType } from '../shared/domain-types';
import { eventMetadata } from '../shared/http/request-metadata';
import { KIOSK_SIGN_IN_EVENT_SCHEMA_VERSIONS, type KioskSignInEvent, kioskSignInStreamId } from './kiosk.events';
import type { KioskDevice } from './kiosk.service';
import { kioskActor, maskUnknownUsername } from './kiosk-device';
import { kioskError } from './kiosk-errors';

/** Failed sign-ins per kiosk and per typed username before 429 (like the kiosk sessions: 20 and 5 per 10 minutes). */
export const KIOSK_ENROLLMENT_LIMITS = { perKiosk: 20, perUsername: 5, windowMs: 10 * 60_000 };
/** How long an enrollment grant lives after its last use. */
export const ENROLLMENT_GRANT_MS = 5 * 60_000;
/** Wrong authenticator codes for one new seed before the seed is dropped (the person starts the app set-up again). */
export const MAX_AUTHENTICATOR_TRIES = 5;
export const REQUIRED_QUESTIONS = 3;
export const MIN_ANSWER_LENGTH = 3;
const ISSUER = 'Unlock Desk';

/** The questions a person picks from at the kiosk: memorable, stable, not found on a social profile in a minute. */
export const SECURITY_QUESTION_CHOICES: readonly string[] = [
  'What was the name of your first pet?',
  'What is the name of the street you grew up on?',
  'What was the first name of your best friend at school?',
  'What was the make and model of your first car?',
  'In which town or city did your parents meet?',
  'What was the name of your first teacher?',
  'What is the middle name of your oldest sibling or cousin?',
  'What was the first concert you went to?',
];

export const SIGN_IN_REFUSED = 'That username and password did not work';

type Grant = {
  enrollmentId: string;
  kioskId: string;
  storeId: string;
  userId: string;
  username: string;
  displayName: string;
  expiresAt: number;
  /** A new authenticator seed waiting for its first code. */
  pending?: { seed: Buffer; tries: number };
};

export type KioskEnrolled = {
  types: AuthenticationType[];
  securityQuestions: { questionId: string; text: string }[];
  maskedEmail: string | null;
  maskedPhone: string | null;
};

const enrolledOf = (view: EnrollmentView): KioskEnrolled => ({
  types: view.types,
  securityQuestions: view.securityQuestions.map((q) => ({ questionId: q.questionId, text: q.question })),
  maskedEmail: view.maskedEmail ?? null,
  maskedPhone: view.maskedPhone ?? null,
});

const refused = () => kioskError(401, 'kiosk.signInRefused', SIGN_IN_REFUSED);
const grantOver = () =>
  kioskError(410, 'kiosk.enrollmentOver', 'This set-up has ended. Please start over and sign in again.');
const invalid = (field: string, message: string) =>
  kioskError(400, 'kiosk.enrollmentInvalid', message, { fields: [{ field, message }] });

@Injectable()
export class KioskEnrollmentService {
  /** kioskId → the grant of the person at that kiosk (one per kiosk). */
  private readonly grants = new Map<string, Grant>();
  private readonly perKiosk = new RateLimiter(KIOSK_ENROLLMENT_LIMITS.perKiosk, KIOSK_ENROLLMENT_LIMITS.windowMs);
  private readonly perUsername = new RateLimiter(KIOSK_ENROLLMENT_LIMITS.perUsername, KIOSK_ENROLLMENT_LIMITS.windowMs);

  constructor(
    private readonly stores: IdentityStoreRegistry,
    private readonly enrollments: EnrollmentService,
    @Inject(EVENT_STORE) private readonly events: EventStore,
  ) {}

  /**
   * Records a sign-in attempt at the kiosk (every authentication attempt is an event), on `kiosk-signin-<kioskId>`.
   * A failed attempt names the account only when the directory has one by that name; otherwise the typed name is
   * kept as its first character and length (it may be a mistyped password). Fails with 503 when it cannot be recorded.
   */
  private async recordSignIn(
    device: KioskDevice,
    req: Request,
    event:
      | { type: 'KioskUserSignedIn'; account: DirectoryAccount }
      | { type: 'KioskUserSignInFailed'; typed: string; reason: string },
  ): Promise<void> {
    const store = this.stores.get(device.storeId);
    const account =
      event.type === 'KioskUserSignedIn'
        ? event.account
        : await store?.findByUsername(event.typed).catch(() => undefined);
    const common = {
      kioskId: device.kioskId,
      storeId: device.storeId,
      purpose: 'enrollment' as const,
      subject: account ? { storeId: device.storeId, userId: account.id } : null,
      username: account
        ? account.username
        : maskUnknownUsername(event.type === 'KioskUserSignInFailed' ? event.typed : ''),
      displayName: account ? (account.displayName ?? account.username) : null,
    };
    const fact: KioskSignInEvent =
      event.type === 'KioskUserSignedIn'
        ? { type: 'KioskUserSignedIn', data: common }
        : { type: 'KioskUserSignInFailed', data: { ...common, reason: event.reason } };
    try {
      await this.events.append(kioskSignInStreamId(device.kioskId), [
        {
          type: fact.type,
          data: fact.data,
          metadata: {
            ...eventMetadata(kioskActor(device, req)),
            schemaVersion: KIOSK_SIGN_IN_EVENT_SCHEMA_VERSIONS[fact.type],
          },
        },
      ]);
    } catch {
      throw kioskError(503, 'kiosk.unavailable', 'This could not be recorded right now. Please try again later.');
    }
  }

  async signIn(device: KioskDevice, req: Request, username: string, password: string) {
    const typed = username.trim();
    const kioskKey = `kiosk:${device.kioskId}`;
    const userKey = `user:${device.storeId}:${typed.toLowerCase()}`;
    const wait = Math.max(this.perKiosk.retryAfterMs(kioskKey), this.perUsername.retryAfterMs(userKey));
    if (wait > 0) {
      throw kioskError(429, 'kiosk.rateLimited', 'Too many attempts; please wait and try again', {
        retryAfterSeconds: Math.ceil(wait / 1000),
      });
    }
    // Charged now, before the directory is asked (concurrent attempts would otherwise all pass the check above);
    // taken back below when the attempt turns out not to be a failure.
    this.perKiosk.fail(kioskKey);
    this.perUsername.fail(userKey);
    const forgive = () => {
      this.perKiosk.forgive(kioskKey);
      this.perUsername.forgive(userKey);
    };
    // A new person at the kiosk: whatever the previous one left is gone, whatever the outcome.
    this.grants.delete(device.kioskId);
    const store = this.stores.get(device.storeId);
    const result =
      store?.capabilities.canAuthenticate && typed && password
        ? await store.authenticate(typed, password)
        : ({ result: 'invalid-credentials' } as const);
    if (result.result === 'unavailable') {
      // Not about this user (the directory could not be asked): nothing to count, nothing revealed.
      forgive();
      throw kioskError(
        503,
        'kiosk.directoryUnavailable',
        'The directory cannot be reached right now. Please try later.',
      );
    }
    if (result.result !== 'ok') {
      // The event keeps the reason (locked, disabled, ...); the answer is the same for all of them.
      await this.recordSignIn(device, req, { type: 'KioskUserSignInFailed', typed, reason: result.result });
      throw refused();
    }
    forgive();
    const account = result.account;
    await this.recordSignIn(device, req, { type: 'KioskUserSignedIn', account });
    const grant: Grant = {
      enrollmentId: randomUUID().replaceAll('-', ''),
      kioskId: device.kioskId,
      storeId: account.storeId,
      userId: account.id,
      username: account.username,
      displayName: account.displayName ?? account.username,
      expiresAt: Date.now() + ENROLLMENT_GRANT_MS,
    };
    this.grants.set(device.kioskId, grant);
    const view = await this.enrollments.view(grant.storeId, grant.userId, account);
    return {
      enrollmentId: grant.enrollmentId,
      displayName: grant.displayName,
      enrolled: enrolledOf(view),
      questionChoices: [...SECURITY_QUESTION_CHOICES],
    };
  }

  async setSecurityQuestions(
    device: KioskDevice,
    req: Request,
    enrollmentId: string,
    questions: { question: string; answer: string }[],
  ) {
    const grant = this.grant(device, enrollmentId);
    if (questions.length !== REQUIRED_QUESTIONS)
      throw invalid('questions', `Choose ${REQUIRED_QUESTIONS} questions and answer each of them.`);
    const seen = new Set<string>();
    questions.forEach((q, i) => {
      if (!SECURITY_QUESTION_CHOICES.includes(q.question))
        throw invalid(`questions[${i}].question`, 'Choose each question from the list.');
      if (seen.has(q.question)) throw invalid(`questions[${i}].question`, 'Choose three different questions.');
      seen.add(q.question);
      if (normaliseAnswer(q.answer).length < MIN_ANSWER_LENGTH)
        throw invalid(`questions[${i}].answer`, `Each answer needs at least ${MIN_ANSWER_LENGTH} characters.`);
    });
    await this.enrollments.enroll(
      this.subject(grant),
      { securityQuestions: questions.map((q) => ({ question: q.question, answer: q.answer })) },
      'kiosk',
      kioskActor(device, req),
    );
    return { enrolled: await this.enrolled(grant) };
  }

  /** A new seed for the person's authenticator app, held in the grant until a code from the app confirms it. */
  startAuthenticator(device: KioskDevice, enrollmentId: string) {
    const grant = this.grant(device, enrollmentId);
    const seed = randomBytes(20);
    grant.pending = { seed, tries: 0 };
    return { secret: base32Encode(seed), otpauthUrl: totpUri(seed, grant.username, ISSUER) };
  }

  async confirmAuthenticator(device: KioskDevice, req: Request, enrollmentId: string, code: string) {
    const grant = this.grant(device, enrollmentId);
    const pending = grant.pending;
    if (!pending) throw kioskError(409, 'kiosk.noAuthenticatorPending', 'Start the authenticator app set-up first.');
    if (!verifyTotp(pending.seed, code, Date.now()).valid) {
      pending.tries += 1;
      if (pending.tries >= MAX_AUTHENTICATOR_TRIES) {
        delete grant.pending;
        throw kioskError(
          409,
          'kiosk.authenticatorTriesUsed',
          'That code did not match too many times. Start the authenticator app set-up again.',
        );
      }
      throw kioskError(
        400,
        'kiosk.wrongCode',
        'That code did not match. Check the app and type the code it shows now.',
        {
          attemptsLeft: MAX_AUTHENTICATOR_TRIES - pending.tries,
        },
      );
    }
    delete grant.pending;
    await this.enrollments.enroll(
      this.subject(grant),
      { authenticatorSecret: base32Encode(pending.seed) },
      'kiosk',
      kioskActor(device, req),
    );
    return { enrolled: await this.enrolled(grant) };
  }

  /** Drops the kiosk's grant (done, start over, inactivity). Idempotent. */
  end(device: KioskDevice, enrollmentId: string) {
    const grant = this.grants.get(device.kioskId);
    if (grant?.enrollmentId === enrollmentId) this.grants.delete(device.kioskId);
    return { ended: true };
  }

  private grant(device: KioskDevice, enrollmentId: string): Grant {
    const grant = this.grants.get(device.kioskId);
    if (!grant || grant.enrollmentId !== enrollmentId) throw grantOver();
    const now = Date.now();
    if (grant.expiresAt <= now) {
      this.grants.delete(device.kioskId);
      throw grantOver();
    }
    grant.expiresAt = now + ENROLLMENT_GRANT_MS;
    return grant;
  }

  private subject(grant: Grant) {
    return { storeId: grant.storeId, userId: grant.userId, displayName: grant.displayName };
  }

  private async enrolled(grant: Grant): Promise<KioskEnrolled> {
    return enrolledOf(await this.enrollments.view(grant.storeId, grant.userId));
  }
}
