/**
 * History and audit read-model benchmark:
 *
 *   npm run bench -- history [--events 1000000] [--queries 2000]
 *
 * Seeds the embedded event store with realistic helpdesk traffic (cases of 8 events: opened, answer verified, code
 * sent, code verified, authenticated, unlock requested, unlocked, closed; agent sign-ins; 20,000 users, 40 agents),
 * projects it through the ProjectionRunner into the history and audit read models (one transaction per batch, as in
 * production), then measures:
 *   - history query latency (first page of 50, newest first) for random users and agents, and deep pages (cursor),
 *     p50/p95/p99 — target p95 < 10 ms with 1,000,000 events in the store;
 *   - audit export throughput (CSV rows formatted, as GET /api/audit/export writes them) and chain verification.
 * Temporary files go to a fresh directory under the OS temp dir and are removed at the end.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditService } from '../src/audit/audit.service';
import { csvHeader, csvRow } from '../src/audit/audit-export';
import type { NewEvent } from '../src/event-store/event-store';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';
import { DEFAULT_CASE_SETTINGS } from '../src/helpdesk/case.events';
import { HistoryService } from '../src/history/history.service';
import { ReadModelNames } from '../src/history/read-model-names';
import { auditProjection, verifyAuditChain } from '../src/projections/audit.projection';
import { historyProjection } from '../src/projections/history.projection';
import { openReadModelDb } from '../src/projections/projection';
import { ProjectionRunner } from '../src/projections/projection-runner';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const EVENTS = option('--events', 1_000_000);
const QUERIES = option('--queries', 2000);
const USERS = 20_000;
const AGENTS = 40;

const uuid = (prefix: string, n: number) => `${prefix}${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
const agentOf = (n: number) => ({ storeId: 'corp-ad', userId: uuid('a', n), displayName: `Agent ${n}` });
const userOf = (n: number) => ({
  storeId: n % 4 === 0 ? 'corp-ldap' : 'corp-ad',
  storeType: n % 4 === 0 ? ('ldap' as const) : ('active-directory' as const),
  userId: uuid('u', n),
  dn: n % 4 === 0 ? `uid=user${n},ou=people,dc=example,dc=test` : `CN=User ${n},OU=Staff,DC=corp,DC=test`,
});
const policy = { mode: 'restricted', requiredTypes: 2, minSecurityQuestions: 1 };

function caseEvents(c: number, t: number): NewEvent[] {
  const agent = agentOf(c % AGENTS);
  const subject = userOf((c * 7919) % USERS);
  const meta = {
    actor: `${agent.storeId}:${agent.userId}`,
    actorName: `agent${c % AGENTS}`,
    client: 'admin',
    ip: `192.0.2.${c % AGENTS}`,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140',
    correlationId: uuid('c', c),
    schemaVersion: 1,
  };
  const at = new Date(t).toISOString();
  const ticket = c % 3 === 0 ? `INC-${100000 + c}` : null;
  return [
    {
      type: 'CaseOpened',
      data: {
        caseId: uuid('ca', c),
        agent,
        role: { roleId: 'helpdesk', name: 'Helpdesk', permissions: ['UnlockAccount', 'ViewHistory'] },
        subject,
        enrollment: {
          types: ['securityQuestions', 'email'],
          securityQuestions: [{ questionId: 'pet', question: 'First pet?' }],
          maskedEmail: 'u***@example.test',
        },
        policy,
        settings: DEFAULT_CASE_SETTINGS,
        prior: { failures: 0, lockedUntil: null, lastAuthenticatorStep: null },
        at,
      },
    },
    { type: 'SecurityAnswerVerified', data: { questionId: 'pet', at } },
    {
      type: 'VerificationCodeSent',
      data: {
        codeId: 'email-1',
        channel: 'email',
        maskedDestination: 'u***@example.test',
        codeHash: 'hmac-sha256:0f0e0d0c0b0a09080706050403020100',
        expiresAt: at,
        maxAttempts: 3,
        at,
      },
    },
    { type: 'VerificationCodeVerified', data: { codeId: 'email-1', channel: 'email', at } },
    {
      type: 'CaseAuthenticated',
      data: { verifiedTypes: ['securityQuestions', 'email'], policy, expiresAt: at, at },
    },
    {
      type: 'UnlockRequested',
      data: {
        account: subject,
        linked: false,
        idempotencyKey: uuid('i', c),
        stateBefore: { lockState: 'locked', failedAttempts: 5 },
        authenticationTypes: ['securityQuestions', 'email'],
        ticket,
        comment: c % 5 === 0 ? 'Caller verified on the phone, "urgent", café' : null,
        at,
      },
    },
    {
      type: 'AccountUnlocked',
      data: {
        account: subject,
        idempotencyKey: uuid('i', c),
        readBack: { lockState: 'notLocked', failedAttempts: 0 },
        directoryMessage: null,
        reconciled: false,
        at,
      },
    },
    { type: 'CaseClosed', data: { reason: 'done', at } },
  ].map((e) => ({ ...e, metadata: meta }));
}

/** Appends `count` events of realistic helpdesk traffic (an agent sign-in every 25 cases); returns the cases. */
export function seedHelpdeskEvents(store: SqliteEventStore, count: number): number {
  let written = 0;
  let c = 0;
  const t0 = Date.UTC(2030, 0, 1);
  while (written < count) {
    if (c % 25 === 0) {
      const a = agentOf((c / 25) % AGENTS);
      store.appendSync(`agent-corp-ad-agent${(c / 25) % AGENTS}`, [
        {
          type: 'AgentSignedIn',
          data: {
            subject: { storeId: a.storeId, userId: a.userId },
            username: `agent${(c / 25) % AGENTS}`,
            displayName: a.displayName,
            groups: ['Helpdesk Agents'],
            outcome: 'success',
          },
          metadata: { actor: `${a.storeId}:${a.userId}`, client: 'admin', ip: '192.0.2.1', schemaVersion: 1 },
        },
      ]);
      written += 1;
    }
    const events = caseEvents(c, t0 + c * 1000).slice(0, count - written);
    store.appendSync(`case-${uuid('ca', c)}`, events);
    written += events.length;
    c += 1;
  }
  return c;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const ms = (n: number) => `${n.toFixed(3)} ms`;

function latencies(label: string, run: (i: number) => number, n: number): number {
  for (let i = 0; i < 50; i++) run(i); // warm-up
  const samples: number[] = [];
  let rows = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    rows += run(i);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const p95 = percentile(samples, 95);
  process.stdout.write(
    `${label.padEnd(46)} p50 ${ms(percentile(samples, 50))}  p95 ${ms(p95)}  p99 ${ms(percentile(samples, 99))}  ` +
      `(${fmt(rows / n, 1)} rows/query)\n`,
  );
  return p95;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'unlockdesk-history-bench-'));
  try {
    // --- seed -----------------------------------------------------------------------------------------------
    let t = performance.now();
    const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'OFF' });
    const c = seedHelpdeskEvents(store, EVENTS);
    const head = await store.headPosition();
    process.stdout.write(
      `seeded ${fmt(Number(head))} events (${fmt(c)} cases, ${fmt(USERS)} users, ${AGENTS} agents) in ${fmt((performance.now() - t) / 1000, 1)} s\n`,
    );

    // --- project ----------------------------------------------------------------------------------------------
    const db = openReadModelDb(join(dir, 'read-models.sqlite'));
    const runner = new ProjectionRunner(store, db, [historyProjection, auditProjection]);
    for (const name of ['history', 'audit']) {
      t = performance.now();
      await runner.catchUp(name);
      const s = (performance.now() - t) / 1000;
      process.stdout.write(
        `projected ${name.padEnd(7)} ${fmt(Number(head))} events in ${fmt(s, 1)} s (${fmt(Number(head) / s)} events/s)\n`,
      );
    }
    process.stdout.write(`read-model file ${fmt(statSync(join(dir, 'read-models.sqlite')).size / 1e6, 1)} MB\n\n`);

    // --- history queries ----------------------------------------------------------------------------------------
    const names = new ReadModelNames();
    const history = new HistoryService(runner, names);
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const p95User = latencies(
      'history: user, first page of 50',
      () => {
        const u = userOf(random(USERS));
        return history.page(u.storeId, u.userId, { limit: 50 }).items.length;
      },
      QUERIES,
    );
    const p95Agent = latencies(
      'history: agent (own actions), first page of 50',
      () => {
        const a = agentOf(random(AGENTS));
        return history.page(a.storeId, a.userId, { limit: 50, asActor: true }).items.length;
      },
      QUERIES,
    );
    const cursors = Array.from({ length: AGENTS }, (_, i) => {
      const a = agentOf(i);
      let page = history.page(a.storeId, a.userId, { limit: 500, asActor: true });
      for (let k = 0; k < 10 && page.nextCursor; k++) {
        page = history.page(a.storeId, a.userId, { limit: 500, asActor: true, before: page.nextCursor });
      }
      return page.nextCursor ?? undefined;
    });
    const p95Deep = latencies(
      'history: agent, page of 50 after 5,500 entries',
      () => {
        const i = random(AGENTS);
        const a = agentOf(i);
        return history.page(a.storeId, a.userId, { limit: 50, asActor: true, before: cursors[i] }).items.length;
      },
      QUERIES,
    );

    // --- audit ----------------------------------------------------------------------------------------------
    const audit = new AuditService(runner, names);
    latencies(
      'audit: events, newest 100, actor filter',
      () => audit.page({ actor: `corp-ad:${agentOf(random(AGENTS)).userId}`, limit: 100 }).items.length,
      500,
    );
    t = performance.now();
    let bytes = csvHeader().length;
    let rows = 0;
    for (const page of audit.export({})) {
      for (const e of page) {
        bytes += Buffer.byteLength(csvRow(e));
        rows += 1;
      }
    }
    let s = (performance.now() - t) / 1000;
    process.stdout.write(
      `\naudit export (CSV, all): ${fmt(rows)} rows, ${fmt(bytes / 1e6, 1)} MB in ${fmt(s, 1)} s = ${fmt(rows / s)} rows/s, ${fmt(bytes / 1e6 / s, 1)} MB/s\n`,
    );
    t = performance.now();
    const verified = await verifyAuditChain(db);
    s = (performance.now() - t) / 1000;
    process.stdout.write(
      `audit chain verification: ${verified.ok ? 'intact' : 'BROKEN'}, ${fmt(verified.checked)} links in ${fmt(s, 1)} s = ${fmt(verified.checked / s)} links/s\n`,
    );

    const worst = Math.max(p95User, p95Agent, p95Deep);
    process.stdout.write(
      `\nhistory query p95 (worst case above): ${ms(worst)} — target < 10 ms: ${worst < 10 ? 'MET' : 'MISSED'}\n`,
    );
    db.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
