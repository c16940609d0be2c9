/**
 * The event-store port. Every authentication and unlock fact is appended here; read models are projected from it.
 *
 * Semantics follow EventStoreDB so that the embedded adapter (node:sqlite) and the EventStoreDB adapter are
 * interchangeable, and one contract suite (test/event-store/event-store.contract.ts) pins both:
 * - A stream is an ordered sequence of events; revisions start at 0n. `append` checks an expected revision
 *   ('no_stream' | 'stream_exists' | 'any' | exact bigint) and is atomic for the whole batch.
 * - Every event also has a global `position` in the `$all` log, strictly increasing in append order. Positions are
 *   opaque bigints: the embedded store numbers events 1, 2, 3…; EventStoreDB uses the commit position (a byte offset
 *   in its transaction log), so gaps are normal. Never do arithmetic on positions; compare them.
 * - `readAll` and `subscribeToAll` are exclusive of `fromPosition` (they start after it), like an EventStoreDB
 *   subscription resuming from a checkpoint.
 * - Appending again a batch whose events (by id) are already in that stream at the tail of an earlier append is
 *   idempotent: nothing is written and the earlier result is returned.
 * - System events (EventStoreDB's `$`-prefixed streams and types) never reach callers.
 */

export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | bigint;

/** Well-known metadata carried by every event; free extra keys are allowed. */
export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  /** Who did it: an agent id, a kiosk id, or `system`. */
  actor?: string;
  /** `admin` | `kiosk` | `api` | `system`… */
  client?: string;
  ip?: string;
  userAgent?: string;
  schemaVersion?: number;
  [key: string]: unknown;
}

export interface NewEvent<Type extends string = string, Data = unknown> {
  /** A UUID; generated when absent. Re-sending the same id makes a retried append idempotent. */
  id?: string;
  type: Type;
  /** Any JSON value. */
  data: Data;
  metadata?: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  id: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  streamId: string;
  revision: bigint;
  /** Global position in `$all`; -1n only when an EventStoreDB server does not report it on a stream read. */
  position: bigint;
  time: Date;
}

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream (pass it as the next expectedRevision). */
  nextRevision: bigint;
  /** Global position of the last appended event. */
  position: bigint;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  direction?: Direction;
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  fromRevision?: bigint;
  maxCount?: number;
}

export interface ReadAllOptions {
  direction?: Direction;
  /** Exclusive: forwards reads events after it, backwards reads events before it. Defaults to start/end. */
  fromPosition?: bigint;
  maxCount?: number;
}

export interface SubscriptionFilter {
  /** Only events whose stream id starts with one of these. */
  streamPrefixes?: string[];
  /** Only events of one of these types. */
  eventTypes?: string[];
}

export interface SubscribeToAllOptions {
  /** Exclusive; from the start when absent. */
  fromPosition?: bigint;
  filter?: SubscriptionFilter;
}

/** Catch-up subscription: every matching event after `fromPosition`, then live ones, in position order. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  /** Ends the iteration (a pending `next()` resolves with done) and releases resources. */
  close(): Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Throws StreamNotFound (when iterated) if the stream has no events. */
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): Subscription;
  /** Position of the last (non-system) event, or 0n when the store is empty. */
  headPosition(): Promise<bigint>;
  close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's current revision, or 'no_stream'. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(
      `Append to stream "${streamId}" expected revision ${String(expected)} but the stream is at ${String(actual)}`,
    );
  }
}

/**
 * Reading a stream that has no events. Expected in normal operation (a new case, an unenrolled user: several per
 * unlock), so it is built without a stack trace: capturing one through the async read path cost more than the read.
 */
export class StreamNotFound extends Error {
  override readonly name = 'StreamNotFound';
  readonly streamId: string;
  constructor(streamId: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`Stream "${streamId}" not found`);
    Error.stackTraceLimit = limit;
    this.streamId = streamId;
  }
}

/** EventStoreDB's own events ($-prefixed types or streams) are not part of the product's history. */
export function isSystemEvent(streamId: string, type: string): boolean {
  return type.startsWith('$') || streamId.startsWith('$');
}

export function matchesFilter(filter: SubscriptionFilter | undefined, streamId: string, type: string): boolean {
  if (!filter) return true;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => streamId.startsWith(p))) return false;
  if (filter.eventTypes && !filter.eventTypes.includes(type)) return false;
  return true;
}

/** Reads a whole stream into memory; an absent stream gives []. For small aggregate streams only. */
export async function readStreamToArray(store: EventStore, streamId: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  try {
    for await (const e of store.readStream(streamId)) out.push(e);
  } catch (err) {
    if (err instanceof StreamNotFound) return [];
    throw err;
  }
  return out;
}
