/**
 * The projection thread (see ProjectionThread): runs the product's read models with the ProjectionRunner, over its own
 * read-model connection and its own event store: a read-only follower of the embedded store, woken by the main
 * thread's commit notices, or its own EventStoreDB client (whose subscription is live by itself).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEventStore, eventStoreFile } from '../event-store/create-event-store';
import type { EventStore } from '../event-store/event-store';
import { SqliteEventStore } from '../event-store/sqlite-event-store';
import type { ProjectionRunner } from './projection-runner';
import type { FromProjectionThread, ProjectionThreadData, ToProjectionThread } from './projection-thread';
import { createProjectionRunner, DEFAULT_PROJECTIONS } from './read-models';

if (parentPort) {
  const port = parentPort;
  const { dataDir, connectionString, followerPollMs } = workerData as ProjectionThreadData;
  const post = (message: FromProjectionThread) => port.postMessage(message);
  const log = (message: string) => post({ type: 'log', message });
  const store: EventStore = connectionString
    ? createEventStore({
        connectionString,
        dataDir,
        esdb: {
          onResubscribe: (err, attempt, from) =>
            log(
              `projection thread: subscription dropped (${err instanceof Error ? err.message : String(err)}); ` +
                `re-subscribing from ${from ?? 'start'} (attempt ${attempt})`,
            ),
        },
      })
    : new SqliteEventStore({
        file: eventStoreFile(dataDir),
        follower: true,
        ...(followerPollMs ? { pollIntervalMs: followerPollMs } : {}),
      });
  const runner: ProjectionRunner = createProjectionRunner(store, dataDir, DEFAULT_PROJECTIONS, {
    log,
    // Status changes are rare (per projection, not per event): each is sent at once, even mid catch-up.
    onStatusChange: () => post({ type: 'status', states: runner.statuses() }),
  });
  port.on('message', (message: ToProjectionThread) => {
    if (message.type === 'committed') {
      if (store instanceof SqliteEventStore) store.headMoved();
      return;
    }
    void (async () => {
      await runner.stop();
      runner.db.close();
      await store.close();
      port.close(); // nothing else holds the thread: it exits
    })();
  });
  // A failure to prepare the projections is thrown here (unhandled): the thread exits with it and the main thread
  // reports it.
  void runner.start().then(() => post({ type: 'started', states: runner.statuses() }));
}
