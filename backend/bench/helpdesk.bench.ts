// Helpdesk benchmark: unlock end to end through the HTTP API (session, role, case opened, intent recorded, directory
// write with read-back, outcome recorded, answer) with 50 concurrent agents, beside what the unlock needs issued
// directly at the same concurrency and pace:
//   - floor: the directory operations (ldapts, the product's filters) — the floor;
//   - floor + record: the same plus the two durable appends the unlock must make (intent before the write, outcome
//     after it) to an embedded event store of its own (node:sqlite, synchronous=FULL, writer thread).
// Two load shapes: the agents unlocking back to back (saturation: the latency is mostly queueing for the two cores
// that the server, the directory and the client share here), and each agent starting an unlock every BENCH_PACE_MS
// (a steady 50 unlocks/s by default — a busy helpdesk does a few per minute).
// Real OpenLDAP (ppolicy) lab; accounts locked with real failed binds before each phase; embedded event store.
//
//   node -r @swc-node/register bench/helpdesk.bench.ts      (standalone; also run by `npm run bench`)
//   BENCH_AGENTS=50 BENCH_UNLOCKS_PER_AGENT=20 BENCH_PACE_MS=1000 BENCH_PACED_UNLOCKS_PER_AGENT=4
//
// Targets (issue 5): unlock p95 < 1.5 × floor p95 and < 60 ms absolute on loopback. Figures only, no assertion.
// The unlock notice e-mail is switched off here (the floor has no SMTP); the notice adds one SMTP round trip.
import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { INestApplication } from '@nestjs/common';
import { Attribute, Change, Client, Control } from 'ldapts';
import { stringify } from 'yaml';
import { createApp } from '../src/app';
import { RELAX_RULES_OID } from '../src/directory/openldap.store';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';
import { type Lab, lockWithFailedBinds, startOpenLdap } from '../test/labs/labs';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const PER_AGENT = Number(process.env.BENCH_UNLOCKS_PER_AGENT ?? 20);
const WARMUP_PER_AGENT = 1;
const PACE_MS = Number(process.env.BENCH_PACE_MS ?? 1000);
const PACED_PER_AGENT = Number(process.env.BENCH_PACED_UNLOCKS_PER_AGENT ?? 4);
const TARGET = { ratio: 1.5, absoluteP95: 60 };

type Account = { id: string; dn: string };

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/**
 * The API phase's 50 agents run on a worker thread: the HTTP client is the agents' browsers, not the server, so it
 * must not share the server's event loop (BENCH_CLIENT=inline runs it in-process with fetch). Like wrk, it is a
 * minimal HTTP/1.1 client: one keep-alive connection per agent, the request written in one piece, the response read
 * by Content-Length. The agents' browsers run elsewhere in reality; here their CPU comes out of the same two cores
 * as the server's and the directory's, so the client should cost as little as possible: undici's fetch used about
 * 0.8 ms of CPU per request, node:http about 0.35 ms. Same protocol as unlockViaApi: one session per agent, one
 * unlock at a time each.
 */
const CLIENT_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { base, sessions, accounts, agents, warmup, pace } = workerData;
const { hostname, port } = new URL(base);
function connection() {
  const socket = net.connect({ host: hostname, port: Number(port), noDelay: true });
  let buffer = Buffer.alloc(0);
  let waiting;
  socket.on('data', (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    const end = buffer.indexOf('\\r\\n\\r\\n');
    if (end < 0 || !waiting) return;
    const head = buffer.subarray(0, end).toString('latin1');
    const length = Number(/\\r\\ncontent-length: *(\\d+)/i.exec(head)?.[1]);
    if (!Number.isFinite(length)) return waiting.reject(new Error('no content-length: ' + head));
    if (buffer.length < end + 4 + length) return;
    const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    buffer = buffer.subarray(end + 4 + length);
    const w = waiting;
    waiting = undefined;
    w.resolve({ status: Number(head.slice(9, 12)), text: body });
  });
  socket.on('error', (err) => waiting?.reject(err));
  return (request) => new Promise((resolve, reject) => {
    waiting = { resolve, reject };
    socket.write(request);
  });
}
const unlock = async (send, s, a) => {
  const start = performance.now();
  const res = await send('POST /api/users/ldap/' + a.id + '/unlock HTTP/1.1\\r\\nHost: ' + hostname + ':' + port +
    '\\r\\nContent-Type: application/json\\r\\nContent-Length: 2\\r\\nCookie: ' + s.cookie +
    '\\r\\nX-CSRF-Token: ' + s.csrf + '\\r\\n\\r\\n{}');
  const body = JSON.parse(res.text);
  const ms = performance.now() - start;
  const r = body.results && body.results[0];
  if (res.status !== 200 || !r || r.outcome !== 'unlocked' || !r.lock || r.lock.state !== 'unlocked')
    throw new Error('unlock of ' + a.dn + ': ' + res.status + ' ' + res.text);
  return ms;
};
(async () => {
  const samples = [];
  await Promise.all(Array.from({ length: agents }, async (_, agent) => {
    const send = connection();
    const mine = accounts.filter((_, i) => i % agents === agent);
    if (pace) await new Promise((r) => setTimeout(r, Math.random() * pace)); // agents do not start in step
    for (let i = 0; i < mine.length; i++) {
      const started = performance.now();
      const ms = await unlock(send, sessions[agent], mine[i]);
      if (i >= warmup) samples.push(ms);
      if (pace) await new Promise((r) => setTimeout(r, Math.max(0, started + pace - performance.now())));
    }
  }));
  const elu = performance.eventLoopUtilization();
  parentPort.postMessage({ samples, clientActiveMs: elu.active }); // the parent then ends this thread
})().catch((err) => { throw err; });
`;

function runInClientThread(
  base: string,
  sessions: { cookie: string; csrf: string }[],
  accounts: Account[],
  pace: number,
): Promise<{ samples: number[]; clientActiveMs: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT_THREAD, {
      eval: true,
      workerData: { base, sessions, accounts, agents: AGENTS, warmup: WARMUP_PER_AGENT, pace },
    });
    worker.once('message', (result: { samples: number[]; clientActiveMs: number }) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function lockAll(lab: Lab, accounts: Account[]): Promise<void> {
  await pool(accounts, 50, async (a) => {
    await lockWithFailedBinds(lab.url, a.dn, 3, undefined, 0);
  });
  await new Promise((r) => setTimeout(r, 100));
}

async function accountsOf(lab: Lab, n: number): Promise<Account[]> {
  const client = new Client({ url: lab.url });
  await client.bind(lab.adminDn, lab.adminPw);
  const res = await client.search(`ou=people,${lab.base}`, {
    scope: 'one',
    filter: '(uid=user*)',
    attributes: ['entryUUID'],
    paged: { pageSize: 500 },
  });
  await client.unbind();
  return res.searchEntries
    .map((e) => ({ id: String(e.entryUUID), dn: e.dn }))
    .sort((a, b) => a.dn.localeCompare(b.dn))
    .slice(0, n);
}

function configYaml(dir: string, lab: Lab) {
  return stringify({
    dataDir: join(dir, 'data'),
    identityStores: [
      {
        id: 'ldap',
        name: 'OpenLDAP',
        type: 'ldap',
        urls: [lab.url],
        tls: { mode: 'plain', allowPlain: true },
        bind: { dn: lab.helpdeskDn, password: { env: 'BENCH_LDAP_BIND_PW' } },
        userBaseDns: [`ou=people,${lab.base}`],
        groupBaseDns: [`ou=groups,${lab.base}`],
        passwordPolicy: { defaultPolicyDn: `cn=default,ou=policies,${lab.base}` },
        poolSize: Number(process.env.BENCH_POOL_SIZE ?? AGENTS), // as many connections as the floor uses
      },
    ],
    roles: [
      {
        roleId: 'administrator',
        name: 'Administrator',
        priority: 100,
        mappedGroups: [{ storeId: 'ldap', group: 'unlockdesk-admins' }],
        permissions: ['UnlockAccount', 'UnlockAnyAccount', 'ViewHistory'],
        scope: { storeIds: ['*'] },
        policy: { mode: 'unrestricted', requiredTypes: 1, minSecurityQuestions: 0 },
      },
    ],
    helpdesk: { notifyUserOnUnlock: false },
  });
}

type Phase = { title: string; perAgent: number; paceMs: number };
const PHASES: Phase[] = [
  { title: `${AGENTS} agents unlocking back to back (saturation)`, perAgent: PER_AGENT, paceMs: 0 },
  {
    title: `${AGENTS} agents, each starting an unlock every ${PACE_MS} ms`,
    perAgent: PACED_PER_AGENT,
    paceMs: PACE_MS,
  },
];
/** Accounts a phase uses for one row (API, floor, floor + record each unlock their own locked accounts). */
const accountsPerRow = (phase: Phase) => AGENTS * (phase.perAgent + WARMUP_PER_AGENT);

async function main(): Promise<void> {
  const total = PHASES.reduce((n, phase) => n + 3 * accountsPerRow(phase), 0);
  const t0 = performance.now();
  const lab = await startOpenLdap({ extraUsers: total });
  const dir = await mkdtemp(join(tmpdir(), 'unlockdesk-bench-helpdesk-'));
  let app: INestApplication | undefined;
  try {
    console.error(`[bench] OpenLDAP with ${total} users ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await writeFile(join(dir, 'config.yaml'), configYaml(dir, lab));
    process.env.UNLOCKDESK_CONFIG = join(dir, 'config.yaml');
    process.env.BENCH_LDAP_BIND_PW = lab.helpdeskPw;
    delete process.env.UNLOCKDESK_DATA_DIR;
    delete process.env.UNLOCKDESK_EVENTSTORE_URL;
    app = await createApp();
    app.useLogger(['error', 'warn']);
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();

    const all = await accountsOf(lab, total);
    let taken = 0;
    const take = (n: number) => {
      taken += n;
      return all.slice(taken - n, taken);
    };

    // 50 agents: 50 signed-in sessions of the lab's administrator (real binds).
    const sessions = await Promise.all(
      Array.from({ length: AGENTS }, async () => {
        const res = await fetch(`${base}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'lin.admin', password: 'Lin-Admin-1', storeId: 'ldap' }),
        });
        if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
        const body = (await res.json()) as { csrfToken: string };
        const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
        return { cookie, csrf: body.csrfToken };
      }),
    );

    const unlockViaApi = async (agent: number, a: Account): Promise<number> => {
      const s = sessions[agent] as { cookie: string; csrf: string };
      const start = performance.now();
      const res = await fetch(`${base}/api/users/ldap/${a.id}/unlock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
        body: '{}',
      });
      const body = (await res.json()) as { results?: { outcome: string; lock?: { state: string } }[] };
      const ms = performance.now() - start;
      if (
        res.status !== 200 ||
        body.results?.[0]?.outcome !== 'unlocked' ||
        body.results[0].lock?.state !== 'unlocked'
      ) {
        throw new Error(`unlock of ${a.dn}: ${res.status} ${JSON.stringify(body)}`);
      }
      return ms;
    };

    // Floor: the directory operations the unlock issues, issued directly with the same filters: find the account by
    // its stable id (that read is also the state the unlock decides on and writes from), write (pwdAccountLockedTime
    // and pwdFailureTime removed, Relax Rules), read it back at its DN.
    const clients = await Promise.all(
      Array.from({ length: AGENTS }, async () => {
        const c = new Client({ url: lab.url, timeout: 10_000 });
        await c.bind(lab.helpdeskDn, lab.helpdeskPw);
        return c;
      }),
    );
    const attrs = [
      'entryUUID',
      'uid',
      'cn',
      'displayName',
      'mail',
      'mobile',
      'employeeNumber',
      'pwdAccountLockedTime',
      'pwdFailureTime',
      'pwdChangedTime',
      'pwdPolicySubentry',
      'pwdReset',
    ];
    const unlockDirect = async (agent: number, a: Account): Promise<number> => {
      const c = clients[agent] as Client;
      const byId = `(&(objectClass=inetOrgPerson)(entryUUID=${a.id}))`;
      const start = performance.now();
      await c.search(`ou=people,${lab.base}`, { scope: 'sub', filter: byId, attributes: attrs, sizeLimit: 2 });
      await c.modify(
        a.dn,
        [
          new Change({
            operation: 'replace',
            modification: new Attribute({ type: 'pwdAccountLockedTime', values: [] }),
          }),
          new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdFailureTime', values: [] }) }),
        ],
        [new Control(RELAX_RULES_OID, { critical: true })],
      );
      const after = await c.search(a.dn, { scope: 'base', filter: byId, attributes: attrs });
      const ms = performance.now() - start;
      const still = after.searchEntries[0]?.pwdAccountLockedTime;
      if (Array.isArray(still) ? still.length > 0 : still) throw new Error(`direct unlock of ${a.dn} did not unlock`);
      return ms;
    };

    // Floor + record: the directory operations with the unlock's two durable appends around the write, to a store
    // of its own (the same embedded adapter the product runs on, fsync per commit on its writer thread).
    const recordStore = new SqliteEventStore({ file: join(dir, 'floor-record.sqlite') });
    const unlockRecorded = async (agent: number, a: Account): Promise<number> => {
      const start = performance.now();
      await recordStore.append(`floor-${a.id}`, [{ type: 'UnlockRequested', data: { account: a.id } }], {
        expectedRevision: 'no_stream',
      });
      await unlockDirect(agent, a);
      await recordStore.append(`floor-${a.id}`, [{ type: 'AccountUnlocked', data: { account: a.id } }], {
        expectedRevision: 0n,
      });
      return performance.now() - start;
    };

    const run = async (accounts: Account[], pace: number, fn: (agent: number, a: Account) => Promise<number>) => {
      const samples: number[] = [];
      const warm: number[] = [];
      await Promise.all(
        Array.from({ length: AGENTS }, async (_, agent) => {
          const mine = accounts.filter((_, i) => i % AGENTS === agent);
          if (pace) await new Promise((r) => setTimeout(r, Math.random() * pace));
          for (const [i, a] of mine.entries()) {
            const started = performance.now();
            (i < WARMUP_PER_AGENT ? warm : samples).push(await fn(agent, a));
            if (pace) await new Promise((r) => setTimeout(r, Math.max(0, started + pace - performance.now())));
          }
        }),
      );
      return samples;
    };

    // BENCH_MARKS=1: the API rows' bounds on the monotonic clock (µs, as in a --cpu-prof profile).
    const mark = (what: string) => {
      if (process.env.BENCH_MARKS) console.error(`[bench] mark ${what} ${process.hrtime.bigint() / 1000n}`);
    };
    const f = (n: number) => n.toFixed(1).padStart(6);
    const row = (name: string, s: number[], secs: number) =>
      `${name.padEnd(34)} ${String(s.length).padStart(4)} | ${f(pct(s, 50))} ${f(pct(s, 95))} ${f(pct(s, 99))} ${f(Math.max(...s))} | ${(s.length / secs).toFixed(0).padStart(5)}/s`;
    const timed = async (work: () => Promise<number[]>) => {
      const started = performance.now();
      const samples = await work();
      return { samples, seconds: (performance.now() - started) / 1000 };
    };

    console.log('helpdesk unlock, OpenLDAP ppolicy, embedded event store (ms)');
    for (const phase of PHASES) {
      const n = accountsPerRow(phase);
      const productAccounts = take(n);
      const floorAccounts = take(n);
      const recordAccounts = take(n);
      await lockAll(lab, [...productAccounts, ...floorAccounts, ...recordAccounts]);

      const elu0 = performance.eventLoopUtilization();
      const cpu0 = process.cpuUsage();
      mark(`api-start ${phase.paceMs}`);
      let clientActiveMs: number | undefined;
      const api = await timed(async () => {
        if (process.env.BENCH_CLIENT === 'inline') return run(productAccounts, phase.paceMs, unlockViaApi);
        const r = await runInClientThread(base, sessions, productAccounts, phase.paceMs);
        clientActiveMs = r.clientActiveMs;
        return r.samples;
      });
      mark(`api-end ${phase.paceMs}`);
      const elu = performance.eventLoopUtilization(elu0).utilization;
      const cpu = process.cpuUsage(cpu0);
      const floor = await timed(() => run(floorAccounts, phase.paceMs, unlockDirect));
      const recorded = await timed(() => run(recordAccounts, phase.paceMs, unlockRecorded));

      console.log(`\n${phase.title}`);
      console.log(
        `${'operation'.padEnd(34)} ${'n'.padStart(4)} | ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'p99'.padStart(6)} ${'max'.padStart(6)} | throughput`,
      );
      console.log(row('API unlock (end to end, HTTP)', api.samples, api.seconds));
      console.log(row('floor: ldapts search+modify+read', floor.samples, floor.seconds));
      console.log(row('floor + intent/outcome appends', recorded.samples, recorded.seconds));
      // Where the API row's time went in this process: how busy the server's event loop was, and CPU per unlock (all
      // threads of the process: server, event-store writer, projection thread, and the client thread unless
      // BENCH_CLIENT=inline; the client thread's busy time is shown on its own).
      const unlocks = n;
      console.log(
        `API row: server event loop ${(elu * 100).toFixed(0)}% busy, process CPU ${((cpu.user + cpu.system) / 1000 / (api.seconds * 1000)).toFixed(2)} cores, ` +
          `${((cpu.user + cpu.system) / 1000 / unlocks).toFixed(2)} ms CPU per unlock` +
          (clientActiveMs === undefined
            ? ''
            : ` (of which the client thread ${(clientActiveMs / unlocks).toFixed(2)} ms)`),
      );
      const p95 = pct(api.samples, 95);
      const fp95 = pct(floor.samples, 95);
      const rp95 = pct(recorded.samples, 95);
      const ratioOk = p95 < TARGET.ratio * fp95;
      const absoluteOk = p95 < TARGET.absoluteP95;
      console.log(
        `p95 ${p95.toFixed(1)} ms vs floor p95 ${fp95.toFixed(1)} ms: ratio ${(p95 / fp95).toFixed(2)} (target < ${TARGET.ratio}: ` +
          `${ratioOk ? 'met' : 'MISSED'}); absolute < ${TARGET.absoluteP95} ms: ${absoluteOk ? 'met' : 'MISSED'}; ` +
          `vs floor + record p95 ${rp95.toFixed(1)} ms: ratio ${(p95 / rp95).toFixed(2)}`,
      );
    }
    await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
    await recordStore.close();
  } finally {
    await app?.close();
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
