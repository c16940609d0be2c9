import { Global, type INestApplication, Module, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { EventStore } from '../../src/event-store/event-store';
import { EVENT_STORE } from '../../src/event-store/event-store.module';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { AGENT_DIRECTORY, type AgentDirectory, type AgentSignInResult } from '../../src/session/agent-directory';
import { SessionModule } from '../../src/session/session.module';

// The HTTP contract of agent sign-in: cookie flags, CSRF on state changes, precise failure reasons, rate limits.
// The directory behind it is a scripted port here; the real binds are covered by the directory integration tests.
const agent = {
  storeId: 'corp-ad',
  userId: 'g1',
  dn: 'CN=Hanna',
  username: 'hd.agent',
  displayName: 'Hanna',
  groups: ['Helpdesk Agents'],
};
const answers: Record<string, AgentSignInResult> = {
  'hd.agent/right': { outcome: 'ok', agent },
  'erin/any': { outcome: 'disabled', message: 'data 533' },
  'carol/any': { outcome: 'locked', message: 'data 775' },
  'down/any': { outcome: 'unavailable', message: 'ECONNREFUSED' },
};
const calls: string[] = [];
const directory: AgentDirectory = {
  signInStores: () => [{ id: 'corp-ad', name: 'Corp AD', isDefault: true }],
  signIn: async (storeId, username, password) => {
    calls.push(`${username}/${password}`);
    if (storeId && storeId !== 'corp-ad') return { outcome: 'unknown-store', message: storeId };
    return (
      answers[`${username}/${password}`] ??
      answers[`${username}/any`] ?? { outcome: 'invalid-credentials', message: '52e' }
    );
  },
};

@Module({ providers: [{ provide: AGENT_DIRECTORY, useValue: directory }], exports: [AGENT_DIRECTORY] })
class ScriptedDirectoryModule {}

let events: EventStore;
@Global()
@Module({ providers: [{ provide: EVENT_STORE, useFactory: () => events }], exports: [EVENT_STORE] })
class MemoryEventStoreModule {}
const recorded = async () => {
  const out: { stream: string; type: string; data: unknown; actor: unknown }[] = [];
  for await (const e of events.readAll())
    out.push({ stream: e.streamId, type: e.type, data: e.data, actor: e.metadata.actor });
  return out;
};

describe('agent session API', () => {
  let app: INestApplication;
  beforeEach(async () => {
    calls.length = 0;
    events = new SqliteEventStore({ file: ':memory:' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        MemoryEventStoreModule,
        SessionModule.forRoot({ dataDir: ':memory:', directory: ScriptedDirectoryModule }),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    app.setGlobalPrefix('api');
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
    await app.init();
  });
  afterEach(async () => {
    await app.close();
    await events.close();
  });

  const signIn = (username: string, password: string, storeId?: string) =>
    request(app.getHttpServer()).post('/api/session').send({ username, password, storeId });

  it('signs in with an HttpOnly, SameSite=Strict cookie and returns the agent and a CSRF token', async () => {
    const res = await signIn('hd.agent', 'right').expect(200);
    expect(res.body.agent).toEqual(agent);
    expect(res.body.csrfToken).toEqual(expect.any(String));
    const cookie = res.headers['set-cookie'][0];
    expect(cookie).toMatch(/^ud_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Expires=');

    const me = await request(app.getHttpServer()).get('/api/session').set('Cookie', cookie.split(';')[0]).expect(200);
    expect(me.body.agent.username).toBe('hd.agent');
    expect(await recorded()).toEqual([
      {
        stream: 'agent-corp-ad-hd.agent',
        type: 'AgentSignedIn',
        actor: 'corp-ad:g1',
        data: expect.objectContaining({ subject: { storeId: 'corp-ad', userId: 'g1' }, outcome: 'success' }),
      },
    ]);
  });

  it('needs the CSRF token to sign out, and the session is gone afterwards', async () => {
    const res = await signIn('hd.agent', 'right').expect(200);
    const cookie = res.headers['set-cookie'][0].split(';')[0];
    await request(app.getHttpServer()).delete('/api/session').set('Cookie', cookie).expect(403);
    await request(app.getHttpServer())
      .delete('/api/session')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', res.body.csrfToken)
      .expect(204);
    const after = await request(app.getHttpServer()).get('/api/session').set('Cookie', cookie).expect(401);
    expect(after.body.reason).toBe('no-session');
  });

  it.each([
    ['hd.agent', 'wrong', 401, 'invalid-credentials'],
    ['carol', 'x', 401, 'locked'],
    ['erin', 'x', 401, 'disabled'],
    ['down', 'x', 503, 'unavailable'],
  ])('reports %s/%s precisely as %i %s, without a cookie', async (username, password, status, reason) => {
    const res = await signIn(username, password).expect(status);
    expect(res.body.reason).toBe(reason);
    expect(res.headers['set-cookie']).toBeUndefined();
    const [fact] = await recorded();
    expect(fact).toMatchObject({ type: 'AgentSignInFailed', data: { username, reason, outcome: 'failed' } });
    expect(JSON.stringify(fact)).not.toContain(password);
  });

  it('rejects bad input naming the field, without asking the directory', async () => {
    const res = await request(app.getHttpServer())
      .post('/api/session')
      .send({ username: '', password: 'x' })
      .expect(400);
    expect(res.body.message.join(' ')).toContain('username');
    const unknown = await signIn('hd.agent', 'right', 'nope').expect(400);
    expect(unknown.body.message[0]).toMatch(/^storeId/);
    expect(calls).toEqual(['hd.agent/right']);
    expect(await recorded()).toEqual([]); // bad input records nothing
  });

  it('rate-limits an account after 5 failed sign-ins, before asking the directory again', async () => {
    for (let i = 0; i < 5; i++) await signIn('hd.agent', `wrong${i}`).expect(401);
    const limited = await signIn('hd.agent', 'right').expect(429);
    expect(limited.body.retryAfterSeconds).toBeGreaterThan(0);
    expect(calls).toHaveLength(5);
    await signIn('hd.admin', 'whatever').expect(401); // other accounts are not affected
  });
});
