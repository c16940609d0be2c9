import { SqliteEventStore } from '../event-store/sqlite-event-store';
import type { Agent, AgentDirectory, AgentRefreshResult } from './agent-directory';
import { SessionService } from './session.service';
import { SessionStore } from './session-store';

const agent: Agent = {
  storeId: 'ad',
  userId: 'u1',
  dn: 'CN=A',
  username: 'hd.agent',
  displayName: 'Hanna',
  groups: ['G'],
};
const ctx = { ip: '127.0.0.1', userAgent: 'spec' };

/** Every string key of every Map the service keeps (its in-memory state per session). */
const mapKeys = (service: SessionService): string[] =>
  Object.values(service as unknown as Record<string, unknown>).flatMap((v) =>
    v instanceof Map ? [...v.keys()].filter((k): k is string => typeof k === 'string') : [],
  );

describe('SessionService memory', () => {
  let events: SqliteEventStore;
  let store: SessionStore;
  let service: SessionService;
  let answer: (r: AgentRefreshResult) => void;
  beforeEach(() => {
    events = new SqliteEventStore({ file: ':memory:' });
    store = new SessionStore(':memory:', { idleMs: 30 * 60_000, absoluteMs: 8 * 3600_000 });
    const directory: AgentDirectory = {
      signInStores: () => [],
      signIn: async () => ({ outcome: 'ok', agent }),
      refresh: () => new Promise<AgentRefreshResult>((resolve) => (answer = resolve)),
    };
    service = new SessionService(directory, store, events, 0);
  });
  afterEach(async () => {
    service.onModuleDestroy();
    await events.close();
  });

  it('keeps no raw session token in its maps (checked-at and checks under way are keyed by its hash)', async () => {
    const { token } = await service.signIn('ad', 'hd.agent', 'pw', ctx);
    expect(mapKeys(service).length).toBeGreaterThan(0); // the sign-in counts as a check
    expect(mapKeys(service)).not.toContain(token);
    const resumed = service.resumeChecked(token, ctx);
    await new Promise((r) => setImmediate(r));
    expect(mapKeys(service).length).toBeGreaterThan(1); // the check under way
    expect(mapKeys(service)).not.toContain(token);
    answer({ outcome: 'ok', agent });
    expect((await resumed)?.agent).toEqual(agent);
    expect(mapKeys(service)).not.toContain(token);
  });
});
