/**
 * Command handling in the Emmett style: read the stream, fold it with `evolve` into state, `decide` what happens, and
 * append the decided events with the revision that was read (no_stream when the stream was empty), so a concurrent
 * writer makes the append fail instead of being silently overwritten. Retry on conflict only when the command asks.
 */
import { randomUUID } from 'node:crypto';
import {
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  StreamNotFound,
  WrongExpectedVersionError,
} from './event-store';

/** A domain event as deciders see it. Recorded events (with position, metadata…) also fit. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/** A decision not to act, with a clear reason; nothing is appended. (Refusals to record are events instead.) */
export class Refusal<Reason extends string = string> {
  constructor(
    readonly reason: Reason,
    readonly details: Record<string, unknown> = {},
  ) {}
}

export interface Decider<Command, Event extends DomainEvent, State> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  /** Returns the events to append (possibly none) or a Refusal; may also throw. */
  decide: (command: Command, state: State) => Event | readonly Event[] | Refusal;
}

export interface HandleOptions {
  /** Metadata for every appended event (merged under each event's own). */
  metadata?: EventMetadata;
  /** Re-read, re-decide and re-append this many times on a concurrency conflict (default 0: fail fast). */
  retryOnConflict?: number | boolean;
  /** Ids for the new events, e.g. to make a retried HTTP request idempotent; generated when absent. */
  eventIds?: string[];
}

export type HandleResult<Event extends DomainEvent, State> =
  | {
      ok: true;
      newEvents: Event[];
      newState: State;
      /** The append result, or undefined when nothing was decided. */
      appended?: AppendResult;
      /** The stream's revision after the command (-1n: the stream does not exist). */
      revision: bigint;
    }
  | { ok: false; refusal: Refusal; state: State; revision: bigint };

const DEFAULT_RETRIES = 3;

export async function handle<Command, Event extends DomainEvent, State>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  options: HandleOptions = {},
): Promise<HandleResult<Event, State>> {
  const retries =
    options.retryOnConflict === true ? DEFAULT_RETRIES : options.retryOnConflict ? options.retryOnConflict : 0;
  for (let attempt = 0; ; attempt++) {
    const { state, revision } = await aggregate(store, streamId, decider);
    const decision = decider.decide(command, state);
    if (decision instanceof Refusal) return { ok: false, refusal: decision, state, revision };
    const newEvents: Event[] = Array.isArray(decision) ? [...decision] : [decision as Event];
    const newState = newEvents.reduce(decider.evolve, state);
    if (newEvents.length === 0) return { ok: true, newEvents, newState, revision };
    const expectedRevision: ExpectedRevision = revision < 0n ? 'no_stream' : revision;
    try {
      const appended = await store.append(streamId, toNewEvents(newEvents, options), { expectedRevision });
      return { ok: true, newEvents, newState, appended, revision: appended.nextRevision };
    } catch (err) {
      if (err instanceof WrongExpectedVersionError && attempt < retries) continue;
      throw err;
    }
  }
}

/** Folds a stream into state; revision -1n when the stream does not exist. */
export async function aggregate<Event extends DomainEvent, State>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
): Promise<{ state: State; revision: bigint }> {
  let state = decider.initialState();
  let revision = -1n;
  try {
    for await (const e of store.readStream(streamId)) {
      state = decider.evolve(state, e as RecordedEvent as unknown as Event);
      revision = e.revision;
    }
  } catch (err) {
    if (!(err instanceof StreamNotFound)) throw err;
  }
  return { state, revision };
}

function toNewEvents(events: DomainEvent[], options: HandleOptions): NewEvent[] {
  return events.map((e, i) => {
    const own = (e as { metadata?: EventMetadata }).metadata;
    return {
      id: options.eventIds?.[i] ?? randomUUID(),
      type: e.type,
      data: e.data,
      metadata: { ...options.metadata, ...own },
    };
  });
}
