/**
 * A Nest application with the history, audit and health APIs over the embedded event store (in memory), the real
 * projection runner, real agent sessions (a scripted directory behind sign-in) and the real PermissionGuard with
 * roles given by the test.
 */
import { Global, type INestApplication, Module, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuditController } from '../../src/audit/audit.controller';
import { AuditService } from '../../src/audit/audit.service';
import type { IdentityStore } from '../../src/directory/identity-store';
import { IdentityStoreRegistry } from '../../src/directory/identity-store.registry';
import type { EventStore } from '../../src/event-store/event-store';
import { EVENT_STORE } from '../../src/event-store/event-store.module';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { HealthController } from '../../src/health/health.controller';
import { HEALTH_PROBE_OPTIONS, HealthService } from '../../src/health/health.service';
import { HistoryController } from '../../src/history/history.controller';
import { HistoryService } from '../../src/history/history.service';
import { ReadModelNames } from '../../src/history/read-model-names';
import { AccessService, accessFor, type RoleView } from '../../src/policy/access.service';
import { PermissionGuard } from '../../src/policy/require-permission';
import type { Permission } from '../../src/policy/role';
import { auditProjection } from '../../src/projections/audit.projection';
import { historyProjection } from '../../src/projections/history.projection';
import { openReadModelDb } from '../../src/projections/projection';
import { ProjectionHost } from '../../src/projections/projection-host';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { AGENT_DIRECTORY, type AgentDirectory } from '../../src/session/agent-directory';
import { SessionModule } from '../../src/session/session.module';
import { DomainExceptionFilter } from '../../src/shared/http/domain-exception.filter';

export const role = (
  name: string,
  group: string,
  permissions: Permission[],
  priority = 10,
  storeIds: string[] = ['*'],
): RoleView => ({
  roleId: name.toLowerCase(),
  name,
  priority,
  mappedGroups: [{ storeId: 'corp-ad', group }],
  permissions,
  scope: { storeIds },
  policy: { mode: 'restricted', requiredTypes: 1, minSecurityQuestions: 0 },
  revision: 0,
  updatedAt: '2030-01-01T00:00:00.000Z',
});

/** The OU of the `Staff desk` role's scope (base DN). */
export const STAFF_OU = 'OU=Staff,DC=corp,DC=example';

export const ROLES: RoleView[] = [
  role('Auditors', 'Auditors', ['ViewAudit', 'ViewHistory'], 20),
  role('Helpdesk', 'Helpdesk Agents', ['UnlockAccount', 'ViewHistory']),
  role('Trainees', 'Trainees', ['UnlockAccount']),
  role('Ldap desk', 'Ldap Desk', ['UnlockAccount', 'ViewHistory'], 5, ['ldap']),
  {
    ...role('Staff desk', 'Staff Desk', ['ViewHistory'], 5, ['corp-ad']),
    scope: { storeIds: ['corp-ad'], baseDns: [STAFF_OU] },
  },
];

/** Agents by username: `audrey` (Auditors), `hanna` (Helpdesk), `tim` (Trainees: no View History), `lena` (Ldap desk:
 * View History, scoped to the `ldap` store only), `stella` (Staff desk: View History in corp-ad's Staff OU only). */
const AGENTS: Record<string, { userId: string; displayName: string; groups: string[] }> = {
  audrey: { userId: 'aud17000-0000-4000-8000-000000000001', displayName: 'Audrey Auditor', groups: ['Auditors'] },
  hanna: { userId: 'a1b2c3d4-0000-4000-8000-00000000000a', displayName: 'Hanna Agent', groups: ['Helpdesk Agents'] },
  tim: { userId: '71770000-0000-4000-8000-000000000001', displayName: 'Tim Trainee', groups: ['Trainees'] },
  lena: { userId: '1e7a0000-0000-4000-8000-000000000001', displayName: 'Lena Ldap', groups: ['Ldap Desk'] },
  stella: { userId: '57e1a000-0000-4000-8000-000000000001', displayName: 'Stella Staff', groups: ['Staff Desk'] },
};

const directory: AgentDirectory = {
  signInStores: () => [{ id: 'corp-ad', name: 'Corp AD', isDefault: true }],
  signIn: async (_storeId, username) => {
    const a = AGENTS[username];
    if (!a) return { outcome: 'invalid-credentials', message: '52e' };
    return { outcome: 'ok', agent: { storeId: 'corp-ad', dn: `CN=${a.displayName}`, username, ...a } };
  },
  refresh: async (agent) => ({ outcome: 'ok', agent }), // groups do not change here
};

@Module({ providers: [{ provide: AGENT_DIRECTORY, useValue: directory }], exports: [AGENT_DIRECTORY] })
class ScriptedDirectoryModule {}

export const fakeStore = (id: string, name: string, behaviour: () => Promise<unknown> = async () => undefined) =>
  ({
    id,
    name,
    type: 'active-directory',
    capabilities: { canSearch: true, canUnlock: true, canAuthenticate: true, notes: [] },
    findByUsername: behaviour,
    close: async () => undefined,
  }) as unknown as IdentityStore;

export interface Harness {
  app: INestApplication;
  store: EventStore;
  runner: ProjectionRunner;
  /** Signs in and returns the cookie header value. */
  signIn(username: keyof typeof AGENTS): Promise<string>;
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

export async function harness(
  options: { stores?: IdentityStore[]; probe?: { timeoutMs: number; cacheMs: number } } = {},
): Promise<Harness> {
  const store = new SqliteEventStore({ file: ':memory:' });
  const runner = new ProjectionRunner(store, openReadModelDb(':memory:'), [historyProjection, auditProjection]);
  const registry = IdentityStoreRegistry.of(
    options.stores ?? [fakeStore('corp-ad', 'Corp AD'), fakeStore('ldap', 'Example LDAP')],
  );

  @Global()
  @Module({
    providers: [
      { provide: EVENT_STORE, useValue: store },
      { provide: ProjectionHost, useValue: runner },
      { provide: IdentityStoreRegistry, useValue: registry },
      { provide: AccessService, useValue: { forAgent: async (agent: never) => accessFor(agent, ROLES) } },
      { provide: HEALTH_PROBE_OPTIONS, useValue: options.probe ?? { timeoutMs: 300, cacheMs: 0 } },
      PermissionGuard,
    ],
    exports: [EVENT_STORE, ProjectionHost, IdentityStoreRegistry, AccessService, PermissionGuard, HEALTH_PROBE_OPTIONS],
  })
  class InfrastructureModule {}

  const moduleRef = await Test.createTestingModule({
    imports: [InfrastructureModule, SessionModule.forRoot({ dataDir: ':memory:', directory: ScriptedDirectoryModule })],
    controllers: [HistoryController, AuditController, HealthController],
    providers: [HistoryService, AuditService, ReadModelNames, HealthService],
  }).compile();
  const app = moduleRef.createNestApplication();
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new DomainExceptionFilter()); // as createApp
  await app.init();
  await runner.start();

  return {
    app,
    store,
    runner,
    async signIn(username) {
      const res = await request(app.getHttpServer())
        .post('/api/session')
        .send({ username, password: 'pw' })
        .expect(200);
      return (res.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    },
    async caughtUp() {
      const head = await store.headPosition();
      if (head > 0n) await runner.waitFor(head);
    },
    async close() {
      await app.close();
      await runner.stop();
      runner.db.close();
      await store.close().catch(() => undefined); // a test may have closed it already
    },
  };
}
