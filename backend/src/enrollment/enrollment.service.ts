/**
 * Enrollment: what the helpdesk handlers and the API need, around the pure enrollment decider.
 *
 * - `state()` folds the user's enrollment stream (the truth for the case handlers) and, when the configuration says
 *   so (`helpdesk.enrollFromDirectory`), adds the directory's own mail / mobile as an enrolled e-mail / phone.
 * - `enrolledTypes()` answers for many users at once from the `enrollments` read model (search result lists).
 * - `enroll()` / `import()` protect material before anything reaches an event: answers are normalised and
 *   scrypt-hashed, TOTP seeds AES-256-GCM encrypted (current key, bound to the user); clear values never leave here.
 *
 * Directory contacts are computed at read time, never recorded as events: the directory is the source of truth for
 * mail/mobile, so a changed or removed directory address takes effect at once and no event can go stale. An address
 * or number enrolled by an event (import, kiosk) wins over the directory's. A directory phone counts only when it is
 * an international number (`+…`, 7-15 digits), a directory mail only when it looks like an address.
 */
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import type { DirectoryAccount } from '../directory/identity-store';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import type { EventStore } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { aggregate, handle, type StreamDecider } from '../event-store/handle';
import { statement } from '../projections/projection';
import { ProjectionHost } from '../projections/projection-host';
import { normaliseAnswer } from '../shared/crypto/normalise-answer';
import { decryptSecret, encryptSecret } from '../shared/crypto/secret-box';
import { hashSecret, verifySecret } from '../shared/crypto/secret-hash';
import { base32Decode, base32Encode } from '../shared/crypto/totp';
import type { AuthenticationType } from '../shared/domain-types';
import { AUTHENTICATION_TYPES } from '../shared/domain-types';
import { recording } from '../shared/http/errors';
import { eventMetadata, type RequestActor } from '../shared/http/request-metadata';
import { type AppSecrets, SECRETS } from '../shared/secrets';
import {
  type EnrollAuthenticationType,
  type EnrollmentSnapshot,
  type EnrollmentState,
  enrolledTypes,
  enrollmentDecider,
  enrollmentSecretContext,
  enrollmentSnapshot,
  normaliseEmailAddress,
  normalisePhoneNumber,
} from './enrollment.decider';
import {
  ENROLLMENT_EVENT_SCHEMA_VERSIONS,
  type EnrollmentEvent,
  type EnrollmentSource,
  enrollmentStreamId,
  type TypeEnrollment,
  upcastEnrollmentEvent,
} from './enrollment.events';
import { type EnrollmentRawRow, toEnrollmentRow } from './enrollments.projection';

export type { EnrollmentState } from './enrollment.decider';

/** Clear enrollment material as a person or an import gives it; protected by the service before it is recorded. */
export type EnrollmentInput = {
  securityQuestions?: { question: string; answer: string }[];
  email?: string;
  phone?: string;
  /** Base32 TOTP seed (RFC 4648, as in otpauth:// URIs). */
  authenticatorSecret?: string;
};

/** The directory's contact attributes of the user (mail, mobile), as read from the identity store. */
export type DirectoryContacts = Pick<DirectoryAccount, 'email' | 'phone'>;

export type EnrollmentSourceOf = Partial<Record<AuthenticationType, EnrollmentSource>>;

/** What agents may see: types, question texts, masked destinations and where each type comes from. */
export type EnrollmentView = EnrollmentSnapshot & { storeId: string; userId: string; sources: EnrollmentSourceOf };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

export const accountMapKey = (a: { storeId: string; userId: string }) => `${a.storeId}:${a.userId}`;

type Tracked = { state: EnrollmentState; sources: EnrollmentSourceOf };

const trackedDecider: Pick<StreamDecider<unknown, EnrollmentEvent, Tracked>, 'initialState' | 'evolve' | 'upcast'> = {
  initialState: () => ({ state: enrollmentDecider.initialState(), sources: {} }),
  evolve: (t, e) => {
    const sources = { ...t.sources };
    if (e.type === 'AuthenticationTypeEnrolled') sources[e.data.enrollment.type] = e.data.source;
    else delete sources[e.data.authenticationType];
    return { state: enrollmentDecider.evolve(t.state, e), sources };
  },
  upcast: upcastEnrollmentEvent,
};

/** Several enrollment commands decided in order against the evolving state, appended as one batch. */
export const enrollmentBatchDecider: StreamDecider<EnrollAuthenticationType[], EnrollmentEvent, EnrollmentState> = {
  initialState: enrollmentDecider.initialState,
  evolve: enrollmentDecider.evolve,
  decide: (commands, state) => {
    const out: EnrollmentEvent[] = [];
    let s = state;
    for (const c of commands) {
      const events = enrollmentDecider.decide(c, s);
      s = events.reduce(enrollmentDecider.evolve, s);
      out.push(...events);
    }
    return out;
  },
  schemaVersions: ENROLLMENT_EVENT_SCHEMA_VERSIONS,
  upcast: upcastEnrollmentEvent,
};

/** Adds directory contacts (when allowed and valid) for types that no event enrolled. */
export function withDirectoryContacts(
  tracked: Tracked,
  contacts: DirectoryContacts | null | undefined,
  allow: AppConfig['helpdesk']['enrollFromDirectory'],
): Tracked {
  if (!contacts) return tracked;
  const types = { ...tracked.state.types };
  const sources = { ...tracked.sources };
  const email = contacts.email?.trim();
  if (allow.email && !types.email && email && email.length <= 254 && EMAIL.test(email)) {
    types.email = { type: 'email', address: normaliseEmailAddress(email) };
    sources.email = 'directory';
  }
  const phone = contacts.phone ? normalisePhoneNumber(contacts.phone) : undefined;
  if (allow.phone && !types.phone && phone && E164.test(phone)) {
    types.phone = { type: 'phone', number: phone };
    sources.phone = 'directory';
  }
  return { state: { ...tracked.state, types }, sources };
}

@Injectable()
export class EnrollmentService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ProjectionHost,
    private readonly registry: IdentityStoreRegistry,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'helpdesk'>,
    @Inject(SECRETS) private readonly secrets: AppSecrets,
  ) {}

  /**
   * The user's enrollment folded from the stream, plus directory contacts when configured. Pass the directory account
   * you already read (its mail/mobile); omit it to have it looked up; pass null for the recorded enrollment only.
   */
  async state(storeId: string, userId: string, directory?: DirectoryContacts | null): Promise<EnrollmentState> {
    return (await this.tracked(storeId, userId, directory)).state;
  }

  /** Types, question texts, masked destinations and sources: what an agent may see. Never answers or secrets. */
  async view(storeId: string, userId: string, directory?: DirectoryContacts | null): Promise<EnrollmentView> {
    return (await this.stateAndView(storeId, userId, directory)).view;
  }

  /** `state()` and `view()` from one read of the stream (for callers that need both, e.g. the user profile). */
  async stateAndView(
    storeId: string,
    userId: string,
    directory?: DirectoryContacts | null,
  ): Promise<{ state: EnrollmentState; view: EnrollmentView }> {
    const t = await this.tracked(storeId, userId, directory);
    return { state: t.state, view: { storeId, userId, ...enrollmentSnapshot(t.state), sources: t.sources } };
  }

  /**
   * Enrolled types for many users at once, from the `enrollments` read model (no stream reads), keyed
   * `${storeId}:${userId}`. Give each account's directory `email`/`phone` (search results have them) to count
   * directory contacts as configured.
   */
  async enrolledTypes(
    accounts: ({ storeId: string; userId: string } & DirectoryContacts)[],
  ): Promise<Map<string, AuthenticationType[]>> {
    const out = new Map<string, AuthenticationType[]>();
    const sql = 'SELECT * FROM enrollments WHERE store_id = ? AND user_id = ?';
    for (const a of accounts) {
      const raw = statement(this.runner.db, sql).get(a.storeId, a.userId) as EnrollmentRawRow | undefined;
      const types = new Set<AuthenticationType>(raw ? toEnrollmentRow(raw).types : []);
      const merged = withDirectoryContacts(
        {
          state: { types: Object.fromEntries([...types].map((t) => [t, { type: t }])) as EnrollmentState['types'] },
          sources: {},
        },
        a,
        this.config.helpdesk.enrollFromDirectory,
      );
      out.set(
        accountMapKey(a),
        AUTHENTICATION_TYPES.filter((t) => merged.state.types[t] !== undefined),
      );
    }
    return out;
  }

  /**
   * Protects clear material (normalised + hashed answers, encrypted seed) into type enrollments. Material equal to
   * what is already enrolled reuses the stored hash/ciphertext, so enrolling the same thing again records nothing.
   */
  async protect(
    storeId: string,
    userId: string,
    input: EnrollmentInput,
    current: EnrollmentState,
  ): Promise<TypeEnrollment[]> {
    const out: TypeEnrollment[] = [];
    if (input.securityQuestions?.length) {
      const existing = current.types.securityQuestions;
      const questions = await Promise.all(
        input.securityQuestions.map(async (q, i) => {
          const questionId = `q${i + 1}`;
          const question = q.question.trim();
          const answer = normaliseAnswer(q.answer);
          const prior =
            existing?.type === 'securityQuestions'
              ? existing.questions.find((e) => e.questionId === questionId && e.question === question)
              : undefined;
          if (prior && (await verifySecret(answer, prior.answerHash)))
            return { questionId, question, answerHash: prior.answerHash };
          return { questionId, question, answerHash: await hashSecret(answer) };
        }),
      );
      out.push({ type: 'securityQuestions', questions });
    }
    if (input.authenticatorSecret !== undefined) {
      const seed = base32Encode(base32Decode(input.authenticatorSecret));
      const context = enrollmentSecretContext(storeId, userId);
      const existing = current.types.authenticator;
      let encryptedSecret: string | undefined;
      if (existing?.type === 'authenticator') {
        try {
          if (decryptSecret(existing.encryptedSecret, this.secrets.encryptionKeys, context) === seed)
            encryptedSecret = existing.encryptedSecret;
        } catch {
          // not decryptable with the configured keys: replace it
        }
      }
      out.push({
        type: 'authenticator',
        encryptedSecret: encryptedSecret ?? encryptSecret(seed, this.currentKey(), context),
      });
    }
    if (input.email !== undefined) out.push({ type: 'email', address: input.email });
    if (input.phone !== undefined) out.push({ type: 'phone', number: input.phone });
    return out;
  }

  /**
   * Enrolls the given material for one user (one append for all its types). Refusals from the decider (bad address,
   * …) are thrown as DomainRefusal (`enrollment.invalid`, 400) and nothing is recorded.
   */
  async enroll(
    subject: { storeId: string; userId: string; displayName?: string },
    input: EnrollmentInput,
    source: EnrollmentSource,
    actor: RequestActor,
  ): Promise<{ recorded: number; types: AuthenticationType[]; position?: bigint }> {
    const { storeId, userId } = subject;
    const stream = enrollmentStreamId(storeId, userId);
    const current = await recording(() => aggregate(this.store, stream, enrollmentBatchDecider));
    const enrollments = await this.protect(storeId, userId, input, current.state);
    const commands: EnrollAuthenticationType[] = enrollments.map((enrollment) => ({
      type: 'EnrollAuthenticationType',
      storeId,
      userId,
      enrollment,
      source,
      ...(subject.displayName ? { displayName: subject.displayName } : {}),
    }));
    const result = await recording(() =>
      handle(this.store, stream, enrollmentBatchDecider, commands, {
        metadata: { ...eventMetadata(actor), subject: { storeId, userId } },
        retryOnConflict: true,
      }),
    );
    return {
      recorded: result.newEvents.length,
      types: enrolledTypes(result.newState),
      ...(result.appended ? { position: result.appended.position } : {}),
    };
  }

  /** Resolves when the `enrollments` read model has applied everything up to `position`. */
  async waitForReadModel(position: bigint, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.runner.checkpoint('enrollments').position;
      if (at !== undefined && at >= position) return;
      if (Date.now() > deadline) throw new Error(`the enrollments read model did not reach position ${position}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  private currentKey() {
    const key = this.secrets.encryptionKeys[0];
    if (!key) throw new Error('No encryption key configured');
    return key;
  }

  private async tracked(storeId: string, userId: string, directory?: DirectoryContacts | null): Promise<Tracked> {
    const { state } = await recording(() => aggregate(this.store, enrollmentStreamId(storeId, userId), trackedDecider));
    const allow = this.config.helpdesk.enrollFromDirectory;
    if (directory === null || (!allow.email && !allow.phone)) return state;
    const contacts = directory ?? (await this.registry.get(storeId)?.getAccount(userId));
    return withDirectoryContacts(state, contacts, allow);
  }
}
