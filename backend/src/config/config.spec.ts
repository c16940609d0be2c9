import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigValidationError, domainRoot, loadConfig, parseConfig } from './config.loader';
import type { LdapStoreConfig } from './config.types';

let dir: string;
let caFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'unlockdesk-config-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\n');
  writeFileSync(join(dir, 'ldap.pw'), 'from-a-file\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ad = () => ({
  id: 'ad',
  name: 'Corporate AD',
  type: 'active-directory',
  urls: ['ldaps://127.0.0.1', 'ldaps://127.0.0.2'],
  tls: { mode: 'ldaps', caFile: 'ca.pem' },
  bind: { dn: 'CN=svc,DC=example,DC=test', password: { env: 'AD_PW' } },
  userBaseDns: ['OU=Staff,DC=example,DC=test'],
});
const ldap = () => ({
  id: 'ldap',
  name: 'OpenLDAP',
  type: 'ldap',
  urls: ['ldap://127.0.0.1:3389'],
  tls: { mode: 'starttls', caFile },
  bind: { dn: 'cn=helpdesk,ou=services,dc=example,dc=test', password: { file: 'ldap.pw' } },
  userBaseDns: ['ou=people,dc=example,dc=test'],
  passwordPolicy: { defaultPolicyDn: 'cn=default,ou=policies,dc=example,dc=test' },
});
const ctx = (env: NodeJS.ProcessEnv = { AD_PW: 's3cret' }) => ({ env, baseDir: dir, source: join(dir, 'x.yaml') });

function issues(raw: unknown, env?: NodeJS.ProcessEnv): string[] {
  try {
    parseConfig(raw, ctx(env));
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.issues;
    throw err;
  }
  return [];
}

describe('config', () => {
  it('defaults: embedded store, ./.data, no identity stores', () => {
    const { config, warnings } = loadConfig({ env: {}, cwd: dir });
    expect(config.identityStores).toEqual([]);
    expect(config.dataDir).toBe(join(dir, '.data'));
    expect(config.eventStore.connectionString).toBeUndefined();
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8080, publicUrl: undefined });
    expect(warnings).toEqual([]);
  });

  it('loads YAML, applies per-type attribute defaults, resolves secrets and relative paths', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(
      file,
      `server: { port: 9000 }
dataDir: state
identityStores:
  - ${JSON.stringify(ad())}
  - ${JSON.stringify({ ...ldap(), attributes: { phone: 'telephoneNumber' } })}
  - { id: entra, name: Entra, type: entra-id, tenantId: 00000000-0000-0000-0000-000000000001, clientId: 00000000-0000-0000-0000-000000000002 }
links:
  rules: [{ stores: [ad, ldap], attribute: employeeId }]
`,
    );
    const { config, warnings } = loadConfig({ env: { UNLOCKDESK_CONFIG: file, AD_PW: 's3cret' } });
    expect(warnings).toEqual([]);
    expect(config.server.port).toBe(9000);
    expect(config.dataDir).toBe(join(dir, 'state'));
    const [a, l, e] = config.identityStores as [LdapStoreConfig, LdapStoreConfig, { type: string }];
    expect(a.tls.caFile).toBe(caFile);
    expect(a.attributes.username).toBe('sAMAccountName');
    expect(a.attributes.employeeId).toEqual(['employeeID']);
    expect(a.groupBaseDns).toEqual(['DC=example,DC=test']);
    expect(a.bind.password.reveal()).toBe('s3cret');
    expect(l.attributes.username).toBe('uid');
    expect(l.attributes.employeeId).toEqual(['employeeNumber']);
    expect(l.attributes.phone).toEqual(['telephoneNumber']);
    expect(l.bind.password.reveal()).toBe('from-a-file');
    expect(l.userFilter).toBe('(objectClass=inetOrgPerson)');
    expect(e.type).toBe('entra-id');
    expect(config.links.rules).toEqual([{ stores: ['ad', 'ldap'], attribute: 'employeeId' }]);
  });

  it('never prints a secret', () => {
    const { config } = parseConfig({ identityStores: [ad()] }, ctx());
    const text = `${JSON.stringify(config)} ${inspect(config, { depth: 10 })} ${String((config.identityStores[0] as LdapStoreConfig).bind.password)}`;
    expect(text).not.toContain('s3cret');
    expect(text).toContain('env:AD_PW');
  });

  it('JSON works too, and env overrides win', () => {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ dataDir: '/var/x', server: { port: 1 } }));
    const { config } = loadConfig({
      env: {
        UNLOCKDESK_CONFIG: file,
        UNLOCKDESK_DATA_DIR: '/srv/data',
        PORT: '8443',
        UNLOCKDESK_EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false',
      },
    });
    expect(config.dataDir).toBe('/srv/data');
    expect(config.server.port).toBe(8443);
    expect(config.eventStore.connectionString?.reveal()).toBe('esdb://127.0.0.1:2113?tls=false');
  });

  it('warns about literal secrets', () => {
    const store = { ...ad(), bind: { dn: 'CN=svc,DC=example,DC=test', password: 'plain-in-file' } };
    const { warnings } = parseConfig({ identityStores: [store] }, ctx());
    expect(warnings).toEqual([
      'identityStores[0].bind.password: literal secret in the configuration file; prefer { env: NAME } or { file: PATH }',
    ]);
  });

  it('names every bad field by path', () => {
    const bad = [
      ad(),
      { ...ldap(), id: 'ad', tls: { mode: 'ldaps', caFile: 'missing.pem' }, bogus: 1 },
      { ...ldap(), id: 'plain', tls: { mode: 'plain' }, timeouts: { connectMs: 5 } },
      { id: 'x', name: 'X', type: 'novell' },
    ];
    expect(
      issues(
        { identityStores: bad, links: { rules: [{ stores: ['ad', 'nope'], attribute: 'shoeSize' }] }, extra: true },
        {},
      ),
    ).toEqual([
      'extra: unknown key (allowed: server, dataDir, eventStore, identityStores, links, roles, secrets, helpdesk, kiosk, notifications)',
      'identityStores[0].bind.password.env: environment variable AD_PW is not set',
      'identityStores[1].bogus: unknown key (allowed: id, name, type, urls, writeUrl, tls, bind, userBaseDns, userFilter, groupBaseDns, attributes, timeouts, pageSize, poolSize, passwordPolicy)',
      `identityStores[1].tls.caFile: file not found (${join(dir, 'missing.pem')})`,
      'identityStores[1].urls[0]: must be ldaps:// with tls.mode "ldaps"',
      'identityStores[2].tls.allowPlain: must be true to use tls.mode "plain" (passwords would be sent unencrypted)',
      'identityStores[2].timeouts.connectMs: must be an integer from 100 to 120000',
      'identityStores[3].type: must be one of: active-directory, ldap, entra-id',
      'identityStores[1].id: duplicate id "ad" (also identityStores[0].id)',
      'links.rules[0].stores[1]: unknown identity store "nope"',
      'links.rules[0].attribute: must be one of: employeeId, email, username',
    ]);
  });

  it('plain LDAP is accepted only with allowPlain', () => {
    const store = { ...ldap(), tls: { mode: 'plain', allowPlain: true } };
    expect(issues({ identityStores: [store] })).toEqual([]);
  });

  it('reports a missing secret file, required fields, bad port env, unparsable file', () => {
    const store = { ...ldap(), bind: { dn: 'cn=x,dc=y', password: { file: 'nope.pw' } }, userBaseDns: [] };
    expect(issues({ identityStores: [store, { type: 'ldap' }] }, { PORT: 'eighty' })).toEqual([
      'PORT (environment): must be a port number',
      `identityStores[0].bind.password.file: file not found (${join(dir, 'nope.pw')})`,
      'identityStores[0].userBaseDns: must have at least 1 entry',
      'identityStores[1].id: is required',
      'identityStores[1].name: is required',
      'identityStores[1].urls: is required',
      'identityStores[1].tls: is required',
      'identityStores[1].bind: is required',
      'identityStores[1].userBaseDns: is required',
    ]);
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'identityStores: [\n');
    expect(() => loadConfig({ env: { UNLOCKDESK_CONFIG: file } })).toThrow(/cannot parse/);
    expect(() => loadConfig({ env: { UNLOCKDESK_CONFIG: join(dir, 'absent.yaml') } })).toThrow(
      /UNLOCKDESK_CONFIG: file not found/,
    );
  });

  it('domainRoot keeps the trailing dc= components', () => {
    expect(domainRoot('OU=Staff,DC=example,DC=test')).toBe('DC=example,DC=test');
    expect(domainRoot('ou=people,dc=example,dc=test')).toBe('dc=example,dc=test');
    expect(domainRoot('o=corp')).toBe('o=corp');
  });
});
