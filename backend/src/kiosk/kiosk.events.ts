/**
 * Walk-up kiosks (DOMAIN.md "Kiosks"): the registry of kiosk devices (stream `kiosk-<kioskId>`) and the
 * "I'm locked out" sessions started at a kiosk (stream `kiosk-session-<sessionId>`). Secrets are never in an event:
 * the activation code and the device token appear only as keyed hashes. The session code is not a secret (it is shown
 * on the kiosk's screen) and is only good for claiming while the session waits.
 */
import type { DomainEvent } from '../shared/decider';
import { createUpcaster, type SchemaVersions } from '../shared/events';

export const kioskStreamId = (kioskId: string) => `kiosk-${kioskId}`;
export const kioskSessionStreamId = (sessionId: string) => `kiosk-session-${sessionId}`;

/** An agent (administrator or helpdesk agent) as kiosk events record them. */
export type KioskAgent = { storeId: string; userId: string; displayName: string };
/** The account a session is about (null: the typed username matched no account). */
export type KioskSubject = { storeId: string; userId: string; displayName: string };

export type KioskRegistered = DomainEvent<
  'KioskRegistered',
  {
    kioskId: string;
    name: string;
    location: string | null;
    storeId: string;
    activationCodeHash: string;
    activationExpiresAt: string;
    by: KioskAgent;
    at: string;
  }
>;
export type KioskActivated = DomainEvent<'KioskActivated', { deviceTokenHash: string; at: string }>;
export type KioskActivationRefused = DomainEvent<
  'KioskActivationRefused',
  { reasonCode: ActivationRefusal; reason: string; at: string }
>;
export type KioskRevoked = DomainEvent<'KioskRevoked', { by: KioskAgent; reason: string | null; at: string }>;

export type KioskEvent = KioskRegistered | KioskActivated | KioskActivationRefused | KioskRevoked;

export type KioskSessionStarted = DomainEvent<
  'KioskSessionStarted',
  {
    sessionId: string;
    kioskId: string;
    code: string;
    usernameTyped: string;
    subject: KioskSubject | null;
    expiresAt: string;
    at: string;
  }
>;
export type KioskSessionClaimed = DomainEvent<'KioskSessionClaimed', { agent: KioskAgent; caseId: string; at: string }>;
export type KioskSessionClaimRefused = DomainEvent<
  'KioskSessionClaimRefused',
  { agent: KioskAgent; reasonCode: ClaimRefusal; reason: string; at: string }
>;
export type KioskSessionEndedBy = 'kiosk' | 'agent' | 'expiry';
export type KioskSessionEnded = DomainEvent<'KioskSessionEnded', { by: KioskSessionEndedBy; at: string }>;

export type KioskSessionEvent =
  | KioskSessionStarted
  | KioskSessionClaimed
  | KioskSessionClaimRefused
  | KioskSessionEnded;

/**
 * A person's directory sign-in at a kiosk (to set up how they are verified), on `kiosk-signin-<kioskId>`. Facts, not
 * decided by a decider: every authentication attempt is recorded. `username` is the account's when the directory has
 * one by the typed name, else the typed name's first character and length.
 */
type KioskSignInData = {
  kioskId: string;
  storeId: string;
  purpose: 'enrollment';
  subject: { storeId: string; userId: string } | null;
  username: string;
  displayName: string | null;
};
export type KioskUserSignedIn = DomainEvent<'KioskUserSignedIn', KioskSignInData>;
export type KioskUserSignInFailed = DomainEvent<'KioskUserSignInFailed', KioskSignInData & { reason: string }>;
export type KioskSignInEvent = KioskUserSignedIn | KioskUserSignInFailed;
export const KIOSK_SIGN_IN_EVENT_SCHEMA_VERSIONS: SchemaVersions<KioskSignInEvent['type']> = {
  KioskUserSignedIn: 1,
  KioskUserSignInFailed: 1,
};
export const kioskSignInStreamId = (kioskId: string) => `kiosk-signin-${kioskId}`;

export const KIOSK_EVENT_SCHEMA_VERSIONS: SchemaVersions<KioskEvent['type']> = {
  KioskRegistered: 1,
  KioskActivated: 1,
  KioskActivationRefused: 1,
  KioskRevoked: 1,
};
export const KIOSK_SESSION_EVENT_SCHEMA_VERSIONS: SchemaVersions<KioskSessionEvent['type']> = {
  KioskSessionStarted: 1,
  KioskSessionClaimed: 1,
  KioskSessionClaimRefused: 1,
  KioskSessionEnded: 1,
};
export const upcastKioskEvent = createUpcaster<KioskEvent>(KIOSK_EVENT_SCHEMA_VERSIONS);
export const upcastKioskSessionEvent = createUpcaster<KioskSessionEvent>(KIOSK_SESSION_EVENT_SCHEMA_VERSIONS);

/** Recorded refusals: a stable code and the sentence history and audit show. */
export const KIOSK_REASONS = {
  'kiosk.activationWrong': 'The activation code is not this kiosk’s',
  'kiosk.activationExpired': 'The activation code has expired',
  'kiosk.activationUsed': 'The activation code was already used',
  'kiosk.revoked': 'The kiosk has been revoked',
  'kiosk.noSuchUser': 'The username typed at the kiosk matched no account',
  'kiosk.alreadyClaimed': 'The kiosk session was already claimed by an agent',
} as const;
export type ActivationRefusal =
  | 'kiosk.activationWrong'
  | 'kiosk.activationExpired'
  | 'kiosk.activationUsed'
  | 'kiosk.revoked';
export type ClaimRefusal = 'kiosk.noSuchUser' | 'kiosk.alreadyClaimed';
