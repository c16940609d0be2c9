import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HelpdeskReadModel } from '../helpdesk/helpdesk.read-model';
import { statement } from '../projections/projection';
import { ProjectionHost } from '../projections/projection-host';
import type { KioskStatus } from './kiosk.decider';
import { kiosksProjection } from './kiosk.projections';

export type KioskRow = {
  kioskId: string;
  name: string;
  location: string | null;
  storeId: string;
  status: KioskStatus;
  registeredAt: string;
  activatedAt: string | null;
  revokedAt: string | null;
};

export type WaitingSessionRow = {
  sessionId: string;
  kioskId: string;
  kioskName: string;
  usernameTyped: string;
  startedAt: string;
  expiresAt: string;
};

type Raw = Record<string, unknown>;
const kioskRow = (r: Raw): KioskRow => ({
  kioskId: r.kiosk_id as string,
  name: r.name as string,
  location: (r.location as string | null) ?? null,
  storeId: r.store_id as string,
  status: r.status as KioskStatus,
  registeredAt: r.registered_at as string,
  activatedAt: (r.activated_at as string | null) ?? null,
  revokedAt: (r.revoked_at as string | null) ?? null,
});

const KIOSK_COLUMNS = 'kiosk_id, name, location, store_id, status, registered_at, activated_at, revoked_at';

/**
 * Queries over the `kiosks` read model (kiosk.projections.ts). Every query first waits until the read model has applied
 * everything appended so far (read-your-writes: a kiosk activated a moment ago is found by its device token), 503 when
 * it lags too long. The streams stay the truth for every decision: the handlers decide on the aggregate.
 */
@Injectable()
export class KioskReadModel implements OnModuleInit {
  constructor(
    private readonly runner: ProjectionHost,
    private readonly helpdesk: HelpdeskReadModel,
  ) {}

  onModuleInit(): void {
    if (!this.runner.names.includes(kiosksProjection.name)) {
      throw new Error('KioskModule needs the read model kiosks in the projection runner (KIOSK_PROJECTIONS)');
    }
  }

  private async db() {
    await this.helpdesk.caughtUp(kiosksProjection.name);
    return this.runner.db;
  }

  async kiosks(): Promise<KioskRow[]> {
    const db = await this.db();
    return (
      statement(db, `SELECT ${KIOSK_COLUMNS} FROM kiosk_registry ORDER BY registered_at, kiosk_id`).all() as Raw[]
    ).map(kioskRow);
  }

  async kioskByActivationHash(hash: string): Promise<string | undefined> {
    const db = await this.db();
    const r = statement(db, 'SELECT kiosk_id FROM kiosk_registry WHERE activation_code_hash = ?').get(hash) as
      | Raw
      | undefined;
    return r?.kiosk_id as string | undefined;
  }

  async kioskByDeviceHash(hash: string): Promise<KioskRow | undefined> {
    const db = await this.db();
    const r = statement(db, `SELECT ${KIOSK_COLUMNS} FROM kiosk_registry WHERE device_token_hash = ?`).get(hash) as
      | Raw
      | undefined;
    return r ? kioskRow(r) : undefined;
  }

  /** Waiting (unclaimed, unended, unexpired) sessions, oldest first. */
  async waiting(now: Date): Promise<WaitingSessionRow[]> {
    const db = await this.db();
    const rows = statement(
      db,
      `SELECT s.session_id, s.kiosk_id, k.name AS kiosk_name, s.username_typed, s.started_at, s.expires_at
       FROM kiosk_sessions s JOIN kiosk_registry k ON k.kiosk_id = s.kiosk_id
       WHERE s.status = 'waiting' AND s.expires_at > ? AND k.status = 'active'
       ORDER BY s.started_at, s.session_id`,
    ).all(now.toISOString()) as Raw[];
    return rows.map((r) => ({
      sessionId: r.session_id as string,
      kioskId: r.kiosk_id as string,
      kioskName: r.kiosk_name as string,
      usernameTyped: r.username_typed as string,
      startedAt: r.started_at as string,
      expiresAt: r.expires_at as string,
    }));
  }

  /** The waiting, unexpired session with this code (codes are unique among them), if any. */
  async waitingWithCode(code: string, now: Date): Promise<string | undefined> {
    const db = await this.db();
    const r = statement(
      db,
      `SELECT session_id FROM kiosk_sessions WHERE status = 'waiting' AND code = ? AND expires_at > ?
       ORDER BY started_at DESC LIMIT 1`,
    ).get(code, now.toISOString()) as Raw | undefined;
    return r?.session_id as string | undefined;
  }

  /** Sessions of a kiosk that are still open (waiting, even expired, or claimed) — to end when a new one starts. */
  async openSessionsOf(kioskId: string, statuses: ('waiting' | 'claimed')[]): Promise<string[]> {
    const db = await this.db();
    const rows = statement(
      db,
      `SELECT session_id, status FROM kiosk_sessions WHERE kiosk_id = ? AND status IN ('waiting', 'claimed')`,
    ).all(kioskId) as Raw[];
    return rows.filter((r) => statuses.includes(r.status as 'waiting')).map((r) => r.session_id as string);
  }
}
