/**
 * The `kiosks` read model (run by the projection runner on its thread):
 * - `kiosk_registry`: one row per kiosk with its status and the hashes the API looks kiosks up by (the activation
 *   code's keyed hash, the device token's hash) — never the code or the token;
 * - `kiosk_sessions`: one row per "I'm locked out" session: its kiosk, code (public, good only while waiting), typed
 *   username (lower-cased key for the per-user rate limit is kept in memory, not here), expiry, and where it is now
 *   (`waiting`, `claimed`, `ended`). Waiting past `expires_at` is expired (evaluated by the queries against now).
 */
import type { RecordedEvent } from '../event-store/event-store';
import { type Projection, statement } from '../projections/projection';
import type { KioskEvent, KioskSessionEvent } from './kiosk.events';

export const KIOSK_PROJECTION_EVENTS = [
  'KioskRegistered',
  'KioskActivated',
  'KioskRevoked',
  'KioskSessionStarted',
  'KioskSessionClaimed',
  'KioskSessionEnded',
] as const;

const idAfter = (streamId: string, prefix: string) =>
  streamId.startsWith(prefix) ? streamId.slice(prefix.length) : null;

export const kiosksProjection: Projection = {
  name: 'kiosks',
  version: 1,
  eventTypes: KIOSK_PROJECTION_EVENTS,
  tables: ['kiosk_registry', 'kiosk_sessions'],
  init(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS kiosk_registry (
        kiosk_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        location TEXT,
        store_id TEXT NOT NULL,
        status TEXT NOT NULL,
        activation_code_hash TEXT NOT NULL,
        activation_expires_at TEXT NOT NULL,
        device_token_hash TEXT,
        registered_at TEXT NOT NULL,
        activated_at TEXT,
        revoked_at TEXT
      );
      CREATE TABLE IF NOT EXISTS kiosk_sessions (
        session_id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        code TEXT NOT NULL,
        username_typed TEXT NOT NULL,
        started_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        status TEXT NOT NULL,
        case_id TEXT
      );
    `);
  },
  indexes: [
    'CREATE INDEX IF NOT EXISTS kiosk_registry_activation ON kiosk_registry (activation_code_hash)',
    'CREATE INDEX IF NOT EXISTS kiosk_registry_device ON kiosk_registry (device_token_hash)',
    "CREATE INDEX IF NOT EXISTS kiosk_sessions_waiting ON kiosk_sessions (code) WHERE status = 'waiting'",
    "CREATE INDEX IF NOT EXISTS kiosk_sessions_kiosk ON kiosk_sessions (kiosk_id) WHERE status = 'waiting'",
  ],
  apply(db, recorded: RecordedEvent) {
    const event = { type: recorded.type, data: recorded.data } as KioskEvent | KioskSessionEvent;
    const kioskId = idAfter(recorded.streamId, 'kiosk-');
    const sessionId = idAfter(recorded.streamId, 'kiosk-session-');
    switch (event.type) {
      case 'KioskRegistered': {
        const d = event.data;
        statement(
          db,
          `INSERT INTO kiosk_registry (kiosk_id, name, location, store_id, status, activation_code_hash,
             activation_expires_at, registered_at) VALUES (?, ?, ?, ?, 'awaiting-activation', ?, ?, ?)
           ON CONFLICT (kiosk_id) DO NOTHING`,
        ).run(d.kioskId, d.name, d.location, d.storeId, d.activationCodeHash, d.activationExpiresAt, d.at);
        return;
      }
      case 'KioskActivated':
        statement(
          db,
          `UPDATE kiosk_registry SET status = 'active', device_token_hash = ?, activated_at = ?
           WHERE kiosk_id = ? AND status = 'awaiting-activation'`,
        ).run(event.data.deviceTokenHash, event.data.at, kioskId);
        return;
      case 'KioskRevoked':
        statement(db, "UPDATE kiosk_registry SET status = 'revoked', revoked_at = ? WHERE kiosk_id = ?").run(
          event.data.at,
          kioskId,
        );
        return;
      case 'KioskSessionStarted': {
        const d = event.data;
        statement(
          db,
          `INSERT INTO kiosk_sessions (session_id, kiosk_id, code, username_typed, started_at, expires_at, status)
           VALUES (?, ?, ?, ?, ?, ?, 'waiting') ON CONFLICT (session_id) DO NOTHING`,
        ).run(d.sessionId, d.kioskId, d.code, d.usernameTyped, d.at, d.expiresAt);
        return;
      }
      case 'KioskSessionClaimed':
        statement(db, "UPDATE kiosk_sessions SET status = 'claimed', case_id = ? WHERE session_id = ?").run(
          event.data.caseId,
          sessionId,
        );
        return;
      case 'KioskSessionEnded':
        statement(db, "UPDATE kiosk_sessions SET status = 'ended' WHERE session_id = ?").run(sessionId);
        return;
      default:
        return;
    }
  },
};

export const KIOSK_PROJECTIONS: readonly Projection[] = [kiosksProjection];
