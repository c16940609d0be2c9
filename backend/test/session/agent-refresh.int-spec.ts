// Sessions follow the directory, end to end (AppModule against a real Samba AD DC): an agent removed from their
// helpdesk group loses the role on the next request, and an agent disabled in the directory loses the session. The
// groups are read again on every request here (groupsRefreshSeconds 0); the directory is changed by the lab's
// administrator with plain LDAP modifies, as an AD administrator would.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Attribute, Change } from 'ldapts';
import request from 'supertest';
import { stringify } from 'yaml';
import { AppModule } from '../../src/app.module';
import type { EventStore, RecordedEvent } from '../../src/event-store/event-store';
import { EVENT_STORE } from '../../src/event-store/event-store.module';
import { GROUPS_REFRESH_MS } from '../../src/session/session.service';
import { DomainExceptionFilter } from '../../src/shared/http/domain-exception.filter';
import { adStoreRaw } from '../labs/lab-config';
import { type Lab, labClient, startSambaAd } from '../labs/labs';

const ROLES = [
  {
    roleId: 'helpdesk-agent',
    name: 'Helpdesk agent',
    priority: 10,
    mappedGroups: [{ storeId: 'ad', group: 'Helpdesk Agents' }],
    permissions: ['UnlockAccount', 'ViewHistory'],
    scope: { storeIds: ['ad'] },
    policy: { mode: 'unrestricted', requiredTypes: 1, minSecurityQuestions: 0 },
  },
  {
    roleId: 'administrator',
    name: 'Administrator',
    priority: 100,
    mappedGroups: [{ storeId: 'ad', group: 'Unlock Desk Admins' }],
    permissions: ['UnlockAccount', 'UnlockAnyAccount', 'ViewHistory', 'ViewAudit', 'ManageRoles'],
    scope: { storeIds: ['*'] },
    policy: { mode: 'unrestricted', requiredTypes: 1, minSecurityQuestions: 0 },
  },
];

let ad: Lab;
let dir: string;
let app: INestApplication;
const saved = { ...process.env };

const http = () => request(app.getHttpServer());
type Agent = { cookie: string; csrf: string };

async function signIn(username: string, password: string): Promise<Agent> {
  const res = await http().post('/api/session').send({ username, password, storeId: 'ad' }).expect(200);
  return { cookie: res.headers['set-cookie'][0].split(';')[0], csrf: res.body.csrfToken };
}
const get = (agent: Agent, url: string) => http().get(url).set('Cookie', agent.cookie);

/** Changes the lab directory as its administrator. */
async function asAdministrator(dn: string, change: Change): Promise<void> {
  const client = labClient(ad);
  try {
    await client.bind(ad.adminDn, ad.adminPw);
    await client.modify(dn, change);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

async function events(): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of app.get<EventStore>(EVENT_STORE).readAll()) out.push(e);
  return out;
}

beforeAll(async () => {
  ad = await startSambaAd();
  dir = await mkdtemp(join(tmpdir(), 'unlockdesk-refresh-'));
  await writeFile(
    join(dir, 'config.yaml'),
    stringify({ dataDir: join(dir, 'data'), identityStores: [adStoreRaw(ad, { name: 'Corp AD' })], roles: ROLES }),
  );
  process.env.UNLOCKDESK_CONFIG = join(dir, 'config.yaml');
  process.env.AD_BIND_PW = ad.helpdeskPw;
  delete process.env.UNLOCKDESK_DATA_DIR;
  delete process.env.UNLOCKDESK_EVENTSTORE_URL;
  // The application as createApp builds it, but with the agent's groups read again on every request.
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(GROUPS_REFRESH_MS)
    .useValue(0)
    .compile();
  app = moduleRef.createNestApplication();
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new DomainExceptionFilter());
  await app.init();
}, 180_000);

afterAll(async () => {
  await app?.close();
  await ad?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  process.env = saved;
});

describe('an agent session follows the directory', () => {
  it('an agent removed from the helpdesk group loses the helpdesk role on the next request', async () => {
    const agent = await signIn('hd.agent', 'AgentPass1!');
    await get(agent, '/api/users?search=alice&storeId=ad').expect(200);

    await asAdministrator(
      `CN=Helpdesk Agents,OU=Groups,${ad.base}`,
      new Change({
        operation: 'delete',
        modification: new Attribute({ type: 'member', values: [`CN=Hanna Agent,OU=Helpdesk,${ad.base}`] }),
      }),
    );

    const refused = await get(agent, '/api/users?search=alice&storeId=ad').expect(403);
    expect(refused.body.reason).toBe('permission');
    const session = await get(agent, '/api/session').expect(200);
    expect(session.body.agent.groups).not.toContain('Helpdesk Agents');
  });

  it('an agent disabled in the directory loses the session (401 session-ended, AgentSessionEnded recorded)', async () => {
    const admin = await signIn('hd.admin', 'AdminPass1!');
    await get(admin, '/api/users?search=alice&storeId=ad').expect(200);

    await asAdministrator(
      `CN=Henry Admin,OU=Helpdesk,${ad.base}`,
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'userAccountControl', values: ['514'] }),
      }),
    );

    const ended = await get(admin, '/api/users?search=alice&storeId=ad').expect(401);
    expect(ended.body).toMatchObject({
      reason: 'session-ended',
      message: 'Your directory account changed; sign in again.',
    });
    expect((await get(admin, '/api/session').expect(401)).body.reason).toBe('no-session');
    const fact = (await events()).find((e) => e.type === 'AgentSessionEnded');
    expect(fact).toMatchObject({
      streamId: 'agent-ad-hd.admin',
      data: { username: 'hd.admin', reason: 'disabled' },
      metadata: { actor: 'system' },
    });
  });
});
