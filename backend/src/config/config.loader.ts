import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type {
  MailConfig,
  NotificationsConfig,
  SmsConfig,
  SmtpConfig,
  SmtpTlsMode,
  WebhookSmsConfig,
} from '../notifications/notifications.config';
import { SMTP_DEFAULTS, WEBHOOK_DEFAULTS } from '../notifications/notifications.config';
import { type Role, validateRoleDefinition } from '../policy/role';
import {
  type AppConfig,
  type AttributeMapping,
  DEFAULT_HELPDESK_CONFIG,
  DEFAULT_KIOSK_CONFIG,
  type EntraStoreConfig,
  type HelpdeskConfig,
  IDENTITY_STORE_TYPES,
  type IdentityStoreConfig,
  type IdentityStoreType,
  type KioskConfig,
  type LdapStoreConfig,
  LINK_ATTRIBUTES,
  type LinkAttribute,
  type LinkRule,
  type SecretsConfig,
  type TlsConfig,
  type TlsMode,
} from './config.types';
import { Secret } from './secret';

/** Raised when the configuration is invalid; `issues` are `path: problem` lines, e.g. `identityStores[1].tls.caFile: file not found (/x.pem)`. */
export class ConfigValidationError extends Error {
  constructor(
    readonly issues: string[],
    source?: string,
  ) {
    super(
      `Invalid configuration${source ? ` in ${source}` : ''} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  - ${i}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

export interface LoadedConfig {
  config: AppConfig;
  /** Non-fatal findings (literal secrets in the file, …); the caller logs them. */
  warnings: string[];
}

export interface LoadOptions {
  /** Environment to read UNLOCKDESK_CONFIG, overrides and `{ env: NAME }` secrets from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Base for relative paths when no config file is used (default process.cwd()). */
  cwd?: string;
}

const DEFAULT_PORT = 8080;
const DEFAULT_HOST = '127.0.0.1';

export const DEFAULT_ATTRIBUTES: Record<'active-directory' | 'ldap', AttributeMapping> = {
  'active-directory': {
    username: 'sAMAccountName',
    displayName: ['displayName', 'cn'],
    email: ['mail'],
    phone: ['mobile', 'telephoneNumber'],
    employeeId: ['employeeID'],
  },
  ldap: {
    username: 'uid',
    displayName: ['displayName', 'cn'],
    email: ['mail'],
    phone: ['mobile', 'telephoneNumber'],
    employeeId: ['employeeNumber'],
  },
};

const DEFAULT_USER_FILTER: Record<'active-directory' | 'ldap', string> = {
  'active-directory': '(&(objectCategory=person)(objectClass=user))',
  ldap: '(objectClass=inetOrgPerson)',
};

/**
 * Loads the configuration named by `UNLOCKDESK_CONFIG` (YAML or JSON), or the defaults when it is unset,
 * applies the environment overrides (`UNLOCKDESK_DATA_DIR`, `HOST`, `PORT`, `UNLOCKDESK_EVENTSTORE_URL`),
 * resolves secrets, and validates everything. Throws ConfigValidationError listing every problem at once.
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const file = env.UNLOCKDESK_CONFIG?.trim();
  if (!file) return parseConfig({}, { env, baseDir: options.cwd ?? process.cwd() });
  const path = resolve(options.cwd ?? process.cwd(), file);
  if (!existsSync(path)) throw new ConfigValidationError([`UNLOCKDESK_CONFIG: file not found (${path})`]);
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw new ConfigValidationError([`(file): cannot parse: ${(err as Error).message.split('\n')[0]}`], path);
  }
  return parseConfig(raw ?? {}, { env, baseDir: dirname(path), source: path });
}

export interface ParseContext {
  env: NodeJS.ProcessEnv;
  /** Relative paths in the document (caFile, secret files, dataDir) are resolved against this directory. */
  baseDir: string;
  source?: string;
}

/** Validates an already parsed document. Exposed for tests and for callers that build config in code. */
export function parseConfig(raw: unknown, ctx: ParseContext): LoadedConfig {
  const v = new Validator(ctx);
  const root =
    v.object(raw, '', [
      'server',
      'dataDir',
      'eventStore',
      'identityStores',
      'links',
      'roles',
      'secrets',
      'helpdesk',
      'kiosk',
      'notifications',
    ]) ?? {};

  const serverRaw = v.object(root.server ?? {}, 'server', ['host', 'port', 'publicUrl']) ?? {};
  const server = {
    host: v.string(serverRaw, 'host', 'server', { default: DEFAULT_HOST }) ?? DEFAULT_HOST,
    port: v.int(serverRaw, 'port', 'server', { min: 0, max: 65535, default: DEFAULT_PORT }) ?? DEFAULT_PORT,
    publicUrl: v.url(serverRaw, 'publicUrl', 'server', ['http:', 'https:']),
  };
  if (ctx.env.PORT !== undefined && ctx.env.PORT !== '') {
    const port = Number(ctx.env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) v.issue('PORT (environment)', 'must be a port number');
    else server.port = port;
  }
  if (ctx.env.HOST) server.host = ctx.env.HOST;

  let dataDir = v.string(root, 'dataDir', '', { default: './.data' }) ?? './.data';
  if (ctx.env.UNLOCKDESK_DATA_DIR) dataDir = ctx.env.UNLOCKDESK_DATA_DIR;
  dataDir = resolve(ctx.baseDir, dataDir);

  const esRaw = v.object(root.eventStore ?? {}, 'eventStore', ['connectionString']) ?? {};
  let connectionString = v.secret(esRaw, 'connectionString', 'eventStore', false);
  if (ctx.env.UNLOCKDESK_EVENTSTORE_URL)
    connectionString = new Secret(ctx.env.UNLOCKDESK_EVENTSTORE_URL, 'env:UNLOCKDESK_EVENTSTORE_URL');
  if (
    connectionString &&
    !/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb):\/\//.test(connectionString.reveal())
  )
    v.issue('eventStore.connectionString', 'must be an esdb:// (or esdb+discover://) connection string');

  const identityStores: IdentityStoreConfig[] = [];
  const storesRaw = root.identityStores ?? [];
  if (!Array.isArray(storesRaw)) v.issue('identityStores', 'must be a list');
  else
    storesRaw.forEach((s, i) => {
      const store = parseStore(v, s, `identityStores[${i}]`);
      if (store) identityStores.push(store);
    });
  const seen = new Map<string, number>();
  (Array.isArray(storesRaw) ? storesRaw : []).forEach((s, i) => {
    const id = (s as { id?: unknown })?.id;
    if (typeof id !== 'string') return;
    if (seen.has(id))
      v.issue(`identityStores[${i}].id`, `duplicate id "${id}" (also identityStores[${seen.get(id)}].id)`);
    else seen.set(id, i);
  });

  const linksRaw = v.object(root.links ?? {}, 'links', ['rules']) ?? {};
  const rules: LinkRule[] = [];
  const rulesRaw = linksRaw.rules ?? [];
  if (!Array.isArray(rulesRaw)) v.issue('links.rules', 'must be a list');
  else
    rulesRaw.forEach((r, i) => {
      const p = `links.rules[${i}]`;
      const o = v.object(r, p, ['stores', 'attribute']);
      if (!o) return;
      const stores = v.stringList(o, 'stores', p, { required: true, min: 2 }) ?? [];
      stores.forEach((id, j) => {
        if (!seen.has(id)) v.issue(`${p}.stores[${j}]`, `unknown identity store "${id}"`);
      });
      const attribute = v.enumOf(o, 'attribute', p, LINK_ATTRIBUTES, { required: true }) as LinkAttribute | undefined;
      if (stores.length >= 2 && attribute) rules.push({ stores, attribute });
    });

  const storeIds = new Set(seen.keys());
  const roles = parseRoles(v, root.roles, storeIds);
  const secrets = parseSecrets(v, root.secrets);
  const helpdesk = parseHelpdesk(v, root.helpdesk);
  const kiosk = parseKiosk(v, root.kiosk);
  const notifications = parseNotifications(v, root.notifications, dataDir);

  if (v.issues.length) throw new ConfigValidationError(v.issues, ctx.source);
  return {
    config: {
      source: ctx.source,
      server,
      dataDir,
      eventStore: { connectionString },
      identityStores,
      links: { rules },
      roles,
      secrets,
      helpdesk,
      kiosk,
      notifications,
    },
    warnings: v.warnings,
  };
}

/** `Helpdesk agent` → `helpdesk-agent` (a role id when the file gives none). */
export function roleIdFromName(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'role'
  );
}

const ROLE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function parseRoles(v: Validator, raw: unknown, storeIds: Set<string>): Role[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    v.issue('roles', 'must be a list');
    return [];
  }
  const roles: Role[] = [];
  const ids = new Map<string, number>();
  raw.forEach((r, i) => {
    const p = `roles[${i}]`;
    const o = v.object(r, p, ['roleId', 'name', 'priority', 'mappedGroups', 'permissions', 'scope', 'policy']);
    if (!o) return;
    const { roleId: rawId, ...definition } = o;
    const result = validateRoleDefinition(definition);
    if (!result.ok) {
      for (const problem of result.problems) v.issue(`${p}.${problem.field}`, problem.message);
      return;
    }
    let roleId: string;
    if (rawId === undefined || rawId === null) roleId = roleIdFromName(result.value.name);
    else if (typeof rawId !== 'string' || !ROLE_ID.test(rawId)) {
      v.issue(`${p}.roleId`, 'must be 1-64 characters of letters, digits, _ . - (starting with a letter or digit)');
      return;
    } else roleId = rawId;
    if (ids.has(roleId)) {
      v.issue(`${p}.roleId`, `duplicate role id "${roleId}" (also roles[${ids.get(roleId)}]; set roleId explicitly)`);
      return;
    }
    ids.set(roleId, i);
    result.value.mappedGroups.forEach((g, j) => {
      if (!storeIds.has(g.storeId)) v.issue(`${p}.mappedGroups[${j}].storeId`, `unknown identity store "${g.storeId}"`);
    });
    result.value.scope.storeIds.forEach((s, j) => {
      if (s !== '*' && !storeIds.has(s)) v.issue(`${p}.scope.storeIds[${j}]`, `unknown identity store "${s}"`);
    });
    roles.push({ roleId, ...result.value });
  });
  return roles;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

function decodedLength(text: string): number | undefined {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) return undefined;
  return Buffer.from(t, 'base64').length;
}

function parseSecrets(v: Validator, raw: unknown): SecretsConfig | undefined {
  const o = v.object(raw, 'secrets', ['encryptionKeys', 'codeKey']);
  if (!o) return undefined;
  const keys: SecretsConfig['encryptionKeys'] = [];
  const keysRaw = o.encryptionKeys;
  if (!Array.isArray(keysRaw) || keysRaw.length === 0) {
    v.issue('secrets.encryptionKeys', 'must be a non-empty list of { id, key } (the first encrypts, all decrypt)');
  } else {
    const ids = new Set<string>();
    keysRaw.forEach((k, i) => {
      const p = `secrets.encryptionKeys[${i}]`;
      const ko = v.object(k, p, ['id', 'key']);
      if (!ko) return;
      const id = v.string(ko, 'id', p, {
        required: true,
        pattern: KEY_ID,
        patternHint: '1-32 characters of A-Z a-z 0-9 _ -',
      });
      const key = v.secret(ko, 'key', p, true);
      if (id && ids.has(id)) v.issue(`${p}.id`, `duplicate key id "${id}"`);
      if (id) ids.add(id);
      if (key && decodedLength(key.reveal()) !== 32)
        v.issue(`${p}.key`, 'must be 32 bytes, base64 encoded (e.g. openssl rand -base64 32)');
      else if (id && key) keys.push({ id, key });
    });
  }
  const codeKey = v.secret(o, 'codeKey', 'secrets', true);
  if (codeKey && (decodedLength(codeKey.reveal()) ?? 0) < 32)
    v.issue('secrets.codeKey', 'must be at least 32 bytes, base64 encoded (e.g. openssl rand -base64 32)');
  if (!codeKey || keys.length === 0) return undefined;
  return { encryptionKeys: keys, codeKey };
}

function parseHelpdesk(v: Validator, raw: unknown): HelpdeskConfig {
  const d = DEFAULT_HELPDESK_CONFIG;
  const o =
    v.object(raw ?? {}, 'helpdesk', [
      'authenticationTtlMinutes',
      'notifyUserOnUnlock',
      'verificationLock',
      'codes',
      'enrollFromDirectory',
      'breakGlass',
    ]) ?? {};
  const lock = v.object(o.verificationLock ?? {}, 'helpdesk.verificationLock', ['maxFailures', 'minutes']) ?? {};
  const codes = v.object(o.codes ?? {}, 'helpdesk.codes', ['ttlMinutes', 'maxWrongTries', 'maxPerChannel']) ?? {};
  const fromDir = v.object(o.enrollFromDirectory ?? {}, 'helpdesk.enrollFromDirectory', ['email', 'phone']) ?? {};
  const glass = v.object(o.breakGlass ?? {}, 'helpdesk.breakGlass', ['requestMinutes', 'approvalMinutes']) ?? {};
  const int = (obj: Record<string, unknown>, key: string, path: string, max: number, def: number) =>
    v.int(obj, key, path, { min: 1, max, default: def }) ?? def;
  return {
    authenticationTtlMinutes: int(o, 'authenticationTtlMinutes', 'helpdesk', 24 * 60, d.authenticationTtlMinutes),
    notifyUserOnUnlock: v.bool(o, 'notifyUserOnUnlock', 'helpdesk') ?? d.notifyUserOnUnlock,
    verificationLock: {
      maxFailures: int(lock, 'maxFailures', 'helpdesk.verificationLock', 100, d.verificationLock.maxFailures),
      minutes: int(lock, 'minutes', 'helpdesk.verificationLock', 7 * 24 * 60, d.verificationLock.minutes),
    },
    codes: {
      ttlMinutes: int(codes, 'ttlMinutes', 'helpdesk.codes', 60, d.codes.ttlMinutes),
      maxWrongTries: int(codes, 'maxWrongTries', 'helpdesk.codes', 20, d.codes.maxWrongTries),
      maxPerChannel: int(codes, 'maxPerChannel', 'helpdesk.codes', 50, d.codes.maxPerChannel),
    },
    enrollFromDirectory: {
      email: v.bool(fromDir, 'email', 'helpdesk.enrollFromDirectory') ?? d.enrollFromDirectory.email,
      phone: v.bool(fromDir, 'phone', 'helpdesk.enrollFromDirectory') ?? d.enrollFromDirectory.phone,
    },
    breakGlass: {
      requestMinutes: int(glass, 'requestMinutes', 'helpdesk.breakGlass', 24 * 60, d.breakGlass.requestMinutes),
      approvalMinutes: int(glass, 'approvalMinutes', 'helpdesk.breakGlass', 24 * 60, d.breakGlass.approvalMinutes),
    },
  };
}

function parseKiosk(v: Validator, raw: unknown): KioskConfig {
  const d = DEFAULT_KIOSK_CONFIG;
  const o = v.object(raw ?? {}, 'kiosk', ['sessionWaitMinutes', 'activationHours']) ?? {};
  return {
    sessionWaitMinutes:
      v.int(o, 'sessionWaitMinutes', 'kiosk', { min: 1, max: 24 * 60, default: d.sessionWaitMinutes }) ??
      d.sessionWaitMinutes,
    activationHours:
      v.int(o, 'activationHours', 'kiosk', { min: 1, max: 30 * 24, default: d.activationHours }) ?? d.activationHours,
  };
}

const isLoopbackHost = (host: string) => /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host);

function parseNotifications(v: Validator, raw: unknown, dataDir: string): NotificationsConfig {
  const o = v.object(raw ?? {}, 'notifications', ['outboxDir', 'securityContact', 'mail', 'sms']) ?? {};
  const outboxRaw = v.string(o, 'outboxDir', 'notifications');
  const outboxDir = outboxRaw ? resolve(v.baseDir, outboxRaw) : resolve(dataDir, 'outbox');
  const securityContact = v.string(o, 'securityContact', 'notifications');

  let mail: MailConfig | undefined;
  const mailRaw = v.object(o.mail, 'notifications.mail', ['type', 'smtp']);
  if (mailRaw) {
    const type = v.enumOf(mailRaw, 'type', 'notifications.mail', ['smtp', 'outbox'], { required: true });
    if (type === 'outbox') {
      if (mailRaw.smtp !== undefined) v.issue('notifications.mail.smtp', 'is only used with type "smtp"');
      mail = { type: 'outbox' };
    } else if (type === 'smtp') {
      const smtp = parseSmtp(v, mailRaw.smtp, 'notifications.mail.smtp');
      if (smtp) mail = { type: 'smtp', smtp };
    }
  }

  let sms: SmsConfig | undefined;
  const smsRaw = v.object(o.sms, 'notifications.sms', ['type', 'webhook']);
  if (smsRaw) {
    const type = v.enumOf(smsRaw, 'type', 'notifications.sms', ['webhook', 'outbox'], { required: true });
    if (type === 'outbox') {
      if (smsRaw.webhook !== undefined) v.issue('notifications.sms.webhook', 'is only used with type "webhook"');
      sms = { type: 'outbox' };
    } else if (type === 'webhook') {
      const webhook = parseWebhook(v, smsRaw.webhook, 'notifications.sms.webhook');
      if (webhook) sms = { type: 'webhook', webhook };
    }
  }
  return {
    outboxDir,
    ...(securityContact ? { securityContact } : {}),
    ...(mail ? { mail } : {}),
    ...(sms ? { sms } : {}),
  };
}

function parseSmtp(v: Validator, raw: unknown, p: string): SmtpConfig | undefined {
  const o = v.object(
    raw,
    p,
    [
      'host',
      'port',
      'tls',
      'caFile',
      'serverName',
      'auth',
      'from',
      'clientName',
      'connectionTimeoutMs',
      'greetingTimeoutMs',
      'socketTimeoutMs',
      'maxConnections',
    ],
    true,
  );
  if (!o) return undefined;
  const host = v.string(o, 'host', p, { required: true });
  const tls = v.enumOf(o, 'tls', p, ['implicit', 'starttls', 'none'], { required: true }) as SmtpTlsMode | undefined;
  const port = v.int(o, 'port', p, { min: 1, max: 65535, default: tls === 'implicit' ? 465 : 587 });
  if (tls === 'none' && host && !isLoopbackHost(host))
    v.issue(`${p}.tls`, '"none" is only allowed for a loopback host (mail and codes would cross the network in clear)');
  const caFile = v.file(o, 'caFile', p);
  const serverName = v.string(o, 'serverName', p);
  let auth: SmtpConfig['auth'];
  const authRaw = v.object(o.auth, `${p}.auth`, ['user', 'password']);
  if (authRaw) {
    const user = v.string(authRaw, 'user', `${p}.auth`, { required: true });
    const password = v.secret(authRaw, 'password', `${p}.auth`, true);
    if (user && password) auth = { user, password };
  }
  const from = v.string(o, 'from', p, { required: true });
  if (from && !/@[^\s@>]+\.[^\s@>]+>?\s*$/.test(from))
    v.issue(`${p}.from`, 'must be an address, e.g. "Unlock Desk" <unlockdesk@example.com>');
  const clientName = v.string(o, 'clientName', p);
  const ms = (key: keyof typeof SMTP_DEFAULTS, min: number, max: number) =>
    v.int(o, key, p, { min, max, default: SMTP_DEFAULTS[key] }) ?? SMTP_DEFAULTS[key];
  const config: SmtpConfig = {
    host: host ?? '',
    port: port ?? 587,
    tls: tls ?? 'starttls',
    caFile,
    serverName,
    auth,
    from: from ?? '',
    clientName,
    connectionTimeoutMs: ms('connectionTimeoutMs', 100, 300_000),
    greetingTimeoutMs: ms('greetingTimeoutMs', 100, 300_000),
    socketTimeoutMs: ms('socketTimeoutMs', 100, 600_000),
    maxConnections: ms('maxConnections', 1, 50),
  };
  return host && tls && from ? config : undefined;
}

function parseWebhook(v: Validator, raw: unknown, p: string): WebhookSmsConfig | undefined {
  const o = v.object(raw, p, ['url', 'token', 'timeoutMs', 'retries', 'backoffMs', 'from'], true);
  if (!o) return undefined;
  const url = v.url(o, 'url', p, ['https:', 'http:']);
  if (url && new URL(url).protocol === 'http:' && !isLoopbackHost(new URL(url).hostname))
    v.issue(`${p}.url`, 'must be https:// (http:// only for a loopback host)');
  const token = v.secret(o, 'token', p, false);
  const config: WebhookSmsConfig = {
    url: url ?? '',
    token,
    timeoutMs:
      v.int(o, 'timeoutMs', p, { min: 100, max: 120_000, default: WEBHOOK_DEFAULTS.timeoutMs }) ??
      WEBHOOK_DEFAULTS.timeoutMs,
    retries: v.int(o, 'retries', p, { min: 0, max: 10, default: WEBHOOK_DEFAULTS.retries }) ?? WEBHOOK_DEFAULTS.retries,
    backoffMs:
      v.int(o, 'backoffMs', p, { min: 0, max: 60_000, default: WEBHOOK_DEFAULTS.backoffMs }) ??
      WEBHOOK_DEFAULTS.backoffMs,
    from: v.string(o, 'from', p),
  };
  return url ? config : undefined;
}

const COMMON_STORE_KEYS = ['id', 'name', 'type'];
const LDAP_STORE_KEYS = [
  ...COMMON_STORE_KEYS,
  'urls',
  'writeUrl',
  'tls',
  'bind',
  'userBaseDns',
  'userFilter',
  'groupBaseDns',
  'attributes',
  'timeouts',
  'pageSize',
  'poolSize',
  'passwordPolicy',
];
const ENTRA_STORE_KEYS = [...COMMON_STORE_KEYS, 'tenantId', 'clientId', 'clientSecret'];

function parseStore(v: Validator, raw: unknown, p: string): IdentityStoreConfig | undefined {
  if (!isPlainObject(raw)) {
    v.issue(p, 'must be an object');
    return undefined;
  }
  const type = v.enumOf(raw, 'type', p, IDENTITY_STORE_TYPES, { required: true }) as IdentityStoreType | undefined;
  if (!type) return undefined;
  const o = v.object(raw, p, type === 'entra-id' ? ENTRA_STORE_KEYS : LDAP_STORE_KEYS);
  if (!o) return undefined;
  const id = v.string(o, 'id', p, {
    required: true,
    pattern: /^[a-z0-9][a-z0-9_-]{0,62}$/,
    patternHint: 'lowercase letters, digits, - and _',
  });
  const name = v.string(o, 'name', p, { required: true });
  if (type === 'entra-id') {
    const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const tenantId = v.string(o, 'tenantId', p, { required: true, pattern: guid, patternHint: 'a GUID' });
    const clientId = v.string(o, 'clientId', p, { required: true, pattern: guid, patternHint: 'a GUID' });
    const clientSecret = v.secret(o, 'clientSecret', p, false);
    if (!id || !name || !tenantId || !clientId) return undefined;
    return { id, name, type, tenantId, clientId, clientSecret } satisfies EntraStoreConfig;
  }

  const urls = v.stringList(o, 'urls', p, { required: true, min: 1 }) ?? [];
  const tlsRaw = v.object(o.tls, `${p}.tls`, ['mode', 'caFile', 'serverName', 'allowPlain'], true);
  let tls: TlsConfig | undefined;
  if (tlsRaw) {
    const mode = v.enumOf(tlsRaw, 'mode', `${p}.tls`, ['ldaps', 'starttls', 'plain'], { required: true }) as
      | TlsMode
      | undefined;
    const caFile = v.file(tlsRaw, 'caFile', `${p}.tls`);
    const serverName = v.string(tlsRaw, 'serverName', `${p}.tls`);
    const allowPlain = v.bool(tlsRaw, 'allowPlain', `${p}.tls`) ?? false;
    if (mode === 'plain' && !allowPlain)
      v.issue(`${p}.tls.allowPlain`, 'must be true to use tls.mode "plain" (passwords would be sent unencrypted)');
    if (mode === 'plain' && caFile) v.issue(`${p}.tls.caFile`, 'makes no sense with tls.mode "plain"');
    if (mode) tls = { mode, caFile, serverName, allowPlain };
  }
  const checkUrl = (u: string, path: string) => {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      v.issue(path, `not a URL: "${u}"`);
      return;
    }
    if (parsed.protocol !== 'ldap:' && parsed.protocol !== 'ldaps:')
      v.issue(path, 'must be an ldap:// or ldaps:// URL');
    else if (tls?.mode === 'ldaps' && parsed.protocol !== 'ldaps:')
      v.issue(path, 'must be ldaps:// with tls.mode "ldaps"');
    else if (tls && tls.mode !== 'ldaps' && parsed.protocol !== 'ldap:')
      v.issue(path, `must be ldap:// with tls.mode "${tls.mode}"`);
    if (parsed.pathname && parsed.pathname !== '/') v.issue(path, 'must not contain a DN or path');
  };
  urls.forEach((u, i) => {
    checkUrl(u, `${p}.urls[${i}]`);
  });
  const writeUrl = v.string(o, 'writeUrl', p);
  if (writeUrl) checkUrl(writeUrl, `${p}.writeUrl`);
  if (writeUrl && type !== 'active-directory') v.issue(`${p}.writeUrl`, 'is only used with type "active-directory"');

  const bindRaw = v.object(o.bind, `${p}.bind`, ['dn', 'password'], true);
  const bindDn = bindRaw ? v.string(bindRaw, 'dn', `${p}.bind`, { required: true }) : undefined;
  const password = bindRaw ? v.secret(bindRaw, 'password', `${p}.bind`, true) : undefined;

  const userBaseDns = v.stringList(o, 'userBaseDns', p, { required: true, min: 1 }) ?? [];
  userBaseDns.forEach((dn, i) => {
    v.dn(dn, `${p}.userBaseDns[${i}]`);
  });
  const userFilter = v.string(o, 'userFilter', p) ?? DEFAULT_USER_FILTER[type];
  if (!/^\(.*\)$/s.test(userFilter) || !balancedParens(userFilter))
    v.issue(`${p}.userFilter`, 'must be a parenthesised LDAP filter, e.g. (objectClass=person)');
  const groupBaseDnsRaw = v.stringList(o, 'groupBaseDns', p, { min: 1 });
  groupBaseDnsRaw?.forEach((dn, i) => {
    v.dn(dn, `${p}.groupBaseDns[${i}]`);
  });
  const groupBaseDns = groupBaseDnsRaw ?? (userBaseDns[0] ? [domainRoot(userBaseDns[0])] : []);

  const attributes = { ...DEFAULT_ATTRIBUTES[type] };
  const attrRaw = v.object(o.attributes ?? {}, `${p}.attributes`, [
    'username',
    'displayName',
    'email',
    'phone',
    'employeeId',
  ]);
  if (attrRaw) {
    const username = v.string(attrRaw, 'username', `${p}.attributes`, {
      pattern: ATTR_NAME,
      patternHint: 'an attribute name',
    });
    if (username) attributes.username = username;
    for (const key of ['displayName', 'email', 'phone', 'employeeId'] as const) {
      const value = attrRaw[key];
      if (value === undefined) continue;
      const list = typeof value === 'string' ? [value] : v.stringList(attrRaw, key, `${p}.attributes`, { min: 1 });
      if (!list) continue;
      if (!list.every((a) => ATTR_NAME.test(a))) v.issue(`${p}.attributes.${key}`, 'must be attribute name(s)');
      else attributes[key] = list;
    }
  }

  const toRaw = v.object(o.timeouts ?? {}, `${p}.timeouts`, ['connectMs', 'operationMs']) ?? {};
  const timeouts = {
    connectMs: v.int(toRaw, 'connectMs', `${p}.timeouts`, { min: 100, max: 120_000, default: 5000 }) ?? 5000,
    operationMs: v.int(toRaw, 'operationMs', `${p}.timeouts`, { min: 100, max: 300_000, default: 10_000 }) ?? 10_000,
  };
  const pageSize = v.int(o, 'pageSize', p, { min: 1, max: 10_000, default: 500 }) ?? 500;
  // Every directory operation holds a connection for one round trip, an unlock four: with 4 connections 50 agents
  // unlocking at once queued behind each other (helpdesk bench: p50 266 ms vs 190 ms with 16, about the same as 50).
  const poolSize = v.int(o, 'poolSize', p, { min: 1, max: 64, default: 16 }) ?? 16;

  let passwordPolicy: LdapStoreConfig['passwordPolicy'];
  if (o.passwordPolicy !== undefined) {
    if (type !== 'ldap') v.issue(`${p}.passwordPolicy`, 'is only used with type "ldap"');
    const ppRaw = v.object(o.passwordPolicy, `${p}.passwordPolicy`, ['defaultPolicyDn']);
    const defaultPolicyDn = ppRaw ? v.string(ppRaw, 'defaultPolicyDn', `${p}.passwordPolicy`) : undefined;
    if (defaultPolicyDn) v.dn(defaultPolicyDn, `${p}.passwordPolicy.defaultPolicyDn`);
    passwordPolicy = { defaultPolicyDn };
  }

  if (!id || !name || !tls || !bindDn || !password || !urls.length || !userBaseDns.length) return undefined;
  return {
    id,
    name,
    type,
    urls,
    writeUrl,
    tls,
    bind: { dn: bindDn, password },
    userBaseDns,
    userFilter,
    groupBaseDns,
    attributes,
    timeouts,
    pageSize,
    poolSize,
    passwordPolicy,
  } satisfies LdapStoreConfig;
}

const ATTR_NAME = /^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$|^\d+(\.\d+)+$/;

function balancedParens(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** `OU=Staff,DC=example,DC=test` → `DC=example,DC=test` (the trailing dc= components); the DN itself when it has none. */
export function domainRoot(dn: string): string {
  const parts = dn.split(/(?<!\\),/).map((s) => s.trim());
  const idx = parts.findIndex((_part, i) => parts.slice(i).every((x) => /^dc=/i.test(x)));
  return idx > 0 ? parts.slice(idx).join(',') : dn;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Collects `path: problem` issues while reading an untyped document. */
class Validator {
  readonly issues: string[] = [];
  readonly warnings: string[] = [];

  constructor(private readonly ctx: ParseContext) {}

  get baseDir(): string {
    return this.ctx.baseDir;
  }

  issue(path: string, problem: string): void {
    this.issues.push(`${path || '(root)'}: ${problem}`);
  }

  object(raw: unknown, path: string, allowed: string[], required = false): Record<string, unknown> | undefined {
    if (raw === undefined || raw === null) {
      if (required) this.issue(path, 'is required');
      return undefined;
    }
    if (!isPlainObject(raw)) {
      this.issue(path, 'must be an object');
      return undefined;
    }
    for (const key of Object.keys(raw))
      if (!allowed.includes(key)) this.issue(join(path, key), `unknown key (allowed: ${allowed.join(', ')})`);
    return raw;
  }

  string(
    o: Record<string, unknown>,
    key: string,
    path: string,
    opts: { required?: boolean; default?: string; pattern?: RegExp; patternHint?: string } = {},
  ): string | undefined {
    const value = o[key];
    if (value === undefined || value === null) {
      if (opts.required) this.issue(join(path, key), 'is required');
      return opts.default;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.issue(join(path, key), 'must be a non-empty string');
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(value)) {
      this.issue(join(path, key), `must be ${opts.patternHint ?? `like ${opts.pattern}`}`);
      return undefined;
    }
    return value;
  }

  stringList(
    o: Record<string, unknown>,
    key: string,
    path: string,
    opts: { required?: boolean; min?: number } = {},
  ): string[] | undefined {
    const value = o[key];
    if (value === undefined || value === null) {
      if (opts.required) this.issue(join(path, key), 'is required');
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.issue(join(path, key), 'must be a list');
      return undefined;
    }
    if (opts.min && value.length < opts.min) {
      this.issue(join(path, key), `must have at least ${opts.min} entr${opts.min === 1 ? 'y' : 'ies'}`);
      return undefined;
    }
    const bad = value.findIndex((x) => typeof x !== 'string' || x.trim() === '');
    if (bad >= 0) {
      this.issue(`${join(path, key)}[${bad}]`, 'must be a non-empty string');
      return undefined;
    }
    return value as string[];
  }

  int(
    o: Record<string, unknown>,
    key: string,
    path: string,
    opts: { min: number; max: number; default?: number },
  ): number | undefined {
    const value = o[key];
    if (value === undefined || value === null) return opts.default;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < opts.min || value > opts.max) {
      this.issue(join(path, key), `must be an integer from ${opts.min} to ${opts.max}`);
      return undefined;
    }
    return value;
  }

  bool(o: Record<string, unknown>, key: string, path: string): boolean | undefined {
    const value = o[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.issue(join(path, key), 'must be true or false');
      return undefined;
    }
    return value;
  }

  enumOf(
    o: Record<string, unknown>,
    key: string,
    path: string,
    allowed: readonly string[],
    opts: { required?: boolean } = {},
  ): string | undefined {
    const value = o[key];
    if (value === undefined || value === null) {
      if (opts.required) this.issue(join(path, key), `is required (one of: ${allowed.join(', ')})`);
      return undefined;
    }
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.issue(join(path, key), `must be one of: ${allowed.join(', ')}`);
      return undefined;
    }
    return value;
  }

  url(o: Record<string, unknown>, key: string, path: string, protocols: string[]): string | undefined {
    const value = this.string(o, key, path);
    if (value === undefined) return undefined;
    try {
      if (protocols.includes(new URL(value).protocol)) return value;
    } catch {}
    this.issue(join(path, key), `must be a ${protocols.map((x) => `${x}//`).join(' or ')} URL`);
    return undefined;
  }

  /** A path to a readable file, resolved against the config file's directory. */
  file(o: Record<string, unknown>, key: string, path: string): string | undefined {
    const value = this.string(o, key, path);
    if (value === undefined) return undefined;
    const abs = isAbsolute(value) ? value : resolve(this.ctx.baseDir, value);
    if (!existsSync(abs)) this.issue(join(path, key), `file not found (${abs})`);
    else if (!statSync(abs).isFile()) this.issue(join(path, key), `not a file (${abs})`);
    else return abs;
    return undefined;
  }

  dn(value: string, path: string): void {
    if (!/^[A-Za-z][A-Za-z0-9-]*=[^,]/.test(value) && !/^\d+(\.\d+)*=/.test(value))
      this.issue(path, `not a DN: "${value}"`);
  }

  /** A secret: `{ env: NAME }`, `{ file: PATH }` or a literal string (allowed, but warned about). */
  secret(o: Record<string, unknown>, key: string, path: string, required: boolean): Secret | undefined {
    const value = o[key];
    const p = join(path, key);
    if (value === undefined || value === null) {
      if (required) this.issue(p, 'is required ({ env: NAME }, { file: PATH } or a literal)');
      return undefined;
    }
    if (typeof value === 'string') {
      if (value === '') {
        this.issue(p, 'must not be empty');
        return undefined;
      }
      this.warnings.push(`${p}: literal secret in the configuration file; prefer { env: NAME } or { file: PATH }`);
      return new Secret(value, 'literal');
    }
    const ref = this.object(value, p, ['env', 'file']);
    if (!ref) return undefined;
    if ((ref.env === undefined) === (ref.file === undefined)) {
      this.issue(p, 'must have exactly one of env or file');
      return undefined;
    }
    if (ref.env !== undefined) {
      const name = this.string(ref, 'env', p, { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, patternHint: 'a variable name' });
      if (!name) return undefined;
      const v = this.ctx.env[name];
      if (v === undefined || v === '') {
        this.issue(`${p}.env`, `environment variable ${name} is not set`);
        return undefined;
      }
      return new Secret(v, `env:${name}`);
    }
    const file = this.file(ref, 'file', p);
    if (!file) return undefined;
    const content = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    if (!content) {
      this.issue(`${p}.file`, `file is empty (${file})`);
      return undefined;
    }
    return new Secret(content, `file:${file}`);
  }
}
