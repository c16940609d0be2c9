import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../src/event-store/event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { auditProjection } from '../../src/projections/audit.projection';
import { describe as sentence } from '../../src/projections/describe';
import { historyFor, historyProjection } from '../../src/projections/history.projection';
import { openReadModelDb } from '../../src/projections/projection';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { ADMIN_KEY, appendAll, CAROL_KEY, CAROL_LDAP_KEY, COMMENT, HANNA_KEY, scenario, TICKET } from './scenario';

const STORES: Record<string, string> = { 'corp-ad': 'Corp AD', ldap: 'Example LDAP' };
const storeName = (id: string) => STORES[id];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const store = new SqliteEventStore({ file: ':memory:' });
  const db = openReadModelDb(':memory:');
  const runner = new ProjectionRunner(store, db, [historyProjection, auditProjection], { batchSize: 7 });
  cleanups.push(async () => {
    await runner.stop();
    db.close();
    await store.close();
  });
  await appendAll(store, scenario());
  await runner.catchUp();
  return { store, db, runner };
}

const dump = (db: DatabaseSync, table: string) =>
  JSON.stringify(db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all(), (_k, v) =>
    typeof v === 'bigint' ? v.toString() : v,
  );

const summaries = (db: DatabaseSync, key: string, asActor = false) =>
  historyFor(db, { key, asActor, limit: 100 }).entries.map((e) =>
    sentence(
      {
        ...e,
        actor: e.actor?.id ?? null,
        actorName: e.actor?.displayName ?? null,
        subject: e.subject?.key ?? null,
        subjectName: e.subject?.displayName ?? null,
        store: e.storeId,
      },
      storeName,
    ),
  );

describe('history projection over the real event shapes', () => {
  it("gives a user's helpdesk history, newest first, with readable sentences", async () => {
    const { db } = await setup();
    expect(summaries(db, CAROL_KEY).reverse()).toEqual([
      // Nobody has named the administrator or Carol yet: their keys stand in for names.
      `${ADMIN_KEY} enrolled ${CAROL_KEY} in security questions via import`,
      `The system enrolled ${CAROL_KEY} in e-mail code (c***@example.test) via directory`,
      'Hanna Agent opened a case for Carol Jones in Corp AD',
      'Carol Jones answered security question "Birth city?" wrongly',
      'Carol Jones answered security question "First pet?" correctly',
      'Hanna Agent sent an e-mail code to Carol Jones at c***@example.test',
      'Carol Jones gave a wrong e-mail code (Wrong code)',
      'Carol Jones confirmed the e-mail code',
      'Hanna Agent authenticated Carol Jones with security questions, e-mail code',
      'Hanna Agent requested an unlock of Carol Jones in Corp AD',
      'Hanna Agent requested an unlock of carol in Example LDAP',
      'Hanna Agent unlocked Carol Jones in Corp AD (read back: not locked)',
      "Hanna Agent's unlock of carol in Example LDAP failed: The directory accepted the unlock but the account still reads back as locked (read back: still locked)",
      'Hanna Agent closed the case for Carol Jones (done)',
      'Hanna Agent opened a case for Carol Jones in Corp AD',
      'Carol Jones gave a wrong authenticator code (Wrong code)',
      'Verification of Carol Jones was locked until 2030-01-01T09:15:21.000Z',
      'A verification of Carol Jones was refused: Verification for this user is locked after too many wrong answers; try again later',
      "Hanna Agent's unlock of Carol Jones in Corp AD was refused: The user has not been authenticated to your role's helpdesk policy in this case",
    ]);
  });

  it('maps every field of an unlock outcome: actor, subject, store, types, outcome, ticket, comment, request facts', async () => {
    const { db } = await setup();
    const entries = historyFor(db, { key: CAROL_KEY, limit: 100 }).entries;
    const unlocked = entries.find((e) => e.action === 'unlock.succeeded');
    expect(unlocked).toEqual({
      position: expect.any(String),
      eventId: expect.any(String),
      type: 'AccountUnlocked',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      action: 'unlock.succeeded',
      actor: { id: HANNA_KEY, displayName: 'Hanna Agent' },
      subject: {
        key: CAROL_KEY,
        storeId: 'corp-ad',
        userId: 'c0ffee00-0000-4000-8000-00000000000c',
        displayName: 'Carol Jones',
      },
      storeId: 'corp-ad',
      authenticationTypes: ['securityQuestions', 'email'],
      outcome: 'success',
      reasonCode: null,
      reason: null,
      caseId: 'c1',
      ticket: TICKET,
      comment: COMMENT,
      client: 'admin',
      ip: '192.0.2.10',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140',
      correlationId: 'corr-1',
      details: { linked: false, readBack: 'notLocked', reconciled: false, directoryMessage: null },
    });
    const refused = entries.find((e) => e.action === 'unlock.refused');
    expect(refused).toMatchObject({
      outcome: 'refused',
      reasonCode: 'unlock.notAuthenticated',
      ticket: 'INC-43',
      comment: null,
      caseId: 'c2',
    });
    const attempts = entries.filter((e) => e.action.startsWith('verification.'));
    expect(attempts.map((e) => [e.action, e.authenticationTypes.join('+'), e.outcome]).reverse()).toEqual([
      ['verification.securityQuestion', 'securityQuestions', 'failure'],
      ['verification.securityQuestion', 'securityQuestions', 'success'],
      ['verification.codeSent', 'email', 'success'],
      ['verification.code', 'email', 'failure'],
      ['verification.code', 'email', 'success'],
      ['verification.authenticator', 'authenticator', 'failure'],
      ['verification.locked', '', 'locked'],
      ['verification.refused', 'securityQuestions', 'refused'],
    ]);
  });

  it("shows a linked account's unlock in both accounts' histories", async () => {
    const { db } = await setup();
    expect(summaries(db, CAROL_LDAP_KEY).reverse()).toEqual([
      'Hanna Agent requested an unlock of carol in Example LDAP',
      "Hanna Agent's unlock of carol in Example LDAP failed: The directory accepted the unlock but the account still reads back as locked (read back: still locked)",
    ]);
    const linked = historyFor(db, { key: CAROL_LDAP_KEY }).entries[0];
    expect(linked).toMatchObject({ details: expect.objectContaining({ linked: true }), ticket: TICKET });
  });

  it("gives an agent's history: what they did, their sign-ins and failed sign-ins", async () => {
    const { db } = await setup();
    const mine = summaries(db, HANNA_KEY, true);
    expect(mine[0]).toBe('Hanna Agent signed out');
    expect(mine[1]).toBe('Sign-in as Hanna to Corp AD failed: wrong username or password');
    expect(mine.at(-1)).toBe('Hanna Agent signed in to Corp AD');
    expect(mine).toContain('Hanna Agent unlocked Carol Jones in Corp AD (read back: not locked)');
    // Carol's answers are facts about Carol, done in Hanna's case: Hanna is their actor.
    expect(historyFor(db, { key: HANNA_KEY, asActor: true, limit: 500 }).entries).toHaveLength(20);
    const failed = historyFor(db, { key: HANNA_KEY, asActor: true }).entries[1];
    expect(failed).toMatchObject({
      action: 'agent.signInFailed',
      actor: { id: 'anonymous:192.0.2.99' },
      subject: { key: HANNA_KEY, displayName: 'Hanna Agent' },
      outcome: 'failure',
      reasonCode: 'invalid-credentials',
      authenticationTypes: ['password'],
      ip: '192.0.2.99',
    });
  });

  it('pages with a position cursor', async () => {
    const { db } = await setup();
    const all = historyFor(db, { key: CAROL_KEY, limit: 100 }).entries;
    const first = historyFor(db, { key: CAROL_KEY, limit: 5 });
    expect(first.more).toBe(true);
    const second = historyFor(db, { key: CAROL_KEY, limit: 5, before: BigInt(first.entries[4].position) });
    expect([...first.entries, ...second.entries].map((e) => e.position)).toEqual(
      all.slice(0, 10).map((e) => e.position),
    );
    const last = historyFor(db, { key: CAROL_KEY, limit: 100, before: BigInt(all[all.length - 2].position) });
    expect(last).toEqual({ entries: [all[all.length - 1]], more: false });
  });

  it('keeps no answer hash, code hash or contact detail in clear in the history tables', async () => {
    const { db } = await setup();
    const text = dump(db, 'history') + dump(db, 'history_cases') + dump(db, 'history_people');
    expect(text).not.toMatch(/scrypt|hmac-sha256|carol\.jones@/);
  });

  it('is idempotent and a rebuild reproduces identical rows', async () => {
    const { store, db, runner } = await setup();
    const before = ['history', 'history_people_index', 'audit'].map((t) => dump(db, t));
    const all: RecordedEvent[] = [];
    for await (const e of store.readAll()) all.push(e);
    // Replaying every applied event (bypassing the checkpoint) changes nothing.
    db.exec('BEGIN');
    for (const e of all) {
      historyProjection.apply(db, e);
      auditProjection.apply(db, e);
    }
    db.exec('COMMIT');
    expect(['history', 'history_people_index', 'audit'].map((t) => dump(db, t))).toEqual(before);
    await runner.rebuild('all');
    expect(['history', 'history_people_index', 'audit'].map((t) => dump(db, t))).toEqual(before);
  });

  it('reads the case and people context from its tables when its caches are cold (a restart between events)', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    const stepwise = openReadModelDb(':memory:');
    const oneGo = openReadModelDb(':memory:');
    cleanups.push(async () => {
      stepwise.close();
      oneGo.close();
      await store.close();
    });
    // One event per catch-up: each catchUp re-initialises the projections, so every event starts with cold caches.
    const runner = new ProjectionRunner(store, stepwise, [historyProjection, auditProjection], { batchSize: 7 });
    for (const b of scenario()) {
      for (const e of b.events) {
        await store.append(b.stream, [e]);
        await runner.catchUp();
      }
    }
    await new ProjectionRunner(store, oneGo, [historyProjection, auditProjection], { batchSize: 7 }).catchUp();
    const tables = ['history', 'history_people_index', 'audit'];
    expect(tables.map((t) => dump(stepwise, t))).toEqual(tables.map((t) => dump(oneGo, t)));
  });

  it('replays a rolled-back batch to the same rows (caches forget what the rolled-back events wrote)', async () => {
    const { store, db: clean } = await setup();
    const tables = ['history', 'history_people_index', 'audit'];
    const expected = tables.map((t) => dump(clean, t));
    const head = Number(await store.headPosition());
    for (let failAt = 2; failAt <= head; failAt += 3) {
      const db = openReadModelDb(':memory:');
      let failed = false;
      const failing = (p: typeof historyProjection): typeof historyProjection => ({
        ...p,
        apply(d: DatabaseSync, e: RecordedEvent) {
          p.apply(d, e);
          if (!failed && p === auditProjection && Number(e.position) === failAt) {
            failed = true;
            throw new Error('disk full');
          }
        },
      });
      const runner = new ProjectionRunner(store, db, [failing(historyProjection), failing(auditProjection)], {
        batchSize: 7,
      });
      await runner.catchUp('history');
      await expect(runner.catchUp('audit')).rejects.toThrow('disk full');
      await runner.catchUp('audit');
      expect(tables.map((t) => dump(db, t))).toEqual(expected);
      db.close();
    }
  });
});
