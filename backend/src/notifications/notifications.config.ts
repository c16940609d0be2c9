import type { Secret } from '../config/secret';

/**
 * Mail and SMS settings. Not part of `AppConfig` yet: the configuration loader can build these (secrets resolved as
 * `Secret`); without them the development outbox is used.
 */
export interface NotificationsConfig {
  mail?: MailConfig;
  sms?: SmsConfig;
  /** Where the development outbox writes messages when no SMTP server / SMS gateway is configured. */
  outboxDir: string;
  /** Shown in the unlock notification: whom to tell if the unlock was not requested (e.g. "security@example.com"). */
  securityContact?: string;
}

/**
 *   tls: 'implicit'  TLS from the first byte (SMTPS, usually port 465)
 *        'starttls'  plain connect, then STARTTLS is required (usually port 587); fails if the server does not offer it
 *        'none'      no TLS at all — only accepted for a loopback host (development mailbox)
 */
export type SmtpTlsMode = 'implicit' | 'starttls' | 'none';

export interface SmtpConfig {
  host: string;
  port: number;
  tls: SmtpTlsMode;
  /** PEM CA bundle that signed the server certificate, when not a public CA. */
  caFile?: string;
  /** Name to verify the certificate against when it differs from `host`. */
  serverName?: string;
  auth?: { user: string; password: Secret };
  /** `From:` of every mail, e.g. `"Unlock Desk" <unlockdesk@example.com>`. */
  from: string;
  /** Name sent in EHLO (defaults to the host name). */
  clientName?: string;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  /** Inactivity timeout of an open connection (also bounds a slow DATA exchange). */
  socketTimeoutMs: number;
  /** Pooled connections kept open to the server. */
  maxConnections: number;
}

export type MailConfig = { type: 'smtp'; smtp: SmtpConfig } | { type: 'outbox' };

export interface WebhookSmsConfig {
  /** POST target; https except for a loopback host. */
  url: string;
  /** Sent as `Authorization: Bearer …`. */
  token?: Secret;
  /** Per attempt. */
  timeoutMs: number;
  /** Further attempts after a 5xx / 429 / refused connection (not after a timeout: the gateway may have sent it). */
  retries: number;
  /** First backoff; doubles each retry (with jitter). */
  backoffMs: number;
  /** Sender id / number passed to the gateway as `from`, when the gateway needs one. */
  from?: string;
}

export type SmsConfig = { type: 'webhook'; webhook: WebhookSmsConfig } | { type: 'outbox' };

export const SMTP_DEFAULTS = {
  connectionTimeoutMs: 10_000,
  greetingTimeoutMs: 10_000,
  socketTimeoutMs: 30_000,
  maxConnections: 3,
} as const;

export const WEBHOOK_DEFAULTS = { timeoutMs: 10_000, retries: 2, backoffMs: 250 } as const;
