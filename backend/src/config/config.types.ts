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
  /** Most service-account connections kept open to this store (per URL role: read, write). */
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
