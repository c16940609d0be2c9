/**
 * Child process of event-store.bench.ts (compiled to JS there): rebuilds the history read model over the events in
 * <dir>/events.sqlite, either with the projection runner or with the same work done directly on node:sqlite, and
 * prints {seconds, position, maxRssMB}.   node event-store-rebuild.child.js <dir> runner|raw
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';
import { historyProjection } from '../src/projections/history.projection';
import { createProjectionRunner } from '../src/projections/read-models';
import { wellKnownFacts } from '../src/projections/well-known';

export async function rebuildChild(dir: string, raw: boolean) {
  const started = performance.now();
  let position = 0n;
  if (raw) {
    // The same work without the runner: read pages, parse, extract, insert 1000 per commit, then the same indexes.
    const src = new DatabaseSync(join(dir, 'events.sqlite'), { readOnly: true });
    const dst = new DatabaseSync(join(dir, 'raw-read.sqlite'));
    dst.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768;');
    historyProjection.init(dst);
    const page = src.prepare(
      'SELECT position, event_id, stream_id, type, data, metadata, time FROM events WHERE position > ? ORDER BY position LIMIT 1000',
    );
    const insert = dst.prepare(
      `INSERT INTO history (position, event_id, stream_id, type, subject, subject_store, subject_user_id, actor, client,
         ip, outcome, reason, time, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let after = 0;
    for (;;) {
      const rows = page.all(after) as Array<Record<string, string | number>>;
      if (rows.length === 0) break;
      dst.exec('BEGIN');
      for (const r of rows) {
        const data = JSON.parse(r.data as string);
        const f = wellKnownFacts({ type: r.type as string, data, metadata: JSON.parse(r.metadata as string) });
        insert.run(
          r.position,
          r.event_id,
          r.stream_id,
          r.type,
          f.subject,
          f.subjectStore,
          f.subjectUserId,
          f.actor,
          f.client,
          f.ip,
          f.outcome,
          f.reason,
          r.time,
          r.data,
        );
      }
      dst.exec('COMMIT');
      after = rows[rows.length - 1].position as number;
    }
    for (const sql of historyProjection.indexes ?? []) dst.exec(sql);
    position = BigInt(after);
    src.close();
    dst.close();
  } else {
    const store = new SqliteEventStore({ file: join(dir, 'events.sqlite') });
    const runner = createProjectionRunner(store, dir, [historyProjection]);
    await runner.rebuild('history');
    position = runner.checkpoint('history').position ?? 0n;
    runner.db.close();
    await store.close();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    JSON.stringify({ seconds, position: String(position), maxRssMB: process.resourceUsage().maxRSS / 1024 }),
  );
}

if (require.main === module) {
  rebuildChild(process.argv[2], process.argv[3] === 'raw').catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
