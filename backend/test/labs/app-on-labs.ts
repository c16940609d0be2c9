/**
 * The whole application on the real labs, for API integration tests: writes a configuration file for the labs, points
 * the environment at it (embedded event store in a fresh directory), starts the application as createApp builds it
 * (or AppModule with some providers overridden), and signs agents in with their own directory passwords.
 *
 *   const lab = await appOnLabs('break-glass', (dataDir) => ({ dataDir, identityStores: [...], roles }), { AD_BIND_PW });
 *   const admin = await lab.signIn('hd.admin', 'AdminPass1!');
 *   await lab.as(admin).post(`/api/users/ad/${id}/unlock`, {}, { 'Idempotency-Key': 'k1' }).expect(200);
 *   await lab.close();
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { stringify } from 'yaml';
import { configureApp, createApp } from '../../src/app';
import { AppModule } from '../../src/app.module';
import type { EventStore, RecordedEvent } from '../../src/event-store/event-store';
import { EVENT_STORE } from '../../src/event-store/event-store.module';

/** The helpdesk roles the API tests configure (bootstrap roles; groups of the Samba AD lab, stores `ad` and `ldap`). */
export const HELPDESK_TEST_ROLES = [
  {
    roleId: 'administrator',
    name: 'Administrator',
    priority: 100,
    mappedGroups: [{ storeId: 'ad', group: 'Unlock Desk Admins' }],
    permissions: ['UnlockAccount', 'UnlockAnyAccount', 'ViewHistory', 'ViewAudit', 'ManageRoles'],
    scope: { storeIds: ['*'] },
    policy: { mode: 'unrestricted', requiredTypes: 1, minSecurityQuestions: 0 },
  },
  {
    // hd.tier2 (nested in Helpdesk Agents too): unrestricted, but without Unlock Any Account.
    roleId: 'tier2',
    name: 'Tier 2',
    priority: 20,
    mappedGroups: [{ storeId: 'ad', group: 'Helpdesk Tier2' }],
    permissions: ['UnlockAccount', 'ViewHistory'],
    scope: { storeIds: ['ad', 'ldap'] },
    policy: { mode: 'unrestricted', requiredTypes: 1, minSecurityQuestions: 0 },
  },
  {
    // hd.agent: restricted, three types (two questions, e-mail code, authenticator).
    roleId: 'helpdesk-agent',
    name: 'Helpdesk agent',
    priority: 10,
    mappedGroups: [{ storeId: 'ad', group: 'Helpdesk Agents' }],
    permissions: ['UnlockAccount', 'ViewHistory'],
    scope: { storeIds: ['ad', 'ldap'] },
    policy: { mode: 'restricted', requiredTypes: 3, minSecurityQuestions: 2 },
  },
];

export type TestAgent = { cookie: string; csrf: string; userId: string; displayName: string };

export type AppOnLabsOptions = {
  /** Environment variables the configuration's secrets name (e.g. AD_BIND_PW). */
  env?: Record<string, string>;
  /** Providers to override in AppModule (e.g. the session's groups refresh interval). */
  overrides?: { provide: unknown; useValue: unknown }[];
};

export type AppOnLabs = {
  readonly app: INestApplication;
  readonly dir: string;
  http(): ReturnType<typeof request>;
  /** Signs in through the API (default store `ad`). */
  signIn(username: string, password: string, storeId?: string): Promise<TestAgent>;
  /** Requests as the agent: their cookie, the CSRF header on changes, and a User-Agent naming the test file. */
  as(agent: TestAgent): {
    get(url: string): request.Test;
    post(url: string, body?: unknown, headers?: Record<string, string>): request.Test;
    delete(url: string): request.Test;
  };
  /** Every event in the store, in order. */
  events(): Promise<RecordedEvent[]>;
  /** Stops the application and starts it again on the same data (a restart). */
  restart(): Promise<void>;
  /** Stops the application, removes its data and restores the environment. */
  close(): Promise<void>;
};

export async function appOnLabs(
  name: string,
  config: (dataDir: string) => Record<string, unknown>,
  options: AppOnLabsOptions = {},
): Promise<AppOnLabs> {
  const saved = { ...process.env };
  const dir = await mkdtemp(join(tmpdir(), `unlockdesk-${name}-`));
  await writeFile(join(dir, 'config.yaml'), stringify(config(join(dir, 'data'))));
  process.env.UNLOCKDESK_CONFIG = join(dir, 'config.yaml');
  for (const [k, v] of Object.entries(options.env ?? {})) process.env[k] = v;
  delete process.env.UNLOCKDESK_DATA_DIR;
  delete process.env.UNLOCKDESK_EVENTSTORE_URL;

  const start = async (): Promise<INestApplication> => {
    const overrides = options.overrides ?? [];
    if (overrides.length === 0) {
      const created = await createApp();
      await created.init();
      return created;
    }
    let builder = Test.createTestingModule({ imports: [AppModule] });
    for (const o of overrides) builder = builder.overrideProvider(o.provide).useValue(o.useValue);
    const created = configureApp((await builder.compile()).createNestApplication<NestExpressApplication>());
    await created.init();
    return created;
  };

  let app = await start();
  const userAgent = `${name}-int-spec/1.0`;
  const http = () => request(app.getHttpServer());
  return {
    get app() {
      return app;
    },
    dir,
    http,
    async signIn(username, password, storeId = 'ad') {
      const res = await http().post('/api/session').send({ username, password, storeId });
      if (res.status !== 200) throw new Error(`sign-in of ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      return {
        cookie: (res.headers['set-cookie'] as unknown as string[])[0]?.split(';')[0] as string,
        csrf: res.body.csrfToken,
        userId: res.body.agent.userId,
        displayName: res.body.agent.displayName,
      };
    },
    as: (agent) => ({
      get: (url) => http().get(url).set('Cookie', agent.cookie).set('User-Agent', userAgent),
      post: (url, body = {}, headers = {}) => {
        let r = http()
          .post(url)
          .set('Cookie', agent.cookie)
          .set('X-CSRF-Token', agent.csrf)
          .set('User-Agent', userAgent);
        for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
        return r.send(body as object);
      },
      delete: (url) =>
        http().delete(url).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).set('User-Agent', userAgent),
    }),
    async events() {
      const out: RecordedEvent[] = [];
      for await (const e of app.get<EventStore>(EVENT_STORE).readAll()) out.push(e);
      return out;
    },
    async restart() {
      await app.close();
      app = await start();
    },
    async close() {
      await app.close();
      await rm(dir, { recursive: true, force: true });
      process.env = saved;
    },
  };
}
