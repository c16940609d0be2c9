import { join } from 'node:path';
import type { EsdbEventStoreOptions } from './esdb-event-store';
import type { EventStore } from './event-store';
import { SqliteEventStore } from './sqlite-event-store';

export interface EventStoreSelection {
  /** `esdb://host:2113?tls=false` selects EventStoreDB; absent, the embedded store in `dataDir` is used. */
  connectionString?: string;
  dataDir: string;
  esdb?: EsdbEventStoreOptions;
}

export function eventStoreFile(dataDir: string): string {
  return join(dataDir, 'events.sqlite');
}

/** The configured adapter. The EventStoreDB client is only loaded when a connection string is given. */
export function createEventStore(selection: EventStoreSelection): EventStore {
  if (selection.connectionString) {
    const { EsdbEventStore } = require('./esdb-event-store') as typeof import('./esdb-event-store');
    return EsdbEventStore.fromConnectionString(selection.connectionString, selection.esdb);
  }
  return new SqliteEventStore({ file: eventStoreFile(selection.dataDir) });
}
