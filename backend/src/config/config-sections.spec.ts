// The policy/enrollment sections of the configuration: roles, secrets, helpdesk, kiosk, notifications.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resolveSecrets } from '../shared/secrets';
import { ConfigValidationError, parseConfig, roleIdFromName } from './config.loader';
import { caseSettingsFrom, DEFAULT_HELPDESK_CONFIG } from './config.types';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'unlockdesk-config-sections-'));
  writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const store = (id: string) => ({
  id,
  name: id,
  type: 'ldap',
  urls: ['ldap://127.0.0.1:3389'],
  tls: { mode: 'plain', allowPlain: true },
  bind: { dn: 'cn=svc,dc=example,dc=test', password: { env: 'PW' } },
  userBaseDns: ['ou=people,dc=example,dc=test'],
});
const stores = [store('corp-ad'), store('corp-ldap')];
const env = { PW: 'x', KEY1: randomBytes(32).toString('base64'), CODE: randomBytes(32).toString('base64') };
const ctx = () => ({ env, baseDir: dir });
const parse = (raw: Record<string, unknown>) => parseConfig({ identityStores: stores, ...raw }, ctx()).config;
function issues(raw: Record<string, unknown>): string[] {
  try {
    parse(raw);
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.issues;
    throw err;
  }
  return [];
}

const agentRole = {
  name: 'Helpdesk agent',
  priority: 10,
  mappedGroups: [{ storeId: 'corp-ad', group: 'Helpdesk Agents' }],
  permissions: ['UnlockAccount', 'ViewHistory'],
  scope: { storeIds: ['corp-ad', 'corp-ldap'] },
  policy: { mode: 'restricted', requiredTypes: 2, minSecurityQuestions: 2 },
};

describe('config: defaults of the new sections', () => {
  it('no roles, no secrets (generated later), helpdesk defaults, outbox under dataDir', () => {
    const config = parse({ dataDir: 'data' });
    expect(config.roles).toEqual([]);
    expect(config.secrets).toBeUndefined();
    expect(config.helpdesk).toEqual(DEFAULT_HELPDESK_CONFIG);
    expect(config.helpdesk).toEqual({
      authenticationTtlMinutes: 15,
      notifyUserOnUnlock: true,
      verificationLock: { maxFailures: 5, minutes: 15 },
      codes: { ttlMinutes: 5, maxWrongTries: 3, maxPerChannel: 5 },
      enrollFromDirectory: { email: true, phone: true },
      breakGlass: { requestMinutes: 30, approvalMinutes: 15 },
    });
    expect(config.notifications).toEqual({ outboxDir: join(dir, 'data', 'outbox') });
  });

  it('turns the helpdesk section into the case decider settings', () => {
    expect(caseSettingsFrom(DEFAULT_HELPDESK_CONFIG)).toEqual({
      authenticationTtlSeconds: 900,
      maxVerificationFailures: 5,
      verificationLockSeconds: 900,
      codeTtlSeconds: 300,
      codeMaxAttempts: 3,
      maxCodesPerChannel: 5,
    });
  });
});

describe('config: roles', () => {
  it('validates and normalises bootstrap roles, deriving ids from names', () => {
    const config = parse({
      roles: [agentRole, { ...agentRole, roleId: 'admins', name: 'Admins', permissions: ['ManageRoles'] }],
    });
    expect(config.roles.map((r) => r.roleId)).toEqual(['helpdesk-agent', 'admins']);
    expect(config.roles[0]).toEqual({ roleId: 'helpdesk-agent', ...agentRole });
    expect(roleIdFromName('  Équipe Support #2 ')).toBe('equipe-support-2');
  });

  it('names every bad role field by path', () => {
    expect(
      issues({
        roles: [
          { ...agentRole, policy: { mode: 'lenient', requiredTypes: 1, minSecurityQuestions: 0 } },
          { ...agentRole, permissions: ['UnlockAnyAccount'], mappedGroups: [{ storeId: 'nowhere', group: 'g' }] },
          { ...agentRole, roleId: '../x' },
          agentRole,
          agentRole,
          { ...agentRole, name: 'Other', scope: { storeIds: ['corp-ad', 'gone'] }, colour: 'red' },
          'admins',
        ],
      }),
    ).toEqual([
      'roles[0].policy.mode: must be restricted or unrestricted',
      'roles[1].permissions: UnlockAnyAccount requires UnlockAccount',
      'roles[2].roleId: must be 1-64 characters of letters, digits, _ . - (starting with a letter or digit)',
      'roles[4].roleId: duplicate role id "helpdesk-agent" (also roles[3]; set roleId explicitly)',
      'roles[5].colour: unknown key (allowed: roleId, name, priority, mappedGroups, permissions, scope, policy)',
      'roles[5].scope.storeIds[1]: unknown identity store "gone"',
      'roles[6]: must be an object',
    ]);
    expect(issues({ roles: [{ ...agentRole, mappedGroups: [{ storeId: 'nowhere', group: 'g' }] }] })).toEqual([
      'roles[0].mappedGroups[0].storeId: unknown identity store "nowhere"',
    ]);
    expect(issues({ roles: { admins: agentRole } })).toEqual(['roles: must be a list']);
  });
});

describe('config: secrets', () => {
  it('reads keys through env/file references', () => {
    const config = parse({
      secrets: { encryptionKeys: [{ id: 'k2', key: { env: 'KEY1' } }], codeKey: { env: 'CODE' } },
    });
    expect(config.secrets?.encryptionKeys[0]?.id).toBe('k2');
    expect(JSON.stringify(config.secrets)).not.toContain(env.KEY1);
    const resolved = resolveSecrets({ secrets: config.secrets, dataDir: dir });
    expect(resolved.encryptionKeys[0]?.key).toEqual(Buffer.from(env.KEY1, 'base64'));
    expect(resolved.codeKey).toEqual(Buffer.from(env.CODE, 'base64'));
  });

  it('names bad keys by path', () => {
    expect(
      issues({
        secrets: {
          encryptionKeys: [
            { id: 'k1', key: 'c2hvcnQ=' },
            { id: 'bad id', key: { env: 'KEY1' } },
            { id: 'k3', key: { env: 'KEY1' } },
            { id: 'k3', key: { env: 'KEY1' } },
          ],
          codeKey: { env: 'MISSING' },
        },
      }),
    ).toEqual([
      'secrets.encryptionKeys[0].key: must be 32 bytes, base64 encoded (e.g. openssl rand -base64 32)',
      'secrets.encryptionKeys[1].id: must be 1-32 characters of A-Z a-z 0-9 _ -',
      'secrets.encryptionKeys[3].id: duplicate key id "k3"',
      'secrets.codeKey.env: environment variable MISSING is not set',
    ]);
    expect(issues({ secrets: { encryptionKeys: [], codeKey: { env: 'CODE' } } })).toEqual([
      'secrets.encryptionKeys: must be a non-empty list of { id, key } (the first encrypts, all decrypt)',
    ]);
  });

  it('without a secrets section, generates secrets.json once (mode 0600) and reuses it', () => {
    const dataDir = mkdtempSync(join(dir, 'secrets-'));
    const warnings: string[] = [];
    const first = resolveSecrets({ dataDir }, (m) => warnings.push(m));
    const file = join(dataDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings[0]).toMatch(/generated encryption and code keys/);
    expect(first.encryptionKeys[0]?.key).toHaveLength(32);
    expect(first.codeKey).toHaveLength(32);
    const content = readFileSync(file, 'utf8');
    const again = resolveSecrets({ dataDir }, (m) => warnings.push(m));
    expect(again).toEqual(first);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(warnings.some((w) => w.includes(first.codeKey.toString('base64')))).toBe(false);
  });
});

describe('config: helpdesk and notifications', () => {
  it('reads overrides and names bad values by path', () => {
    const config = parse({
      helpdesk: { authenticationTtlMinutes: 30, codes: { ttlMinutes: 10 }, enrollFromDirectory: { phone: false } },
    });
    expect(config.helpdesk.authenticationTtlMinutes).toBe(30);
    expect(config.helpdesk.codes).toEqual({ ttlMinutes: 10, maxWrongTries: 3, maxPerChannel: 5 });
    expect(config.helpdesk.enrollFromDirectory).toEqual({ email: true, phone: false });
    expect(
      issues({
        helpdesk: {
          authenticationTtlMinutes: 0,
          notifyUserOnUnlock: 'yes',
          verificationLock: { maxFailures: 1.5 },
          codes: { ttl: 5 },
        },
      }),
    ).toEqual([
      'helpdesk.codes.ttl: unknown key (allowed: ttlMinutes, maxWrongTries, maxPerChannel)',
      'helpdesk.authenticationTtlMinutes: must be an integer from 1 to 1440',
      'helpdesk.notifyUserOnUnlock: must be true or false',
      'helpdesk.verificationLock.maxFailures: must be an integer from 1 to 100',
    ]);
  });

  it('reads the kiosk section with defaults (10 minutes wait, 24 hours activation) and names bad values by path', () => {
    expect(parse({}).kiosk).toEqual({ sessionWaitMinutes: 10, activationHours: 24 });
    expect(parse({ kiosk: { sessionWaitMinutes: 5 } }).kiosk).toEqual({ sessionWaitMinutes: 5, activationHours: 24 });
    expect(issues({ kiosk: { sessionWaitMinutes: 0, activationHours: 'x', code: 1 } })).toEqual([
      'kiosk.code: unknown key (allowed: sessionWaitMinutes, activationHours)',
      'kiosk.sessionWaitMinutes: must be an integer from 1 to 1440',
      'kiosk.activationHours: must be an integer from 1 to 720',
    ]);
  });

  it('reads the break-glass lifetimes with defaults and names bad values by path', () => {
    expect(parse({ helpdesk: { breakGlass: { approvalMinutes: 5 } } }).helpdesk.breakGlass).toEqual({
      requestMinutes: 30,
      approvalMinutes: 5,
    });
    expect(issues({ helpdesk: { breakGlass: { requestMinutes: 0, approvalMinutes: 'ten', minutes: 3 } } })).toEqual([
      'helpdesk.breakGlass.minutes: unknown key (allowed: requestMinutes, approvalMinutes)',
      'helpdesk.breakGlass.requestMinutes: must be an integer from 1 to 1440',
      'helpdesk.breakGlass.approvalMinutes: must be an integer from 1 to 1440',
    ]);
  });

  it('reads SMTP and webhook settings with defaults and secrets', () => {
    const config = parse({
      notifications: {
        outboxDir: 'box',
        securityContact: 'security@example.test',
        mail: {
          type: 'smtp',
          smtp: {
            host: 'mail.example.test',
            tls: 'starttls',
            caFile: 'ca.pem',
            auth: { user: 'unlockdesk', password: { env: 'PW' } },
            from: '"Unlock Desk" <unlockdesk@example.test>',
          },
        },
        sms: { type: 'webhook', webhook: { url: 'https://sms.example.test/send', token: { env: 'PW' } } },
      },
    });
    expect(config.notifications.outboxDir).toBe(join(dir, 'box'));
    expect(config.notifications.mail).toMatchObject({
      type: 'smtp',
      smtp: { host: 'mail.example.test', port: 587, tls: 'starttls', caFile: join(dir, 'ca.pem'), maxConnections: 3 },
    });
    expect(config.notifications.sms).toMatchObject({ type: 'webhook', webhook: { retries: 2, timeoutMs: 10_000 } });
  });

  it('names bad mail and SMS settings by path', () => {
    expect(
      issues({
        notifications: {
          mail: { type: 'smtp', smtp: { host: 'mail.example.test', tls: 'none', from: 'nobody' } },
          sms: { type: 'webhook', webhook: { url: 'http://sms.example.test/send', retries: 99 } },
        },
      }),
    ).toEqual([
      'notifications.mail.smtp.tls: "none" is only allowed for a loopback host (mail and codes would cross the network in clear)',
      'notifications.mail.smtp.from: must be an address, e.g. "Unlock Desk" <unlockdesk@example.com>',
      'notifications.sms.webhook.url: must be https:// (http:// only for a loopback host)',
      'notifications.sms.webhook.retries: must be an integer from 0 to 10',
    ]);
    expect(issues({ notifications: { mail: { type: 'pigeon' } } })).toEqual([
      'notifications.mail.type: must be one of: smtp, outbox',
    ]);
    expect(issues({ notifications: { mail: { type: 'smtp' } } })).toEqual(['notifications.mail.smtp: is required']);
    expect(
      parse({
        notifications: {
          mail: { type: 'smtp', smtp: { host: '127.0.0.1', port: 2525, tls: 'none', from: 'u@d.test' } },
        },
      }).notifications.mail,
    ).toMatchObject({ smtp: { port: 2525, tls: 'none' } });
  });
});
