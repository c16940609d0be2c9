import { Global, type INestApplication, Module, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { EventStore } from '../../src/event-store/event-store';
import { EVENT_STORE } from '../../src/event-store/event-store.module';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import {
  AGENT_DIRECTORY,
  type Agent,
  type AgentDirectory,
  type AgentRefreshResult,
  type AgentSignInResult,
} from '../../src/session/agent-directory';
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
/** How long the scripted directory takes to answer a bind (0: at once). */
let bindMs = 0;
/** What the directory says about a signed-in agent now (the session's groups are read again on every request). */
let refreshed: (agent: Agent) => AgentRefreshResult | Promise<AgentRefreshResult>;
const directory: AgentDirectory = {
  signInStores: () => [{ id: 'corp-ad', name: 'Corp AD', isDefault: true }],
  signIn: async (storeId, username, password) => {
    calls.push(`${username}/${password}`);
    if (bindMs) await new Promise((r) => setTimeout(r, bindMs)); // a directory that takes its time to answer
    if (storeId && storeId !== 'corp-ad') return { outcome: 'unknown-store', message: storeId };
    return (
      answers[`${username}/${password}`] ??
      answers[`${username}/any`] ?? { outcome: 'invalid-credentials', message: '52e' }
    );
  },
  refresh: async (a) => {
    calls.push(`refresh ${a.username}`);
    return refreshed(a);
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
    bindMs = 0;
    refreshed = (a) => ({ outcome: 'ok', agent: a });
    events = new SqliteEventStore({ file: ':memory:' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        MemoryEventStoreModule,
        SessionModule.forRoot({ dataDir: ':memory:', directory: ScriptedDirectoryModule, groupsRefreshSeconds: 0 }),
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

  it('a session cookie that is not valid percent-encoding is no session (401, not a server error)', async () => {
    const res = await request(app.getHttpServer()).get('/api/session').set('Cookie', 'ud_session=%E0%A4%A').expect(401);
    expect(res.body.reason).toBe('no-session');
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

  it('parallel guesses for one account cannot get past the limit (each attempt is counted before the bind)', async () => {
    bindMs = 50;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => signIn('hd.agent', `parallel${i}`).then((r) => r.status)),
    );
    expect(calls).toHaveLength(5);
    expect(answers.filter((s) => s === 401)).toHaveLength(5);
    expect(answers.filter((s) => s === 429)).toHaveLength(5);
    bindMs = 0;
  });

  it('a successful sign-in and an unreachable directory do not count towards the limit', async () => {
    for (let i = 0; i < 4; i++) await signIn('hd.agent', `wrong${i}`).expect(401);
    await signIn('hd.agent', 'right').expect(200); // resets the account's count
    for (let i = 0; i < 4; i++) await signIn('down', 'any').expect(503);
    await signIn('down', 'any').expect(503); // five unavailable answers, still not limited
  });

  describe('the session follows the directory (groups read again; here on every request)', () => {
    const signedIn = async () => {
      const res = await signIn('hd.agent', 'right').expect(200);
      return res.headers['set-cookie'][0].split(';')[0] as string;
    };
    const current = (cookie: string) => request(app.getHttpServer()).get('/api/session').set('Cookie', cookie);

    it('uses the groups the directory has now, and keeps them for the session', async () => {
      const cookie = await signedIn();
      refreshed = (a) => ({ outcome: 'ok', agent: { ...a, displayName: 'Hanna A.', groups: ['Sales'] } });
      const me = await current(cookie).expect(200);
      expect(me.body.agent).toEqual({ ...agent, displayName: 'Hanna A.', groups: ['Sales'] });
      expect(calls).toEqual(['hd.agent/right', 'refresh hd.agent']);
      refreshed = (a) => ({ outcome: 'ok', agent: a }); // what it was given: the stored (refreshed) agent
      expect((await current(cookie).expect(200)).body.agent.groups).toEqual(['Sales']);
    });

    it.each([
      ['disabled', 'the account is disabled in the directory'],
      ['locked', 'the account is locked in the directory'],
      ['gone', 'the account no longer exists in the directory'],
    ] as const)(
      'ends the session of a %s account: 401 session-ended, event recorded, session gone',
      async (outcome, message) => {
        const cookie = await signedIn();
        refreshed = () => ({ outcome, message });
        const res = await current(cookie).expect(401);
        expect(res.body).toEqual({
          statusCode: 401,
          reason: 'session-ended',
          message: 'Your directory account changed; sign in again.',
        });
        expect(res.headers['set-cookie']?.[0]).toMatch(/^ud_session=;/); // the cookie is dropped
        expect((await recorded()).at(-1)).toEqual({
          stream: 'agent-corp-ad-hd.agent',
          type: 'AgentSessionEnded',
          actor: 'system',
          data: {
            subject: { storeId: 'corp-ad', userId: 'g1' },
            username: 'hd.agent',
            reason: outcome,
            detail: message,
          },
        });
        refreshed = (a) => ({ outcome: 'ok', agent: a });
        expect((await current(cookie).expect(401)).body.reason).toBe('no-session');
      },
    );

    it('lets the request through with the groups it has when the directory is unavailable, and backs off', async () => {
      const cookie = await signedIn();
      refreshed = () => ({ outcome: 'unavailable', message: 'ECONNREFUSED' });
      expect((await current(cookie).expect(200)).body.agent).toEqual(agent);
      // Each try waits for the directory's timeout: during an outage it is not repeated on every request (>= 10 s).
      await current(cookie).expect(200);
      expect(calls.filter((c) => c.startsWith('refresh'))).toHaveLength(1);
      expect((await recorded()).map((e) => e.type)).toEqual(['AgentSignedIn']);
    });

    it('makes one directory check for concurrent requests of a session', async () => {
      const cookie = await signedIn();
      let answer: () => void = () => undefined;
      refreshed = (a) =>
        new Promise((resolve) => {
          answer = () => resolve({ outcome: 'ok', agent: { ...a, groups: [] } });
        });
      const pending = [current(cookie), current(cookie), current(cookie)].map((r) => r.then((res) => res));
      await new Promise((r) => setTimeout(r, 50));
      answer();
      const answers = await Promise.all(pending);
      expect(answers.map((r) => [r.status, r.body.agent.groups])).toEqual([
        [200, []],
        [200, []],
        [200, []],
      ]);
      expect(calls.filter((c) => c.startsWith('refresh'))).toHaveLength(1);
    });
  });
});
