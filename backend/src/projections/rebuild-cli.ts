/**
 * Rebuilds read models from the event log:
 *
 *   node dist/projections/rebuild-cli.js <name|all> [--data-dir DIR] [--esdb esdb://host:2113?tls=false] [--from-scratch]
 *
 * <name> is a projection (history, audit) or `all`. The data directory defaults to UNLOCKDESK_DATA_DIR or ./.data,
 * the event store to UNLOCKDESK_EVENTSTORE_URL (EventStoreDB) or the embedded store in the data directory.
 * Wipes the read model and replays it from position 0, one transaction per batch with its checkpoint. If a rebuild
 * was interrupted (killed, crashed), running the command again resumes it from its checkpoint; --from-scratch wipes
 * again instead. Run it with the application stopped (the embedded store is for one process at a time).
 * Prints one JSON line per projection: {"projection", "resumedFrom", "position", "rows"…, "seconds"}.
 */
import { resolve } from 'node:path';
import { createEventStore } from '../event-store/create-event-store';
import { createProjectionRunner, DEFAULT_PROJECTIONS } from './read-models';

export async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const [, value] = args.splice(i, 2);
    return value;
  };
  const fromScratch = args.includes('--from-scratch');
  if (fromScratch) args.splice(args.indexOf('--from-scratch'), 1);
  const dataDir = resolve(flag('--data-dir') ?? process.env.UNLOCKDESK_DATA_DIR ?? '.data');
  const connectionString = flag('--esdb') ?? process.env.UNLOCKDESK_EVENTSTORE_URL;
  const batchSize = Number(flag('--batch-size') ?? 1000);
  const target = args[0];
  const names = DEFAULT_PROJECTIONS.map((p) => p.name);
  if (!target || (target !== 'all' && !names.includes(target))) {
    process.stderr.write(`usage: rebuild-cli <${[...names, 'all'].join('|')}> [--data-dir DIR] [--esdb URL]\n`);
    return 2;
  }

  const store = createEventStore({ connectionString, dataDir });
  const runner = createProjectionRunner(store, dataDir, DEFAULT_PROJECTIONS, {
    batchSize,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  try {
    for (const name of target === 'all' ? names : [target]) {
      const started = performance.now();
      const cp = runner.checkpoint(name);
      const resume = cp.rebuilding && !fromScratch;
      if (resume) {
        process.stderr.write(`projection ${name}: resuming an interrupted rebuild from ${cp.position ?? 0n}\n`);
        await runner.catchUp(name);
      } else {
        await runner.rebuild(name);
      }
      const after = runner.checkpoint(name);
      process.stdout.write(
        `${JSON.stringify({
          projection: name,
          resumedFrom: resume ? String(cp.position ?? 0n) : null,
          position: String(after.position ?? 0n),
          rebuilding: after.rebuilding,
          seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
        })}\n`,
      );
    }
    return 0;
  } finally {
    runner.db.close();
    await store.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`rebuild failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
