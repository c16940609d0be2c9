import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Global, type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { EventStore } from '../../src/event-store/event-store';
import { EVENT_STORE, EventStoreModule } from '../../src/event-store/event-store.module';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { auditProjection } from '../../src/projections/audit.projection';
import { historyProjection } from '../../src/projections/history.projection';
import { ProjectionHost } from '../../src/projections/projection-host';
import { SESSION_CHECK } from '../../src/session/session-check';

/** A session check that knows one token, global like SessionModule (the health details are for signed-in agents). */
@Global()
@Module({
  providers: [{ provide: SESSION_CHECK, useValue: { peek: (token: string) => (token === 'agent' ? {} : undefined) } }],
  exports: [SESSION_CHECK],
})
class OneSession {}

describe('EventStoreModule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unlockdesk-module-'));
  let app: INestApplication;
  let store: EventStore;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      // History and audit only: this is about the module; the other read models have their own tests.
      imports: [
        EventStoreModule.forRoot({ dataDir: dir, projections: [historyProjection, auditProjection] }),
        OneSession,
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    app.setGlobalPrefix('api');
    await app.init();
    store = app.get(EVENT_STORE);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('provides the embedded store in the data dir and runs the projections from it', async () => {
    expect(store).toBeInstanceOf(SqliteEventStore);
    const r = await store.append('case-1', [
      { type: 'AccountUnlocked', data: { subject: 'corp:jdoe' }, metadata: { actor: 'agent-1' } },
    ]);
    const runner = app.get(ProjectionHost);
    await runner.waitFor(r.position);
    expect(runner.db.prepare('SELECT subject, actor FROM history').all()).toEqual([
      { subject: 'corp:jdoe', actor: 'agent-1' },
    ]);
  });

  it('GET /api/health/projections reports position, head, lag and caught-up per projection', async () => {
    const res = await request(app.getHttpServer())
      .get('/api/health/projections')
      .set('Cookie', 'ud_session=agent')
      .expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      projections: [
        expect.objectContaining({ name: 'history', position: '1', head: '1', lag: 0, caughtUp: true, status: 'live' }),
        expect.objectContaining({ name: 'audit', position: '1', head: '1', lag: 0, caughtUp: true, status: 'live' }),
      ],
    });
    // Without a session: status only, no positions or errors.
    const anonymous = await request(app.getHttpServer()).get('/api/health/projections').expect(200);
    expect(anonymous.body).toEqual({
      status: 'ok',
      projections: [
        { name: 'history', status: 'live', caughtUp: true, rebuilding: false },
        { name: 'audit', status: 'live', caughtUp: true, rebuilding: false },
      ],
    });
  });

  it('closes the store and stops the projections on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventStoreModule.forRoot({ dataDir: join(dir, 'second') })],
    }).compile();
    const second = moduleRef.createNestApplication();
    await second.init();
    const s = second.get<EventStore>(EVENT_STORE);
    await second.close();
    await expect(s.append('x', [{ type: 'A', data: {} }])).rejects.toThrow('closed');
    expect(
      (await second
        .get(ProjectionHost)
        .health()
        .catch((e: Error) => e.message)) as string,
    ).toMatch(/closed/);
  });
});
