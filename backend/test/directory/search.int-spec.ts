// Search across stores (real Samba AD + real OpenLDAP + a configured Entra ID store), the REST endpoints, linked
// accounts by rule, Entra refusal, and partial results when one directory is stopped mid-test.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { parseConfig } from '../../src/config/config.loader';
import { ConfigModule } from '../../src/config/config.module';
import type { AppConfig } from '../../src/config/config.types';
import { DirectoryModule } from '../../src/directory/directory.module';
import { DirectorySearchService } from '../../src/directory/directory-search.service';
import { ENTRA_UNLOCK_REFUSAL } from '../../src/directory/entra-id.store';
import { IdentityStoreRegistry } from '../../src/directory/identity-store.registry';
import { EventStoreModule } from '../../src/event-store/event-store.module';
import { PolicyModule } from '../../src/policy/policy.module';
import { SessionModule } from '../../src/session/session.module';
import { type Lab, startOpenLdap, startSambaAd } from '../labs/labs';
import { adStoreRaw, ldapStoreRaw } from './support';

let ad: Lab;
let ldap: Lab;
let app: INestApplication;
let config: AppConfig;
let search: DirectorySearchService;
let registry: IdentityStoreRegistry;
let dataDir: string;
/** The session cookie of an agent signed in over the API with real AD credentials. */
let agentCookie: string;

beforeAll(async () => {
  [ad, ldap] = await Promise.all([startSambaAd(), startOpenLdap()]);
  config = parseConfig(
    {
      identityStores: [
        adStoreRaw(ad),
        ldapStoreRaw(ldap),
        {
          id: 'entra',
          name: 'Entra ID',
          type: 'entra-id',
          tenantId: '11111111-2222-3333-4444-555555555555',
          clientId: '66666666-7777-8888-9999-000000000000',
        },
      ],
      links: { rules: [{ stores: ['ad', 'ldap'], attribute: 'employeeId' }] },
      // hd.tier2 (group Helpdesk Tier2) may search; hd.auditor has no role here.
      roles: [
        {
          roleId: 'tier2',
          name: 'Tier 2',
          priority: 10,
          mappedGroups: [{ storeId: 'ad', group: 'Helpdesk Tier2' }],
          permissions: ['UnlockAccount'],
          scope: { storeIds: ['*'] },
          policy: { mode: 'unrestricted', requiredTypes: 1, minSecurityQuestions: 0 },
        },
      ],
    },
    { env: { AD_BIND_PW: ad.helpdeskPw, LDAP_BIND_PW: ldap.helpdeskPw }, baseDir: process.cwd() },
  ).config;
  dataDir = mkdtempSync(join(tmpdir(), 'unlockdesk-search-'));
  const moduleRef = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      ConfigModule.forConfig(config),
      EventStoreModule.forRoot({ dataDir }),
      PolicyModule,
      DirectoryModule,
      SessionModule.forRoot({ dataDir }),
    ],
  }).compile();
  app = moduleRef.createNestApplication();
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  await app.init();
  search = app.get(DirectorySearchService);
  registry = app.get(IdentityStoreRegistry);
}, 180_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([ad?.stop(), ldap?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

async function must<T>(p: Promise<T | undefined> | undefined): Promise<T> {
  const v = await p;
  if (v === undefined) throw new Error('expected a value');
  return v;
}

describe('directory search across stores', () => {
  it('merges and sorts results from AD and OpenLDAP; Entra is skipped with its reason', async () => {
    const r = await search.search({ text: 'a', fields: ['username'] });
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([{ storeId: 'entra', reason: expect.stringMatching(/Microsoft Graph/) }]);
    expect(r.results.map((a) => `${a.storeId}:${a.username}`)).toEqual(['ad:Administrator', 'ad:alice', 'ldap:alice']);
    const only = await search.search({ text: 'alice', stores: ['ldap'] });
    expect(only.results.map((a) => a.storeId)).toEqual(['ldap']);
    expect(only.skipped).toEqual([]);
  });

  it('limit cuts the merged list and says so', async () => {
    const r = await search.search({ text: 'example.test', fields: ['email'], match: 'contains', limit: 3 });
    expect(r.results).toHaveLength(3);
    expect(r.truncated).toBe(true);
  });

  it('finds linked accounts by the configured employee id rule', async () => {
    const adAlice = await must(registry.get('ad')?.findByUsername('alice'));
    const linked = await search.linkedAccounts(adAlice);
    expect(linked.results.map((a) => `${a.storeId}:${a.username}:${a.lock.state}`)).toEqual(['ldap:alice:unlocked']);
    const ldapBob = await must(registry.get('ldap')?.findByUsername('bob'));
    expect((await search.linkedAccounts(ldapBob)).results.map((a) => `${a.storeId}:${a.username}`)).toEqual(['ad:bob']);
  });

  it('Entra ID: listed, not unlockable, unlock refused with the exact reason', async () => {
    const entra = await must(Promise.resolve(registry.get('entra')));
    expect(entra.capabilities).toMatchObject({ canUnlock: false, reason: ENTRA_UNLOCK_REFUSAL });
    expect(await entra.unlock('anything')).toEqual({
      outcome: 'refused',
      reason: 'Account unlock is not supported in a Microsoft Entra ID identity store',
    });
  });

  it('REST: agents sign in with their directory account (nested groups resolved); search needs a session', async () => {
    const server = app.getHttpServer();
    const anonymous = await request(server).get('/api/directory/search?q=carol').expect(401);
    expect(anonymous.body.reason).toBe('no-session');
    const wrong = await request(server)
      .post('/api/session')
      .send({ storeId: 'ad', username: 'hd.tier2', password: 'wrong' })
      .expect(401);
    expect(wrong.body.reason).toBe('invalid-credentials');
    const signedIn = await request(server)
      .post('/api/session')
      .send({ storeId: 'ad', username: 'hd.tier2', password: 'Tier2Pass1!' })
      .expect(200);
    expect(signedIn.body.agent).toMatchObject({ storeId: 'ad', username: 'hd.tier2' });
    expect(signedIn.body.agent.groups).toEqual(expect.arrayContaining(['Helpdesk Tier2', 'Helpdesk Agents']));
    agentCookie = signedIn.headers['set-cookie'][0].split(';')[0];

    // A directory account without a helpdesk role signs in but may not search people.
    const auditor = await request(server)
      .post('/api/session')
      .send({ storeId: 'ad', username: 'hd.auditor', password: 'AuditPass1!' })
      .expect(200);
    const auditorCookie = auditor.headers['set-cookie'][0].split(';')[0];
    const refused = await request(server).get('/api/directory/search?q=carol').set('Cookie', auditorCookie).expect(403);
    expect(refused.body.reason).toBe('permission');
  });

  it('REST: GET /api/directory/stores and /api/directory/search', async () => {
    const server = app.getHttpServer();
    const get = (path: string) => request(server).get(path).set('Cookie', agentCookie);
    const stores = await get('/api/directory/stores').expect(200);
    expect(
      stores.body.map((s: { id: string; capabilities: { canUnlock: boolean } }) => [s.id, s.capabilities.canUnlock]),
    ).toEqual([
      ['ad', true],
      ['ldap', true],
      ['entra', false],
    ]);
    const found = await get('/api/directory/search?q=carol&stores=ad,ldap&locked=false').expect(200);
    expect(found.body.results.map((a: { storeId: string; username: string }) => `${a.storeId}:${a.username}`)).toEqual([
      'ad:carol',
      'ldap:carol',
    ]);
    expect(found.body.results[0]).toMatchObject({
      lock: { state: 'unlocked' },
      passwordLastChanged: expect.any(String),
    });
    const bad = await get('/api/directory/search?q=x&locked=maybe&limit=0').expect(400);
    expect(bad.body.message.join(' ')).toMatch(/locked must be a boolean value.*limit must not be less than 1/);
    const unknown = await get('/api/directory/search?q=x&stores=nope').expect(400);
    expect(unknown.body.message).toBe('stores: unknown identity store: nope');
  });

  it('one store stopped mid-test: partial results naming the failed store', async () => {
    expect((await search.search({ text: 'carol' })).results).toHaveLength(2); // both pools are warm
    await ldap.stop();
    const r = await search.search({ text: 'carol' });
    expect(r.results.map((a) => `${a.storeId}:${a.username}`)).toEqual(['ad:carol']);
    expect(r.errors).toEqual([
      {
        storeId: 'ldap',
        message: expect.stringMatching(/cannot reach the directory \(ldap:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/),
      },
    ]);
    const res = await request(app.getHttpServer())
      .get('/api/directory/search?q=carol')
      .set('Cookie', agentCookie)
      .expect(200);
    expect(res.body.errors.map((e: { storeId: string }) => e.storeId)).toEqual(['ldap']);
  });
});
