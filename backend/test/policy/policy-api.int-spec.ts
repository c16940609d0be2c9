// Roles, access and enrollment through the real HTTP app (createApp: AppModule, global pipes and filters) against a
// real Samba AD and OpenLDAP and the embedded event store. Agents sign in with their own directory passwords; their
// roles come from their (nested) groups through the bootstrap roles of the configuration.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { stringify } from 'yaml';
import { createApp } from '../../src/app';
import { EnrollmentService } from '../../src/enrollment/enrollment.service';
import type { EventStore, RecordedEvent } from '../../src/event-store/event-store';
import { EVENT_STORE } from '../../src/event-store/event-store.module';
import { adStoreRaw, LAB_ROLES, ldapStoreRaw } from '../labs/lab-config';
import { type Lab, startOpenLdap, startSambaAd } from '../labs/labs';

const ROLES = LAB_ROLES;

let ad: Lab;
let ldap: Lab;
let dir: string;
let app: INestApplication;
const saved = { ...process.env };

function configYaml(roles: unknown[]) {
  return stringify({
    dataDir: join(dir, 'data'),
    identityStores: [
      adStoreRaw(ad, { id: 'corp-ad', name: 'Corp AD' }),
      ldapStoreRaw(ldap, { id: 'corp-ldap', name: 'Corp OpenLDAP' }),
    ],
    roles,
  });
}

async function start(roles: unknown[] = ROLES): Promise<void> {
  await writeFile(join(dir, 'config.yaml'), configYaml(roles));
  app = await createApp();
  await app.init();
}

const http = () => request(app.getHttpServer());
type Agent = { cookie: string; csrf: string };

async function signIn(username: string, password: string, storeId = 'corp-ad'): Promise<Agent> {
  const res = await http().post('/api/session').send({ username, password, storeId }).expect(200);
  return { cookie: res.headers['set-cookie'][0].split(';')[0], csrf: res.body.csrfToken };
}

const as = (agent: Agent) => ({
  get: (url: string) => http().get(url).set('Cookie', agent.cookie),
  post: (url: string, body: unknown) =>
    http()
      .post(url)
      .set('Cookie', agent.cookie)
      .set('X-CSRF-Token', agent.csrf)
      .send(body as object),
  put: (url: string, body: unknown, ifMatch?: string) => {
    const r = http().put(url).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf);
    return (ifMatch ? r.set('If-Match', ifMatch) : r).send(body as object);
  },
  delete: (url: string, ifMatch?: string) => {
    const r = http().delete(url).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf);
    return ifMatch ? r.set('If-Match', ifMatch) : r;
  },
});

async function events(): Promise<RecordedEvent[]> {
  const store = app.get<EventStore>(EVENT_STORE);
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll()) out.push(e);
  return out;
}
const domainEvents = async () => (await events()).filter((e) => !e.type.startsWith('Agent'));

beforeAll(async () => {
  [ad, ldap] = await Promise.all([startSambaAd(), startOpenLdap()]);
  dir = await mkdtemp(join(tmpdir(), 'unlockdesk-policy-'));
  process.env.UNLOCKDESK_CONFIG = join(dir, 'config.yaml');
  process.env.AD_BIND_PW = ad.helpdeskPw;
  process.env.LDAP_BIND_PW = ldap.helpdeskPw;
  delete process.env.UNLOCKDESK_DATA_DIR;
  delete process.env.UNLOCKDESK_EVENTSTORE_URL;
  await start();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([ad?.stop(), ldap?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
  process.env = saved;
});

describe('roles and access (real AD / OpenLDAP agents)', () => {
  let admin: Agent;
  let agent: Agent;
  let auditor: Agent;
  beforeAll(async () => {
    [admin, agent, auditor] = await Promise.all([
      signIn('hd.admin', 'AdminPass1!'),
      signIn('hd.agent', 'AgentPass1!'),
      signIn('hd.auditor', 'AuditPass1!'),
    ]);
  });

  it('bootstraps the configured roles on first start, as events by system', async () => {
    const list = await as(admin).get('/api/roles').expect(200);
    expect(list.body.map((r: { roleId: string }) => r.roleId)).toEqual(['administrator', 'helpdesk-agent', 'auditor']);
    const created = (await events()).filter((e) => e.type === 'RoleCreated');
    expect(created).toHaveLength(3);
    expect(created[0]?.metadata).toMatchObject({ actor: 'system', schemaVersion: 1 });
    expect((await events()).filter((e) => e.type === 'RolesBootstrapped')).toHaveLength(1);
  });

  it('gives each agent the role of their (nested) groups, with permissions and reasons', async () => {
    const a = await as(agent).get('/api/session/access').expect(200);
    expect(a.body.role).toMatchObject({ roleId: 'helpdesk-agent', policy: { mode: 'restricted', requiredTypes: 2 } });
    expect(a.body.permissions).toEqual(['UnlockAccount', 'ViewHistory']);
    expect(a.body.notPermitted.ManageRoles).toBe('Your role (Helpdesk agent) lacks Manage Roles');

    const tier2 = await signIn('hd.tier2', 'Tier2Pass1!'); // member of Helpdesk Agents through Helpdesk Tier2
    expect((await as(tier2).get('/api/session/access').expect(200)).body.role.roleId).toBe('helpdesk-agent');
    expect((await as(auditor).get('/api/session/access').expect(200)).body.permissions).toEqual([
      'ViewHistory',
      'ViewAudit',
    ]);
    const linAdmin = await signIn('lin.admin', 'Lin-Admin-1', 'corp-ldap');
    expect((await as(linAdmin).get('/api/session/access').expect(200)).body.role.roleId).toBe('administrator');

    const alice = await signIn('alice', 'AlicePass1!'); // in no mapped group
    const none = await as(alice).get('/api/session/access').expect(200);
    expect(none.body).toMatchObject({ role: null, permissions: [] });
    const refused = await as(alice).get('/api/roles').expect(403);
    expect(refused.body).toMatchObject({ reason: 'permission', message: expect.stringMatching(/no role/) });
  });

  it('lets only Manage Roles change roles (View Audit may read them); 401 without a session', async () => {
    await http().get('/api/roles').expect(401);
    const denied = await as(agent).get('/api/roles').expect(403);
    expect(denied.body).toEqual({
      statusCode: 403,
      reason: 'permission',
      message: 'Your role (Helpdesk agent) lacks Manage Roles or View Audit',
      required: ['ManageRoles', 'ViewAudit'],
    });
    await as(auditor).get('/api/roles').expect(200);
    await as(auditor).get('/api/roles/auditor').expect(200);
    const post = await as(auditor)
      .post('/api/roles', { ...ROLES[2], roleId: 'x' })
      .expect(403);
    expect(post.body.message).toBe('Your role (Auditor) lacks Manage Roles');
    // CSRF: the cookie alone never changes anything
    await http().post('/api/roles').set('Cookie', admin.cookie).send(ROLES[2]).expect(403);
  });

  it('creates, reads (ETag), changes with If-Match (412 when stale) and deletes a role', async () => {
    const body = {
      name: 'Night shift',
      priority: 20,
      mappedGroups: [{ storeId: 'corp-ad', group: 'Helpdesk Tier2' }],
      permissions: ['UnlockAccount'],
      scope: { storeIds: ['corp-ad'], baseDns: [`OU=Staff,${ad.base}`] },
      policy: { mode: 'restricted', requiredTypes: 1, minSecurityQuestions: 0 },
    };
    const created = await as(admin).post('/api/roles', body).expect(201);
    expect(created.headers.etag).toBe('"0"');
    expect(created.headers.location).toBe('/api/roles/night-shift');
    expect(created.body).toMatchObject({ roleId: 'night-shift', revision: 0, ...body });
    await as(admin).post('/api/roles', body).expect(409); // same id again: role.alreadyExists

    const got = await as(admin).get('/api/roles/night-shift').expect(200);
    expect(got.headers.etag).toBe('"0"');

    const changed = await as(admin)
      .put('/api/roles/night-shift', { ...body, priority: 30 }, '"0"')
      .expect(200);
    expect(changed.headers.etag).toBe('"1"');
    expect(changed.body).toMatchObject({ priority: 30, revision: 1 });

    const stale = await as(admin)
      .put('/api/roles/night-shift', { ...body, priority: 40 }, '"0"')
      .expect(412);
    expect(stale.body).toMatchObject({ reason: 'precondition-failed', currentRevision: '1' });
    await as(admin).delete('/api/roles/night-shift', '"0"').expect(412);

    // hd.tier2 is in both Helpdesk Agents (10) and Helpdesk Tier2 (night shift, 30): the higher priority applies
    const tier2 = await signIn('hd.tier2', 'Tier2Pass1!');
    expect((await as(tier2).get('/api/session/access').expect(200)).body.role.roleId).toBe('night-shift');

    await as(admin).delete('/api/roles/night-shift', '"1"').expect(204);
    await as(admin).get('/api/roles/night-shift').expect(404);
    await as(admin).put('/api/roles/night-shift', body).expect(409); // role.deleted
    // the very next request of the agent sees the deletion
    expect((await as(tier2).get('/api/session/access').expect(200)).body.role.roleId).toBe('helpdesk-agent');
    expect((await events()).filter((e) => e.streamId === 'role-night-shift').map((e) => e.type)).toEqual([
      'RoleCreated',
      'RoleChanged',
      'RoleDeleted',
    ]);
  });

  it('answers bad input with 400 naming the field and records nothing', async () => {
    const before = (await domainEvents()).length;
    const base = ROLES[1] as Record<string, unknown>;
    const bad = await as(admin)
      .post('/api/roles', {
        ...base,
        roleId: 'bad',
        policy: { mode: 'restricted', requiredTypes: 9, minSecurityQuestions: 0 },
      })
      .expect(400);
    expect(bad.body.message.join(' ')).toMatch(/policy\.requiredTypes/);
    const perm = await as(admin)
      .post('/api/roles', { ...base, roleId: 'bad', permissions: ['UnlockAnyAccount'] })
      .expect(400);
    expect(perm.body).toMatchObject({ reason: 'role.invalid', fields: [{ field: 'permissions' }] });
    const unknown = await as(admin)
      .post('/api/roles', { ...base, roleId: 'bad', permissions: ['ResetPassword'] })
      .expect(400);
    expect(unknown.body.message.join(' ')).toMatch(/permissions/);
    const extra = await as(admin)
      .post('/api/roles', { ...base, roleId: 'bad', colour: 'red' })
      .expect(400);
    expect(extra.body.message.join(' ')).toMatch(/colour/);
    await as(admin).put('/api/roles/helpdesk-agent', base, 'abc').expect(412);
    const rename = await as(admin)
      .put('/api/roles/helpdesk-agent', { ...base, roleId: 'other' })
      .expect(400);
    expect(rename.body.fields[0].field).toBe('roleId');
    expect((await domainEvents()).length).toBe(before);
  });

  it('applies a role change on the agent’s next request', async () => {
    await as(agent).get('/api/roles').expect(403);
    const current = await as(admin).get('/api/roles/helpdesk-agent').expect(200);
    const { roleId: _id, revision: _rev, updatedAt: _at, ...definition } = current.body;
    await as(admin)
      .put(
        '/api/roles/helpdesk-agent',
        { ...definition, permissions: [...definition.permissions, 'ViewAudit'] },
        current.headers.etag,
      )
      .expect(200);
    await as(agent).get('/api/roles').expect(200);
    const again = await as(admin).get('/api/roles/helpdesk-agent').expect(200);
    await as(admin).put('/api/roles/helpdesk-agent', definition, again.headers.etag).expect(200);
    await as(agent).get('/api/roles').expect(403);
  });

  it('refuses to remove Manage Roles from the last role that has it', async () => {
    const current = await as(admin).get('/api/roles/administrator').expect(200);
    const { roleId: _id, revision: _rev, updatedAt: _at, ...definition } = current.body;
    const res = await as(admin)
      .put('/api/roles/administrator', { ...definition, permissions: ['UnlockAccount'] }, current.headers.etag)
      .expect(409);
    expect(res.body.reason).toBe('role.lastManager');
    await as(admin).delete('/api/roles/administrator').expect(409);
  });
});

describe('enrollment import and view', () => {
  let admin: Agent;
  let agent: Agent;
  let aliceId: string;
  beforeAll(async () => {
    [admin, agent] = await Promise.all([signIn('hd.admin', 'AdminPass1!'), signIn('hd.agent', 'AgentPass1!')]);
  });

  const aliceRow = {
    storeId: 'corp-ad',
    username: 'alice',
    securityQuestions: [
      { question: 'First pet?', answer: '  Rex  the DOG ' },
      { question: 'Town of birth?', answer: 'Springfield' },
    ],
    authenticatorSecret: 'JBSWY3DPEHPK3PXP JBSWY3DP',
    phone: '+44 7700 900123',
  };

  it('imports rows, reporting each (imported / not found), and protects answers and seeds', async () => {
    const res = await as(admin)
      .post('/api/enrollments/import', [
        aliceRow,
        { storeId: 'corp-ldap', username: 'gina', email: 'gina.private@example.org' },
        { storeId: 'corp-ad', username: 'nobody-here', email: 'x@example.org' },
      ])
      .expect(200);
    expect(res.body).toMatchObject({ imported: 2, notFound: 1, invalid: 0 });
    expect(res.body.rows.map((r: { status: string }) => r.status)).toEqual(['imported', 'imported', 'notFound']);
    expect(res.body.rows[0].types).toEqual(['securityQuestions', 'authenticator', 'phone']);
    aliceId = res.body.rows[0].userId;

    const recorded = (await events()).filter((e) => e.type === 'AuthenticationTypeEnrolled');
    expect(recorded).toHaveLength(4);
    expect(recorded[0]?.metadata).toMatchObject({ actor: expect.stringMatching(/^corp-ad:/), client: 'admin' });
    const text = JSON.stringify(recorded.map((e) => e.data));
    for (const secret of ['Rex', 'rex the dog', 'Springfield', 'springfield', 'JBSWY3DP'])
      expect(text).not.toContain(secret);
  });

  it('shows types, question texts and masked destinations (directory mail included), never answers', async () => {
    const res = await as(agent).get(`/api/users/corp-ad/${aliceId}/enrollment`).expect(200);
    expect(res.body).toEqual({
      storeId: 'corp-ad',
      userId: aliceId,
      types: ['securityQuestions', 'authenticator', 'email', 'phone'],
      securityQuestions: [
        { questionId: 'q1', question: 'First pet?' },
        { questionId: 'q2', question: 'Town of birth?' },
      ],
      maskedEmail: 'a***@example.test',
      maskedPhone: '***-**23',
      sources: { securityQuestions: 'import', authenticator: 'import', email: 'directory', phone: 'import' },
    });
    await as(agent).get('/api/users/corp-ad/00000000-0000-0000-0000-000000000000/enrollment').expect(404);
    await as(agent).get('/api/users/nowhere/x/enrollment').expect(404);
  });

  it('re-importing the same material records nothing', async () => {
    const before = (await domainEvents()).length;
    const res = await as(admin).post('/api/enrollments/import', [aliceRow]).expect(200);
    expect(res.body.rows[0].status).toBe('unchanged');
    expect((await domainEvents()).length).toBe(before);
  });

  it('refuses a file with a bad row: 400 naming row and field, nothing recorded', async () => {
    const before = (await domainEvents()).length;
    const res = await as(admin)
      .post('/api/enrollments/import', [
        { storeId: 'corp-ad', username: 'carol', email: 'carol@example.org' },
        { storeId: 'corp-ad', username: 'dave', securityQuestions: [{ question: 'Q?', answer: '   ' }], phone: '12' },
        { storeId: 'nowhere', userId: 'x', email: 'a@b.c' },
      ])
      .expect(400);
    expect(res.body.message).toEqual(
      expect.arrayContaining([
        '[1].securityQuestions[0].answer must not be blank',
        expect.stringMatching(/^\[1\]\.phone /),
        expect.stringMatching(/^\[2\]\.storeId unknown identity store/),
      ]),
    );
    expect(res.body.rows.map((r: { status: string }) => r.status)).toEqual(['valid', 'invalid', 'invalid']);
    await as(admin).post('/api/enrollments/import', { storeId: 'corp-ad' }).expect(400);
    await as(agent).post('/api/enrollments/import', [aliceRow]).expect(403);
    expect((await domainEvents()).length).toBe(before);
  });

  it('lists enrolled types for many users from the enrollments read model', async () => {
    const service = app.get(EnrollmentService);
    const types = await service.enrolledTypes([
      { storeId: 'corp-ad', userId: aliceId },
      { storeId: 'corp-ad', userId: 'nobody', email: 'n@example.test', phone: '555' },
    ]);
    expect(types.get(`corp-ad:${aliceId}`)).toEqual(['securityQuestions', 'authenticator', 'phone']);
    expect(types.get('corp-ad:nobody')).toEqual(['email']); // directory mail counts; '555' is no international number
  });
});

describe('restart', () => {
  it('does not apply the configured roles again, and keeps the generated secrets', async () => {
    const secrets = await readFile(join(dir, 'data', 'secrets.json'), 'utf8');
    const before = (await events()).length;
    await app.close();
    await start([{ ...ROLES[0], name: 'Renamed in the file' }, ...ROLES.slice(1)]);
    expect((await events()).length).toBe(before);
    const admin = await signIn('hd.admin', 'AdminPass1!');
    const list = await as(admin).get('/api/roles').expect(200);
    expect(list.body.find((r: { roleId: string }) => r.roleId === 'administrator').name).toBe('Administrator');
    expect(await readFile(join(dir, 'data', 'secrets.json'), 'utf8')).toBe(secrets);
  });
});
