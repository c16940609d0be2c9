import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { CSV_COLUMNS } from '../../src/audit/audit-export';
import { type IdentityStore, StoreUnavailableError } from '../../src/directory/identity-store';
import { GENESIS_HASH } from '../../src/projections/audit-chain';
import { appendAll, CAROL_KEY, CAROL_LDAP_KEY, COMMENT, HANNA_KEY, scenario, TICKET } from '../history/scenario';
import { fakeStore as fakeDown, type Harness, harness, STAFF_OU } from './support';

const VERIFIER = join(__dirname, '..', '..', 'scripts', 'verify-audit-export.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'unlockdesk-audit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** RFC 4180 parser (quoted fields with commas, quotes and line breaks), for checking what the export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

const verify = (file: string) => {
  const r = spawnSync(process.execPath, [VERIFIER, file], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

describe('audit and history API', () => {
  let h: Harness;
  let auditor: string;
  let hanna: string;
  let tim: string;
  beforeAll(async () => {
    h = await harness();
    auditor = await h.signIn('audrey');
    hanna = await h.signIn('hanna');
    tim = await h.signIn('tim');
    await appendAll(h.store, scenario());
    await h.caughtUp();
  });
  afterAll(() => h.close());

  const get = (path: string, cookie: string) => request(h.app.getHttpServer()).get(path).set('Cookie', cookie);

  describe('GET /api/users/:storeId/:userId/history', () => {
    it('returns the user history newest first with every field and a readable sentence', async () => {
      const res = await get(`/api/users/corp-ad/${CAROL_KEY.split(':')[1]}/history?limit=100`, hanna).expect(200);
      expect(res.body.nextCursor).toBeNull();
      const items = res.body.items as Array<Record<string, unknown>>;
      expect(items).toHaveLength(19);
      const unlocked = items.find((i) => i.action === 'unlock.succeeded');
      expect(unlocked).toMatchObject({
        summary: 'Hanna Agent unlocked Carol Jones in Corp AD (read back: not locked)',
        storeId: 'corp-ad',
        storeName: 'Corp AD',
        actor: { id: HANNA_KEY, displayName: 'Hanna Agent' },
        subject: { key: CAROL_KEY, displayName: 'Carol Jones' },
        authenticationTypes: ['securityQuestions', 'email'],
        outcome: 'success',
        ticket: TICKET,
        comment: COMMENT,
        caseId: 'c1',
        client: 'admin',
        ip: '192.0.2.10',
      });
      expect(Date.parse(items[0].time as string)).toBeGreaterThanOrEqual(Date.parse(items[18].time as string));
    });

    it('pages with nextCursor/before', async () => {
      const path = `/api/users/corp-ad/${CAROL_KEY.split(':')[1]}/history`;
      const all = (await get(`${path}?limit=100`, hanna).expect(200)).body.items;
      const seen: string[] = [];
      let before: string | null = null;
      do {
        const res: request.Response = await get(`${path}?limit=4${before ? `&before=${before}` : ''}`, hanna).expect(
          200,
        );
        seen.push(...res.body.items.map((i: { position: string }) => i.position));
        before = res.body.nextCursor;
      } while (before);
      expect(seen).toEqual(all.map((i: { position: string }) => i.position));
    });

    it('answers 400 naming the field for a bad limit or cursor, an unknown parameter', async () => {
      const path = `/api/users/corp-ad/x/history`;
      expect((await get(`${path}?limit=0`, hanna).expect(400)).body.message.join()).toMatch(/^limit/);
      expect((await get(`${path}?limit=abc`, hanna).expect(400)).body.message.join()).toMatch(/limit/);
      expect((await get(`${path}?before=yesterday`, hanna).expect(400)).body.message.join()).toMatch(/^before/);
      expect((await get(`${path}?sort=asc`, hanna).expect(400)).body.message.join()).toMatch(/sort/);
    });

    it('needs a session (401) and View History (403)', async () => {
      await request(h.app.getHttpServer()).get('/api/users/corp-ad/x/history').expect(401);
      const res = await get('/api/users/corp-ad/x/history', tim).expect(403);
      expect(res.body).toMatchObject({ reason: 'permission', required: ['ViewHistory'] });
    });

    it("shows a linked account's unlock in that account's history", async () => {
      const res = await get(`/api/users/ldap/${CAROL_LDAP_KEY.split(':')[1]}/history`, hanna).expect(200);
      expect(res.body.items.map((i: { action: string }) => i.action)).toEqual(['unlock.failed', 'unlock.requested']);
      expect(res.body.items[0].storeName).toBe('Example LDAP');
    });
  });

  describe('GET /api/agents/:storeId/:userId/history', () => {
    it("gives an agent's own actions to View History holders and to the agent themself", async () => {
      const path = `/api/agents/corp-ad/${HANNA_KEY.split(':')[1]}/history?limit=3`;
      const own = await get(path, hanna).expect(200);
      expect(own.body.items.map((i: { action: string }) => i.action)).toEqual([
        'agent.signedOut',
        'agent.signInFailed',
        'unlock.refused',
      ]);
      await get(path, auditor).expect(200);
    });

    it('refuses another agent without View History (403), but lets them see their own', async () => {
      await get(`/api/agents/corp-ad/${HANNA_KEY.split(':')[1]}/history`, tim).expect(403);
      const mine = await get('/api/agents/corp-ad/71770000-0000-4000-8000-000000000001/history', tim).expect(200);
      expect(mine.body.items.map((i: { summary: string }) => i.summary)).toEqual(['Tim Trainee signed in to Corp AD']);
    });
  });

  describe('GET /api/audit/events', () => {
    it('lists every event newest first with its chain link', async () => {
      const res = await get('/api/audit/events?limit=1000', auditor).expect(200);
      const items = res.body.items as Array<{ seq: number; hash: string; prevHash: string; type: string }>;
      expect(items).toHaveLength(26); // 3 sign-ins + 23 scenario events
      expect(items.at(-1)).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, type: 'AgentSignedIn' });
      for (let i = 0; i < items.length - 1; i++) expect(items[i].prevHash).toBe(items[i + 1].hash);
    });

    it.each([
      ['actor', `actor=${encodeURIComponent(HANNA_KEY)}&action=unlock.succeeded`, ['unlock.succeeded']],
      [
        'subject + outcome',
        `subject=${encodeURIComponent(CAROL_KEY)}&outcome=refused`,
        ['unlock.refused', 'verification.refused'],
      ],
      ['store', 'store=ldap', ['unlock.failed', 'unlock.requested']],
      ['outcome', 'outcome=locked', ['verification.locked']],
      ['time range', 'from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z', []],
    ])('filters by %s', async (_name, query, actions) => {
      const res = await get(`/api/audit/events?${query}`, auditor).expect(200);
      expect(res.body.items.map((i: { action: string }) => i.action)).toEqual(actions);
    });

    it('filters by time: from is inclusive, to exclusive', async () => {
      const all = (await get('/api/audit/events?limit=1000', auditor).expect(200)).body.items;
      const t = all[5].time;
      const res = await get(`/api/audit/events?to=${encodeURIComponent(t)}&limit=1000`, auditor).expect(200);
      expect(res.body.items.every((i: { time: string }) => i.time < t)).toBe(true);
      const from = await get(`/api/audit/events?from=${encodeURIComponent(t)}&limit=1000`, auditor).expect(200);
      expect(from.body.items.every((i: { time: string }) => i.time >= t)).toBe(true);
      expect(res.body.items.length + from.body.items.length).toBe(all.length);
    });

    it('pages with cursor', async () => {
      const all = (await get('/api/audit/events?limit=1000', auditor).expect(200)).body.items;
      const first = await get('/api/audit/events?limit=10', auditor).expect(200);
      const second = await get(`/api/audit/events?limit=10&cursor=${first.body.nextCursor}`, auditor).expect(200);
      expect([...first.body.items, ...second.body.items].map((i: { seq: number }) => i.seq)).toEqual(
        all.slice(0, 20).map((i: { seq: number }) => i.seq),
      );
    });

    it.each([
      ['from=yesterday', 'from'],
      ['to=2030-13-01', 'to'],
      ['outcome=great', 'outcome'],
      ['action=DROP%20TABLE', 'action'],
      ['limit=5000', 'limit'],
      ['cursor=-1', 'cursor'],
      ['color=red', 'color'],
    ])('answers 400 naming the field for %s', async (query, field) => {
      const res = await get(`/api/audit/events?${query}`, auditor).expect(400);
      expect(res.body.message.join(' ')).toContain(field);
    });

    it('needs View Audit (403 for a helpdesk agent)', async () => {
      const res = await get('/api/audit/events', hanna).expect(403);
      expect(res.body).toMatchObject({ reason: 'permission', required: ['ViewAudit'] });
      await get('/api/audit/export', hanna).expect(403);
      await get('/api/audit/verify', hanna).expect(403);
    });
  });

  describe('GET /api/audit/export', () => {
    it('streams CSV with a header row and RFC 4180 quoting of commas, quotes, line breaks and unicode', async () => {
      const res = await get('/api/audit/export?format=csv', auditor).buffer(true).expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-.*\.csv"$/);
      const text = res.text;
      expect(text.startsWith('\uFEFF')).toBe(true);
      const rows = parseCsv(text.slice(1));
      expect(rows[0]).toEqual([...CSV_COLUMNS]);
      expect(rows).toHaveLength(27);
      const col = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
      const unlocked = rows.find((r) => r[col('action')] === 'unlock.succeeded') as string[];
      expect(unlocked[col('ticket')]).toBe(TICKET);
      expect(unlocked[col('comment')]).toBe(COMMENT);
      expect(unlocked[col('summary')]).toBe('Hanna Agent unlocked Carol Jones in Corp AD (read back: not locked)');
      expect(text).toContain('"INC-42, ""urgent"""');
      expect(text).toContain('café ☕');
      expect(rows.slice(1).every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
    });

    it('exports JSON as an array and NDJSON, oldest first', async () => {
      const json = await get('/api/audit/export?format=json', auditor).buffer(true).expect(200);
      expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
      const array = JSON.parse(json.text);
      expect(array.map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
      const nd = await get('/api/audit/export?format=ndjson&store=ldap', auditor).buffer(true).expect(200);
      const lines = nd.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((e: { action: string }) => e.action)).toEqual(['unlock.requested', 'unlock.failed']);
    });

    it('answers 400 for an unknown format', async () => {
      const res = await get('/api/audit/export?format=xlsx', auditor).expect(400);
      expect(res.body.message.join(' ')).toMatch(/^format/);
    });

    it('redacts protected values and carries no secret', async () => {
      const res = await get('/api/audit/export?format=ndjson', auditor).buffer(true).expect(200);
      expect(res.text).not.toMatch(/scrypt\$|hmac-sha256:/);
      expect(res.text).toMatch(/"answerHash":"\[redacted sha256:[0-9a-f]{64}\]"/);
      expect(res.text).toMatch(/"codeHash":"\[redacted sha256:[0-9a-f]{64}\]"/);
    });
  });

  describe('hash chain verification', () => {
    it('GET /api/audit/verify recomputes the chain', async () => {
      const res = await get('/api/audit/verify', auditor).expect(200);
      expect(res.body).toEqual({
        ok: true,
        checked: 26,
        headPosition: '26',
        headHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    });

    it.each(['csv', 'json', 'ndjson'])('verifies a %s export offline, and finds one altered event', async (format) => {
      const res = await get(`/api/audit/export?format=${format}`, auditor).buffer(true).expect(200);
      const file = join(tmp, `audit.${format}`);
      writeFileSync(file, res.text);
      const ok = verify(file);
      expect(ok.out).toMatch(/OK: 26 events, chain intact/);
      expect(ok.code).toBe(0);

      // Alter one event's comment inside its data.
      const original = readFileSync(file, 'utf8');
      if (format === 'csv') {
        const needle = '""comment"":""Caller on the phone'; // the CSV doubles the quotes of the JSON cell
        expect(original.includes(needle)).toBe(true);
        writeFileSync(file, original.replace(needle, needle.replace('Caller', 'Callee')));
      } else {
        const events =
          format === 'json'
            ? JSON.parse(original)
            : original
                .trim()
                .split('\n')
                .map((l) => JSON.parse(l));
        const target = events.find((e: { data: { comment?: string } }) => e.data?.comment === COMMENT);
        target.data.comment = 'Callee on the phone';
        writeFileSync(
          file,
          format === 'json' ? JSON.stringify(events) : events.map((e: unknown) => JSON.stringify(e)).join('\n'),
        );
      }
      const bad = verify(file);
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/BROKEN at seq \d+ \(position \d+\): hash does not match/);
    });

    it('detects a deleted row and a forged link in an export', async () => {
      const res = await get('/api/audit/export?format=ndjson', auditor).buffer(true).expect(200);
      const lines = res.text.trim().split('\n');
      const file = join(tmp, 'cut.ndjson');
      writeFileSync(file, [...lines.slice(0, 5), ...lines.slice(6)].join('\n'));
      expect(verify(file).out).toMatch(/BROKEN at seq 7 .*: seq 7 follows seq 5/);

      // Re-hashing the altered event does not help: the next event's link no longer matches.
      const forged = lines.map((l) => JSON.parse(l));
      forged[3].data = { ...forged[3].data, forged: true };
      writeFileSync(file, forged.map((e) => JSON.stringify(e)).join('\n'));
      expect(verify(file).out).toMatch(/BROKEN at seq 4 /);
    });

    it('notices a tampered read-model row', async () => {
      h.runner.db.exec(`UPDATE audit SET outcome = 'success', data = '{"tampered":true}' WHERE seq = 10`);
      try {
        const res = await get('/api/audit/verify', auditor).expect(200);
        expect(res.body).toMatchObject({
          ok: false,
          checked: 9,
          firstBroken: { seq: 10, problem: 'hash does not match the row’s content' },
        });
      } finally {
        await h.runner.rebuild('audit');
      }
      expect((await get('/api/audit/verify', auditor).expect(200)).body.ok).toBe(true);
    });
  });
});

describe("history outside the agent's role scope", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("refuses a user's history in an identity store outside the agent's role scope (403)", async () => {
    h = await harness();
    const lena = await h.signIn('lena'); // role "Ldap desk": View History, scope: the ldap store only
    const server = h.app.getHttpServer();
    const res = await request(server).get('/api/users/corp-ad/x/history').set('Cookie', lena).expect(403);
    expect(res.body).toMatchObject({ reason: 'scope' });
    await request(server).get('/api/users/ldap/x/history').set('Cookie', lena).expect(200);
  });

  it('an OU-scoped role reads the history of accounts inside its OUs only, placed live by the directory', async () => {
    const placed: Record<string, string> = {
      inside: `CN=In Side,${STAFF_OU}`,
      outside: 'CN=Out Side,CN=Users,DC=corp,DC=example',
    };
    const corpAd = {
      ...fakeDown('corp-ad', 'Corp AD'),
      getAccount: async (id: string) => {
        if (id === 'unreachable') throw new StoreUnavailableError('corp-ad', 'connect ECONNREFUSED');
        return placed[id] ? { id, storeId: 'corp-ad', dn: placed[id] } : undefined;
      },
    } as unknown as IdentityStore;
    h = await harness({ stores: [corpAd] });
    const stella = await h.signIn('stella');
    const get = (userId: string) => request(h?.app.getHttpServer()).get(`/api/users/corp-ad/${userId}/history`);
    await get('inside').set('Cookie', stella).expect(200);
    expect((await get('outside').set('Cookie', stella).expect(403)).body).toMatchObject({
      reason: 'scope',
      message: expect.stringContaining('outside the OUs'),
    });
    expect((await get('deleted').set('Cookie', stella).expect(403)).body.reason).toBe('scope');
    expect((await get('unreachable').set('Cookie', stella).expect(503)).body.reason).toBe('directory-unavailable');
    // A role without base DNs does not ask the directory.
    await get('unreachable')
      .set('Cookie', await h.signIn('hanna'))
      .expect(200);
  });
});

describe('GET /api/health', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('answers 200 with event store head, each identity store and projection lag when all is up', async () => {
    h = await harness();
    const cookie = await h.signIn('hanna');
    await h.caughtUp();
    const res = await request(h.app.getHttpServer()).get('/api/health').set('Cookie', cookie).expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      eventStore: { status: 'up', head: expect.stringMatching(/^\d+$/) },
      identityStores: [
        { id: 'corp-ad', name: 'Corp AD', status: 'up', essential: true },
        { id: 'ldap', name: 'Example LDAP', status: 'up', essential: true },
      ],
      projections: {
        status: 'ok',
        items: [
          expect.objectContaining({ name: 'history', lag: 0, caughtUp: true }),
          expect.objectContaining({ name: 'audit', lag: 0, caughtUp: true }),
        ],
      },
    });
  });

  it('answers 503 naming the directory that is down or too slow', async () => {
    h = await harness({
      stores: [
        { ...fakeDown('corp-ad', 'Corp AD', () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1'))) },
        fakeDown('ldap', 'Example LDAP', () => new Promise(() => undefined)),
      ],
    });
    // Anyone (a load balancer): each part's status, nothing about why.
    const anonymous = await request(h.app.getHttpServer()).get('/api/health').expect(503);
    expect(anonymous.body).toEqual({
      status: 'down',
      eventStore: { status: 'up' },
      identityStores: [
        { id: 'corp-ad', type: 'active-directory', status: 'down', essential: true },
        { id: 'ldap', type: 'active-directory', status: 'down', essential: true },
      ],
      projections: { status: 'ok' },
    });
    // A signed-in agent: the directories' own words.
    const cookie = await h.signIn('hanna');
    const res = await request(h.app.getHttpServer()).get('/api/health').set('Cookie', cookie).expect(503);
    expect(res.body.status).toBe('down');
    expect(res.body.eventStore.status).toBe('up');
    expect(res.body.identityStores).toEqual([
      expect.objectContaining({ id: 'corp-ad', status: 'down', error: 'connect ECONNREFUSED 127.0.0.1:1' }),
      expect.objectContaining({
        id: 'ldap',
        status: 'down',
        error: 'identity store ldap did not answer within 300 ms',
      }),
    ]);
  });

  it('caches a probe for a few seconds', async () => {
    let probes = 0;
    h = await harness({
      stores: [fakeDown('corp-ad', 'Corp AD', async () => void probes++)],
      probe: { timeoutMs: 300, cacheMs: 60_000 },
    });
    for (let i = 0; i < 3; i++) await request(h.app.getHttpServer()).get('/api/health').expect(200);
    expect(probes).toBe(1);
  });

  it('answers 503 when the event store is closed', async () => {
    h = await harness();
    const cookie = await h.signIn('hanna');
    await h.store.close();
    const res = await request(h.app.getHttpServer()).get('/api/health').set('Cookie', cookie).expect(503);
    expect(res.body.eventStore).toMatchObject({ status: 'down', error: expect.stringMatching(/closed/) });
  });
});
