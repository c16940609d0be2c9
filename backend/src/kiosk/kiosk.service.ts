/**
 * The kiosk registry: administrators register (getting the one-time activation code, shown once), list and revoke
 * kiosks; a device activates with the code and is known from then on by its device token. Prepares what the kiosk
 * decider needs (code and token hashes, the configured lifetime), runs it through handle() on `kiosk-<kioskId>`.
 * Codes and tokens are never logged nor recorded: only their hashes.
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
import { type HelpdeskContext, metadataFor } from '../helpdesk/helpdesk-context';
import { RateLimiter } from '../session/rate-limiter';
import { refuse } from '../shared/decider';
import { recording } from '../shared/http/errors';
import { eventMetadata } from '../shared/http/request-metadata';
import { type AppSecrets, SECRETS } from '../shared/secrets';
import { type KioskState, requireKiosk } from './kiosk.decider';
import { kioskStreamId } from './kiosk.events';
import { KioskReadModel, type KioskRow } from './kiosk.read-model';
import { KIOSK_DECIDER } from './kiosk.streams';
import {
  activationCodeHash,
  deviceCsrfToken,
  deviceTokenHash,
  kioskActor,
  newActivationCode,
  newDeviceToken,
} from './kiosk-device';
import { kioskError } from './kiosk-errors';
import { KioskSessionService } from './kiosk-session.service';

export type KioskView = {
  kioskId: string;
  name: string;
  location: string | null;
  storeId: string;
  status: 'awaiting-activation' | 'active' | 'revoked';
  registeredAt: string;
  activatedAt: string | null;
  revokedAt: string | null;
  lastSeenAt: string | null;
};

/** A device as the guard found it (by its token hash) for one request. */
export type KioskDevice = { kioskId: string; name: string; storeId: string; csrfToken: string };

/** Failed activations per IP before 429: 10 in 15 minutes. */
const ACTIVATION_FAILURES = { max: 10, windowMs: 15 * 60_000 };

const activationRefused = () =>
  kioskError(401, 'kiosk.activationRefused', 'This activation code is not valid. Ask an administrator for a new one.');

@Injectable()
export class KioskService {
  /** When each kiosk last made a request (this instance; not recorded: it is no fact worth an event). */
  private readonly lastSeen = new Map<string, string>();
  private readonly activationLimiter = new RateLimiter(ACTIVATION_FAILURES.max, ACTIVATION_FAILURES.windowMs);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SECRETS) private readonly secrets: AppSecrets,
    private readonly stores: IdentityStoreRegistry,
    private readonly readModel: KioskReadModel,
    private readonly sessions: KioskSessionService,
  ) {}

  view(row: KioskRow): KioskView {
    return { ...row, lastSeenAt: this.lastSeen.get(row.kioskId) ?? null };
  }

  private fromState(state: KioskState): KioskView {
    const k = requireKiosk(state);
    return this.view({
      kioskId: k.kioskId,
      name: k.name,
      location: k.location,
      storeId: k.storeId,
      status: k.status,
      registeredAt: k.registeredAt,
      activatedAt: k.activatedAt,
      revokedAt: k.revokedAt,
    });
  }

  async load(kioskId: string) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(kioskId)) refuse('kiosk.notFound', 'There is no kiosk with this id');
    return recording(() => aggregate(this.store, kioskStreamId(kioskId), KIOSK_DECIDER));
  }

  async register(ctx: HelpdeskContext, body: { name: string; location?: string; storeId: string }) {
    if (!this.stores.get(body.storeId)) {
      refuse('kiosk.invalid', `There is no identity store ${body.storeId}`, [
        { field: 'storeId', message: 'is not a configured identity store' },
      ]);
    }
    const kioskId = randomUUID().replaceAll('-', '');
    const code = newActivationCode();
    const r = await recording(() =>
      handle(
        this.store,
        kioskStreamId(kioskId),
        KIOSK_DECIDER,
        {
          type: 'RegisterKiosk',
          kioskId,
          name: body.name,
          location: body.location ?? null,
          storeId: body.storeId,
          activationCodeHash: activationCodeHash(this.secrets.codeKey, code),
          activationHours: this.config.kiosk.activationHours,
          by: { storeId: ctx.agent.storeId, userId: ctx.agent.userId, displayName: ctx.agent.displayName },
          now: new Date(),
        },
        { metadata: metadataFor(ctx) },
      ),
    );
    const k = requireKiosk(r.newState);
    return { kiosk: this.fromState(r.newState), activationCode: code, activationExpiresAt: k.activationExpiresAt };
  }

  async list() {
    return { kiosks: (await this.readModel.kiosks()).map((row) => this.view(row)) };
  }

  /** Revokes the kiosk (its device is refused from its next request on) and ends its waiting sessions. */
  async revoke(ctx: HelpdeskContext, kioskId: string, reason?: string) {
    const known = await this.load(kioskId);
    requireKiosk(known.state);
    const r = await recording(() =>
      handle(
        this.store,
        kioskStreamId(kioskId),
        KIOSK_DECIDER,
        {
          type: 'RevokeKiosk',
          by: { storeId: ctx.agent.storeId, userId: ctx.agent.userId, displayName: ctx.agent.displayName },
          reason: reason ?? null,
          now: new Date(),
        },
        { metadata: metadataFor(ctx), retryOnConflict: true, known },
      ),
    );
    await this.sessions.endForRevokedKiosk(ctx, kioskId);
    return { kiosk: this.fromState(r.newState) };
  }

  /**
   * A device activates with the code: 401 `kiosk.activationRefused` for a wrong, expired or used code alike (recorded
   * on the kiosk's stream when the code is one of a kiosk's), 429 after too many failures from one IP.
   */
  async activate(
    req: Request,
    code: string,
  ): Promise<{ kiosk: { kioskId: string; name: string }; csrfToken: string; token: string }> {
    const ipKey = `ip:${req.ip ?? 'unknown'}`;
    const wait = this.activationLimiter.retryAfterMs(ipKey);
    if (wait > 0) {
      const retryAfterSeconds = Math.ceil(wait / 1000);
      throw kioskError(429, 'kiosk.rateLimited', 'Too many attempts; try again later', { retryAfterSeconds });
    }
    const hash = activationCodeHash(this.secrets.codeKey, code);
    const kioskId = await this.readModel.kioskByActivationHash(hash);
    if (!kioskId) {
      this.activationLimiter.fail(ipKey);
      throw activationRefused();
    }
    const known = await this.load(kioskId);
    const k = requireKiosk(known.state);
    const token = newDeviceToken();
    const r = await recording(() =>
      handle(
        this.store,
        kioskStreamId(kioskId),
        KIOSK_DECIDER,
        { type: 'ActivateKiosk', activationCodeHash: hash, deviceTokenHash: deviceTokenHash(token), now: new Date() },
        { metadata: eventMetadata(kioskActor(k, req)), retryOnConflict: true, known },
      ),
    );
    if (!r.newEvents.some((e) => e.type === 'KioskActivated')) {
      this.activationLimiter.fail(ipKey);
      throw activationRefused();
    }
    this.seen(kioskId);
    return { kiosk: { kioskId, name: k.name }, csrfToken: deviceCsrfToken(this.secrets.codeKey, token), token };
  }

  /** The device for a cookie's token: 401 `kiosk.notActivated` (unknown token) or `kiosk.revoked`. */
  async device(token: string | undefined): Promise<KioskDevice> {
    const row = token ? await this.readModel.kioskByDeviceHash(deviceTokenHash(token)) : undefined;
    if (!token || !row) throw kioskError(401, 'kiosk.notActivated', 'This device is not an activated kiosk');
    if (row.status === 'revoked') throw kioskError(401, 'kiosk.revoked', 'This kiosk has been revoked');
    this.seen(row.kioskId);
    return {
      kioskId: row.kioskId,
      name: row.name,
      storeId: row.storeId,
      csrfToken: deviceCsrfToken(this.secrets.codeKey, token),
    };
  }

  private seen(kioskId: string): void {
    this.lastSeen.set(kioskId, new Date().toISOString());
  }
}
