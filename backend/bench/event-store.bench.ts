/**
 * Event-store benchmark: each figure of the embedded store beside the same operation on raw node:sqlite, measured in
 * this run on this machine, with the ratio and the target.
 *
 *   npm run bench -- event-store [--events N] [--rebuild-events N] [--skip-rebuild]
 *
 * With UNLOCKDESK_BENCH_ESDB_URL (or UNLOCKDESK_TEST_ESDB_URL) set, the append/read figures are also measured against
 * that EventStoreDB. Temporary files go to a fresh directory under the OS temp dir and are removed at the end.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { transformFileSync } from '@swc/core';
import type { EventStore, NewEvent } from '../src/event-store/event-store';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const EVENTS = option('--events', 200_000);
const REBUILD_EVENTS = option('--rebuild-events', 1_000_000);
const SINGLES = 2000;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function payload(i: number) {
  return {
    caseId: `case-${i >> 4}`,
    subject: { storeId: 'corp-ad', userId: `user-${i % 5000}` },
    outcome: i % 10 === 9 ? 'refused' : 'success',
    reason: i % 10 === 9 ? 'not authenticated to the policy' : null,
    verifiedWith: ['security-questions', 'email-code'],
    comment: `ticket INC-${100000 + i}: caller verified, account unlocked by the helpdesk`,
  };
}
const METADATA = {
  correlationId: '9f1c5d2e-0000-4000-8000-000000000001',
  actor: 'agent:alice',
  client: 'admin',
  ip: '192.0.2.10',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  schemaVersion: 1,
};
const newEvent = (i: number): NewEvent => ({ type: 'AccountUnlocked', data: payload(i), metadata: METADATA });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

// --- raw node:sqlite, as in the spike (shared/notes/js-stack-node24.md §3) ---------------------------------------

function rawFigures(dir: string) {
  const db = new DatabaseSync(join(dir, 'raw.db'));
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE events (seq INTEGER PRIMARY KEY, stream TEXT, data TEXT)',
  );
  const insert = db.prepare('INSERT INTO events (stream, data) VALUES (?, ?)');
  const rows = Array.from({ length: 100 }, (_, i) => JSON.stringify({ ...payload(i), metadata: METADATA }));
  let t = performance.now();
  for (let b = 0; b < EVENTS / 100; b++) {
    db.exec('BEGIN');
    for (let i = 0; i < 100; i++) insert.run(`stream-${b}`, rows[i]);
    db.exec('COMMIT');
  }
  const insertPerSec = EVENTS / ((performance.now() - t) / 1000);

  const singles: number[] = [];
  for (let i = 0; i < SINGLES; i++) {
    const s = performance.now();
    insert.run(`single-${i}`, rows[i % 100]);
    singles.push(performance.now() - s);
  }
  singles.sort((a, b) => a - b);

  gc();
  const select = db.prepare('SELECT seq, stream, data FROM events ORDER BY seq');
  t = performance.now();
  let n = 0;
  for (const row of select.iterate() as Iterable<{ data: string }>) {
    JSON.parse(row.data);
    n++;
  }
  const readPerSec = n / ((performance.now() - t) / 1000);
  db.close();
  return { insertPerSec, singleP50: percentile(singles, 50), singleP99: percentile(singles, 99), readPerSec };
}

// --- the event store (port API, async) ------------------------------------------------------------------------

async function storeFigures(store: EventStore, events: number, singlesCount: number) {
  const batch = Array.from({ length: 100 }, (_, i) => newEvent(i));
  const head0 = await store.headPosition();
  let t = performance.now();
  for (let b = 0; b < events / 100; b++) {
    await store.append(`bench-${randomUUID()}`, batch, { expectedRevision: 'no_stream' });
  }
  const appendPerSec = events / ((performance.now() - t) / 1000);

  const singles: number[] = [];
  const stream = `single-${randomUUID()}`;
  let revision: bigint | 'no_stream' = 'no_stream';
  for (let i = 0; i < singlesCount; i++) {
    const s = performance.now();
    const r = await store.append(stream, [newEvent(i)], { expectedRevision: revision });
    singles.push(performance.now() - s);
    revision = r.nextRevision;
  }
  singles.sort((a, b) => a - b);

  gc();
  t = performance.now();
  let n = 0;
  let check = 0;
  for await (const e of store.readAll({ fromPosition: head0 })) {
    check += (e.data as { caseId: string }).caseId.length;
    n++;
  }
  const readPerSec = n / ((performance.now() - t) / 1000);
  if (check === 0 || n !== events + singlesCount)
    throw new Error(`read ${n} events, expected ${events + singlesCount}`);
  return { appendPerSec, singleP50: percentile(singles, 50), singleP99: percentile(singles, 99), readPerSec };
}

// --- rebuild over REBUILD_EVENTS, each in a child process so peak RSS is the rebuild's own -------------------------

function seed(dir: string, count: number) {
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'OFF' });
  const batch = (b: number) => Array.from({ length: 1000 }, (_, i) => newEvent(b * 1000 + i));
  for (let b = 0; b < count / 1000; b++) store.appendSync(`case-${b}`, batch(b));
  return store.close();
}

/**
 * Production runs compiled JavaScript (node dist/…), not TypeScript through @swc-node/register, whose compiler alone
 * adds ~100 MB of RSS. So the rebuild child runs plain JS: our sources compiled with @swc/core into the temp dir.
 */
function compileForChild(dir: string): string {
  const out = join(dir, 'js');
  const backend = join(__dirname, '..');
  // All of src (the projections import shared helpers), without specs.
  const sources = (d: string): string[] =>
    readdirSync(join(backend, d), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? sources(`${d}/${e.name}`)
        : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')
          ? [`${d}/${e.name}`]
          : [],
    );
  const files = [...sources('src'), 'bench/event-store-rebuild.child.ts'];
  for (const f of files) {
    const { code } = transformFileSync(join(backend, f), {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2023',
      },
      module: { type: 'commonjs' },
    });
    mkdirSync(dirname(join(out, f)), { recursive: true });
    writeFileSync(join(out, f.replace(/\.ts$/, '.js')), code);
  }
  return join(out, 'bench/event-store-rebuild.child.js');
}

function runChild(script: string, dir: string, mode: 'runner' | 'raw') {
  // The compiled sources live in a temp dir: let them resolve packages from the workspace's node_modules.
  const backend = join(__dirname, '..');
  const NODE_PATH = [join(backend, 'node_modules'), join(backend, '..', 'node_modules')].join(delimiter);
  const r = spawnSync(process.execPath, ['--expose-gc', script, dir, mode], {
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH },
  });
  if (r.status !== 0) throw new Error(`rebuild child (${mode}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { seconds: number; position: string; maxRssMB: number };
}

/** Digests of the history tables written by the runner and by the raw floor: they must hold the same rows. */
function sameHistory(runnerFile: string, rawFile: string): string {
  const digest = (file: string) => {
    const db = new DatabaseSync(file, { readOnly: true });
    const out: string[] = [];
    for (const sql of [
      'SELECT * FROM history ORDER BY position',
      'SELECT key, position, as_actor FROM history_people_index ORDER BY key, position, as_actor',
    ]) {
      const hash = createHash('sha256');
      let n = 0;
      for (const row of db.prepare(sql).iterate()) {
        hash.update(JSON.stringify(Object.values(row)));
        n++;
      }
      out.push(`${n} rows ${hash.digest('hex').slice(0, 12)}`);
    }
    db.close();
    return out.join(', ');
  };
  const a = digest(runnerFile);
  const b = digest(rawFile);
  if (a !== b) throw new Error(`the raw floor wrote other history rows than the runner: ${a} vs ${b}`);
  return `identical (history, people index: ${a})`;
}

// --- report --------------------------------------------------------------------------------------------------------

type Row = [figure: string, store: string, raw: string, ratio: string, target: string];
function table(rows: Row[]) {
  const head: Row = ['figure', 'event store', 'raw node:sqlite', 'store/raw', 'target'];
  const widths = head.map((_, c) => Math.max(...[head, ...rows].map((r) => r[c].length)));
  for (const r of [head, ...rows]) process.stdout.write(`${r.map((v, c) => v.padEnd(widths[c])).join(' | ')}\n`);
}
const ok = (pass: boolean) => (pass ? 'met' : 'MISSED');

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'unlockdesk-bench-'));
  try {
    process.stdout.write(`node ${process.versions.node}, sqlite ${process.versions.sqlite}, ${EVENTS} events\n`);
    const raw = rawFigures(dir);
    gc();
    const store = new SqliteEventStore({ file: join(dir, 'store.sqlite') });
    const es = await storeFigures(store, EVENTS, SINGLES);
    await store.close();
    const rows: Row[] = [
      [
        'batched append, 100 events/append',
        `${fmt(es.appendPerSec)} events/s`,
        `${fmt(raw.insertPerSec)} rows/s`,
        (es.appendPerSec / raw.insertPerSec).toFixed(2),
        `>= 100,000/s ${ok(es.appendPerSec >= 100_000)}`,
      ],
      [
        'single append p50 (fsync)',
        `${es.singleP50.toFixed(3)} ms`,
        `${raw.singleP50.toFixed(3)} ms`,
        (es.singleP50 / raw.singleP50).toFixed(2),
        `< 0.5 ms ${ok(es.singleP50 < 0.5)}`,
      ],
      [
        'single append p99 (fsync)',
        `${es.singleP99.toFixed(3)} ms`,
        `${raw.singleP99.toFixed(3)} ms`,
        (es.singleP99 / raw.singleP99).toFixed(2),
        `< 2 ms ${ok(es.singleP99 < 2)}`,
      ],
      [
        'read all + deserialise',
        `${fmt(es.readPerSec)} events/s`,
        `${fmt(raw.readPerSec)} rows/s`,
        (es.readPerSec / raw.readPerSec).toFixed(2),
        `>= 300,000/s ${ok(es.readPerSec >= 300_000)}`,
      ],
    ];
    if (!argv.includes('--skip-rebuild')) {
      const seedStart = performance.now();
      await seed(dir, REBUILD_EVENTS);
      process.stdout.write(
        `seeded ${fmt(REBUILD_EVENTS)} events for the rebuild in ${fmt((performance.now() - seedStart) / 1000, 1)} s\n`,
      );
      const script = compileForChild(dir);
      const runner = runChild(script, dir, 'runner');
      const rawRebuild = runChild(script, dir, 'raw');
      if (runner.position !== String(REBUILD_EVENTS)) throw new Error(`rebuild stopped at ${runner.position}`);
      const same = sameHistory(join(dir, 'read-models.sqlite'), join(dir, 'raw-read.sqlite'));
      process.stdout.write(`history rows, runner vs raw floor: ${same}\n`);
      rows.push(
        [
          `history rebuild, ${fmt(REBUILD_EVENTS)} events`,
          `${runner.seconds.toFixed(1)} s`,
          `${rawRebuild.seconds.toFixed(1)} s`,
          (runner.seconds / rawRebuild.seconds).toFixed(2),
          `< 15 s ${ok(runner.seconds < 15)}`,
        ],
        [
          'history rebuild, peak RSS',
          `${fmt(runner.maxRssMB)} MB`,
          `${fmt(rawRebuild.maxRssMB)} MB`,
          (runner.maxRssMB / rawRebuild.maxRssMB).toFixed(2),
          `< 300 MB ${ok(runner.maxRssMB < 300)}`,
        ],
      );
    }
    table(rows);

    const esdbUrl = process.env.UNLOCKDESK_BENCH_ESDB_URL ?? process.env.UNLOCKDESK_TEST_ESDB_URL;
    if (esdbUrl) {
      const { EsdbEventStore } =
        require('../src/event-store/esdb-event-store') as typeof import('../src/event-store/esdb-event-store');
      const esdb = EsdbEventStore.fromConnectionString(esdbUrl);
      const f = await storeFigures(esdb, Math.min(EVENTS, 50_000), 500);
      await esdb.close();
      process.stdout.write(
        `EventStoreDB ${esdbUrl}: batched append ${fmt(f.appendPerSec)} events/s, single append p50 ` +
          `${f.singleP50.toFixed(2)} ms / p99 ${f.singleP99.toFixed(2)} ms, read all ${fmt(f.readPerSec)} events/s\n`,
      );
    } else {
      process.stdout.write('EventStoreDB figures skipped: set UNLOCKDESK_BENCH_ESDB_URL to measure a server\n');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
