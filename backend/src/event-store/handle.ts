/**
 * Command handling in the Emmett style: read the stream, fold it with `evolve` into state, `decide` what happens, and
 * append the decided events with the revision that was read (no_stream when the stream was empty), so a concurrent
 * writer makes the append fail instead of being silently overwritten. Retry on conflict only when the command asks.
 */
import { randomUUID } from 'node:crypto';
import type { Decider, DomainEvent } from '../shared/decider';
import type { SchemaVersions, StoredEvent } from '../shared/events';
import {
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  StreamNotFound,
  WrongExpectedVersionError,
} from './event-store';

export type { Decider, DomainEvent } from '../shared/decider';

/**
 * A stream's decider (the pure `initialState`/`evolve`/`decide` of `shared/decider.ts`) plus how its events are
 * versioned: `schemaVersions` is written into each new event's metadata, `upcast` brings a stored event up to the
 * current shape before `evolve` sees it. A `decide` that refuses without recording throws a DomainRefusal, which
 * `handle` lets through untouched (nothing is appended).
 */
export type StreamDecider<Command, Event extends DomainEvent<string, unknown>, State> = Decider<
  Command,
  Event,
  State
> & {
  schemaVersions?: SchemaVersions<Event['type']>;
  upcast?: (stored: StoredEvent) => Event;
};

export interface HandleOptions {
  /** Metadata for every appended event (merged under each event's own). */
  metadata?: EventMetadata;
  /** Re-read, re-decide and re-append this many times on a concurrency conflict (default 0: fail fast). */
  retryOnConflict?: number | boolean;
  /** Ids for the new events, e.g. to make a retried HTTP request idempotent; generated when absent. */
  eventIds?: string[];
}

export type HandleResult<Event, State> = {
  newEvents: Event[];
  newState: State;
  /** The append result, or undefined when nothing was decided. */
  appended?: AppendResult;
  /** The stream's revision after the command (-1n: the stream does not exist). */
  revision: bigint;
};

const DEFAULT_RETRIES = 3;

export async function handle<Command, Event extends DomainEvent<string, unknown>, State>(
  store: EventStore,
  streamId: string,
  decider: StreamDecider<Command, Event, State>,
  command: Command,
  options: HandleOptions & {
    /**
     * The stream as the caller has just read or written it (e.g. the result of the previous handle on it): the first
     * attempt decides on it instead of reading the stream again. It is safe when stale: the append then fails its
     * expected revision and, with retryOnConflict, the next attempt reads the stream. A decision of no events (a
     * refusal thrown, or nothing to do) is answered from it as it was read, which is what the caller saw.
     */
    known?: { state: State; revision: bigint };
  } = {},
): Promise<HandleResult<Event, State>> {
  const retries =
    options.retryOnConflict === true ? DEFAULT_RETRIES : options.retryOnConflict ? options.retryOnConflict : 0;
  for (let attempt = 0; ; attempt++) {
    const { state, revision } =
      attempt === 0 && options.known ? options.known : await aggregate(store, streamId, decider);
    const newEvents = decider.decide(command, state);
    const newState = newEvents.reduce(decider.evolve, state);
    if (newEvents.length === 0) return { newEvents, newState, revision };
    const expectedRevision: ExpectedRevision = revision < 0n ? 'no_stream' : revision;
    try {
      const appended = await store.append(streamId, toNewEvents(newEvents, decider, options), { expectedRevision });
      return { newEvents, newState, appended, revision: appended.nextRevision };
    } catch (err) {
      if (err instanceof WrongExpectedVersionError && attempt < retries) continue;
      throw err;
    }
  }
}

/** Folds a stream into state; revision -1n when the stream does not exist. */
export async function aggregate<Event extends DomainEvent<string, unknown>, State>(
  store: EventStore,
  streamId: string,
  decider: Pick<StreamDecider<unknown, Event, State>, 'initialState' | 'evolve' | 'upcast'>,
): Promise<{ state: State; revision: bigint }> {
  let state = decider.initialState();
  let revision = -1n;
  const upcast = decider.upcast ?? ((stored: StoredEvent) => ({ type: stored.type, data: stored.data }) as Event);
  try {
    for await (const e of store.readStream(streamId)) {
      const schemaVersion = typeof e.metadata.schemaVersion === 'number' ? e.metadata.schemaVersion : undefined;
      state = decider.evolve(state, upcast({ type: e.type, data: e.data, schemaVersion }));
      revision = e.revision;
    }
  } catch (err) {
    if (!(err instanceof StreamNotFound)) throw err;
  }
  return { state, revision };
}

function toNewEvents<Event extends DomainEvent<string, unknown>>(
  events: Event[],
  decider: Pick<StreamDecider<unknown, Event, unknown>, 'schemaVersions'>,
  options: HandleOptions,
): NewEvent[] {
  return events.map((e, i) => {
    const own = (e as { metadata?: EventMetadata }).metadata;
    const schemaVersion = (decider.schemaVersions as Record<string, number> | undefined)?.[e.type];
    return {
      id: options.eventIds?.[i] ?? randomUUID(),
      type: e.type,
      data: e.data as NewEvent['data'],
      metadata: { ...options.metadata, ...own, ...(schemaVersion ? { schemaVersion } : {}) },
    };
  });
}
