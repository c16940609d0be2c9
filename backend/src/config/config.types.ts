import type { NotificationsConfig } from '../notifications/notifications.config';
import type { Role } from '../policy/role';
import type { Secret } from './secret';

/** The validated, resolved application configuration (paths absolute, secrets resolved, defaults applied). */
export interface AppConfig {
  /** Absolute path of the file this was loaded from; undefined when running on defaults. */
  source?: string;
  server: ServerConfig;
  /** Absolute path of the directory for local state (embedded event store, keys). */
  dataDir: string;
  eventStore: EventStoreConfig;
  identityStores: IdentityStoreConfig[];
  links: LinksConfig;
  /**
   * Bootstrap roles, applied on first start only (when no role stream exists yet); afterwards roles are changed
   * through the API (events). `roleId` may be omitted in the file: it is derived from the name (`Helpdesk agent` →
   * `helpdesk-agent`). Default: none (a fresh install without roles lets nobody do anything).
   */
  roles: Role[];
  /**
   * Keys for secrets at rest. Absent in the file: generated once into `<dataDir>/secrets.json` (mode 0600) with a
   * warning (see `shared/secrets.ts`); then this is undefined here and the SECRETS provider resolves the file.
   */
  secrets?: SecretsConfig;
  helpdesk: HelpdeskConfig;
  /** Walk-up kiosks: how long an "I'm locked out" session waits for an agent, how long an activation code lives. */
  kiosk: KioskConfig;
  /** Mail (SMTP or development outbox) and SMS (webhook or outbox); default: both to the outbox `<dataDir>/outbox`. */
  notifications: NotificationsConfig;
}

export interface SecretsConfig {
  /** AES-256-GCM keys for TOTP seeds; the first is current (encrypts), all decrypt. Each 32 bytes, base64. */
  encryptionKeys: { id: string; key: Secret }[];
  /** HMAC key for one-time code hashes (at least 32 bytes, base64). */
  codeKey: Secret;
}

/** Helpdesk limits; they become the case decider's `CaseSettings` (see `caseSettingsFrom`). */
export interface HelpdeskConfig {
  /** How long an authenticated case stays authenticated. Default 15. */
  authenticationTtlMinutes: number;
  /** E-mail the user (enrolled or directory address) when an agent unlocks their account. Default true. */
  notifyUserOnUnlock: boolean;
  /** Wrong answers/codes across all methods before verification is locked for the user. Default 5 → 15 minutes. */
  verificationLock: { maxFailures: number; minutes: number };
  /** One-time codes: lifetime, wrong tries per code, codes per channel per case. Default 5 min, 3, 5. */
  codes: { ttlMinutes: number; maxWrongTries: number; maxPerChannel: number };
  /**
   * The directory's own mail / mobile attribute counts as an enrolled e-mail / phone (computed at read time, never
   * recorded as an event: the directory stays the source of truth). An imported (event-recorded) address wins.
   * Default true / true.
   */
  enrollFromDirectory: { email: boolean; phone: boolean };
  /**
   * Two-person break-glass for unenrolled users: how long a request waits for a second agent, and how long an approval
   * lets the requesting agent unlock. Default 30 / 15 minutes.
   */
  breakGlass: { requestMinutes: number; approvalMinutes: number };
}

export interface KioskConfig {
  /** How long a kiosk session waits to be claimed by an agent with its code. Default 10. */
  sessionWaitMinutes: number;
  /** How long a kiosk's one-time activation code is good for. Default 24. */
  activationHours: number;
}

export const DEFAULT_KIOSK_CONFIG: KioskConfig = { sessionWaitMinutes: 10, activationHours: 24 };

export const DEFAULT_HELPDESK_CONFIG: HelpdeskConfig = {
  authenticationTtlMinutes: 15,
  notifyUserOnUnlock: true,
  verificationLock: { maxFailures: 5, minutes: 15 },
  codes: { ttlMinutes: 5, maxWrongTries: 3, maxPerChannel: 5 },
  enrollFromDirectory: { email: true, phone: true },
  breakGlass: { requestMinutes: 30, approvalMinutes: 15 },
};

/** The case decider's settings (`helpdesk/case.events.ts` CaseSettings) from the helpdesk configuration. */
export function caseSettingsFrom(h: HelpdeskConfig) {
  return {
    authenticationTtlSeconds: h.authenticationTtlMinutes * 60,
    maxVerificationFailures: h.verificationLock.maxFailures,
    verificationLockSeconds: h.verificationLock.minutes * 60,
    codeTtlSeconds: h.codes.ttlMinutes * 60,
    codeMaxAttempts: h.codes.maxWrongTries,
    maxCodesPerChannel: h.codes.maxPerChannel,
  };
}

export interface ServerConfig {
  host: string;
  port: number;
  /** The externally visible base URL (used in mails and cookies); optional. */
  publicUrl?: string;
}

export interface EventStoreConfig {
  /** EventStoreDB connection string (`esdb://…`); absent means the embedded store under dataDir. */
  connectionString?: Secret;
}

export type IdentityStoreType = 'active-directory' | 'ldap' | 'entra-id';
export const IDENTITY_STORE_TYPES: readonly IdentityStoreType[] = ['active-directory', 'ldap', 'entra-id'];

export type TlsMode = 'ldaps' | 'starttls' | 'plain';

export interface TlsConfig {
  mode: TlsMode;
  /** Absolute path of a PEM file with the CA certificate(s) that signed the directory's certificate. */
  caFile?: string;
  /** Name to verify the server certificate against when it differs from the URL host. */
  serverName?: string;
  /** Must be true for mode `plain` (passwords would cross the network in clear text). */
  allowPlain: boolean;
}

/** The directory attribute(s) behind each account field; for lists the first non-empty value wins. */
export interface AttributeMapping {
  username: string;
  displayName: string[];
  email: string[];
  phone: string[];
  employeeId: string[];
}

export type LinkAttribute = 'employeeId' | 'email' | 'username';
export const LINK_ATTRIBUTES: readonly LinkAttribute[] = ['employeeId', 'email', 'username'];

interface IdentityStoreBase {
  id: string;
  name: string;
  type: IdentityStoreType;
}

export interface LdapStoreConfig extends IdentityStoreBase {
  type: 'active-directory' | 'ldap';
  /** Tried in order; the next one is used when a server cannot be reached. */
  urls: string[];
  /** AD: the host that takes writes (the PDC emulator); unlock and its read-back go there. */
  writeUrl?: string;
  tls: TlsConfig;
  bind: { dn: string; password: Secret };
  userBaseDns: string[];
  /** Extra filter every user search is ANDed with (a trusted, administrator-written LDAP filter). */
  userFilter: string;
  /** Where groups are looked up for agent sign-in; defaults to the domain root of the first user base DN. */
  groupBaseDns: string[];
  attributes: AttributeMapping;
  timeouts: { connectMs: number; operationMs: number };
  pageSize: number;
  /** Most service-account connections kept open to this store (default 16; the write host gets half). */
  poolSize: number;
  /** ldap: the policy entry used when an account has no pwdPolicySubentry (the overlay's ppolicy_default). */
  passwordPolicy?: { defaultPolicyDn?: string };
}

export interface EntraStoreConfig extends IdentityStoreBase {
  type: 'entra-id';
  tenantId: string;
  clientId: string;
  clientSecret?: Secret;
}

export type IdentityStoreConfig = LdapStoreConfig | EntraStoreConfig;

export interface LinkRule {
  /** Store ids whose accounts are compared; at least two. */
  stores: string[];
  /** Accounts with equal (case-insensitive, trimmed) values of this field are the same person. */
  attribute: LinkAttribute;
}

export interface LinksConfig {
  rules: LinkRule[];
}
