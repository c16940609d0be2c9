/**
 * Child process of event-store.bench.ts (compiled to JS there): rebuilds the history read model over the events in
 * <dir>/events.sqlite, either with the projection runner or with the same work done directly on node:sqlite, and
 * prints {seconds, position, maxRssMB}.   node event-store-rebuild.child.js <dir> runner|raw
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { RecordedEvent } from '../src/event-store/event-store';
import { SqliteEventStore } from '../src/event-store/sqlite-event-store';
import { factOf } from '../src/projections/helpdesk-facts';
import { HISTORY_COLUMNS, historyContext, historyProjection, historyRow } from '../src/projections/history.projection';
import { openReadModelDb } from '../src/projections/projection';
import { createProjectionRunner } from '../src/projections/read-models';

export async function rebuildChild(dir: string, raw: boolean) {
  const started = performance.now();
  let position = 0n;
  if (raw) {
    // The same rows without the runner or the store adapter: read pages of the events table, parse, map each event
    // with the projection's own mapping (factOf, historyRow), plain prepared inserts, 10,000 events per commit, then
    // the same indexes. The floor the runner is compared with.
    const src = new DatabaseSync(join(dir, 'events.sqlite'), { readOnly: true });
    const dst = openReadModelDb(join(dir, 'raw-read.sqlite'));
    dst.exec('PRAGMA wal_autocheckpoint = 25000'); // as the runner does while rebuilding
    historyProjection.init(dst);
    const page = src.prepare(
      'SELECT position, event_id, stream_id, revision, type, data, metadata, time FROM events WHERE position > ? ORDER BY position LIMIT 10000',
    );
    page.setReadBigInts(true);
    const insert = dst.prepare(
      `INSERT INTO history (${HISTORY_COLUMNS.join(', ')}) VALUES (${HISTORY_COLUMNS.map(() => '?').join(', ')})`,
    );
    const index = dst.prepare('INSERT INTO history_people_index (key, position, as_actor) VALUES (?, ?, ?)');
    let after = 0n;
    for (;;) {
      const rows = page.all(after) as Array<Record<string, string | bigint>>;
      if (rows.length === 0) break;
      dst.exec('BEGIN');
      for (const r of rows) {
        const event: RecordedEvent = {
          position: r.position as bigint,
          id: r.event_id as string,
          streamId: r.stream_id as string,
          revision: r.revision as bigint,
          type: r.type as string,
          data: JSON.parse(r.data as string),
          metadata: JSON.parse(r.metadata as string),
          time: new Date(Number(r.time)),
        };
        const f = factOf(dst, historyContext, event);
        if (f.people.length === 0) continue;
        insert.run(...historyRow(event, f));
        for (const p of f.people) index.run(p.key, event.position, p.asActor ? 1 : 0);
      }
      dst.exec('COMMIT');
      after = rows[rows.length - 1].position as bigint;
    }
    for (const sql of historyProjection.indexes ?? []) dst.exec(sql);
    position = after;
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
