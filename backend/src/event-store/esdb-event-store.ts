import { randomUUID } from 'node:crypto';
import {
  type AllStreamResolvedEvent,
  BACKWARDS,
  END,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  EventStoreDBClient,
  eventTypeFilter,
  excludeSystemEvents,
  FORWARDS,
  type JSONType,
  jsonEvent,
  type Position,
  type ResolvedEvent,
  START,
  StreamNotFoundError,
  streamNameFilter,
} from '@eventstore/db-client';
import {
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  isSystemEvent,
  matchesFilter,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  StreamNotFound,
  type SubscribeToAllOptions,
  type Subscription,
  type SubscriptionFilter,
  WrongExpectedVersionError,
} from './event-store';

export interface EsdbEventStoreOptions {
  /** Events per page when reading `$all` (default 500). */
  pageSize?: number;
  /** First and maximum delay before re-subscribing after a dropped subscription (default 100 ms and 5 s). */
  resubscribeMinDelayMs?: number;
  resubscribeMaxDelayMs?: number;
  /** Called when a subscription drops and is about to be re-created (for logs). */
  onResubscribe?: (error: unknown, attempt: number, fromPosition: bigint | undefined) => void;
}

const U64_MAX = 2n ** 64n - 1n;

/**
 * EventStoreDB / KurrentDB adapter over `@eventstore/db-client` (gRPC).
 *
 * Positions: EventStoreDB positions are {commit, prepare}. Since v20 every event appended over gRPC is its own
 * committed record, so commit == prepare and the commit position alone identifies an event in `$all`; the port's
 * `position` is that commit position. To resume, the adapter passes {commit: p, prepare: p}. (Legacy explicit
 * transactions, only possible over the old TCP API, could give several events one commit position; this product
 * never writes them.) Stream reads on servers that do not report positions there give position -1n.
 */
export class EsdbEventStore implements EventStore {
  private readonly pageSize: number;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed = false;

  constructor(
    readonly client: EventStoreDBClient,
    private readonly options: EsdbEventStoreOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
  }

  /** e.g. `esdb://127.0.0.1:2113?tls=false` */
  static fromConnectionString(connectionString: string, options?: EsdbEventStoreOptions): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expectedRevision = options.expectedRevision ?? 'any';
    const payload = events.map((e) =>
      jsonEvent({
        id: e.id ?? randomUUID(),
        type: e.type,
        data: (e.data ?? null) as JSONType,
        metadata: e.metadata ?? {},
      }),
    );
    try {
      const result = await this.client.appendToStream(streamId, payload, { expectedRevision });
      return { nextRevision: BigInt(result.nextExpectedRevision), position: result.position?.commit ?? -1n };
    } catch (err) {
      if (err instanceof EsdbWrongExpectedVersionError) {
        const actual = err.actualVersion;
        throw new WrongExpectedVersionError(
          streamId,
          expectedRevision,
          typeof actual === 'bigint' ? actual : actual === undefined ? 'no_stream' : toActual(actual),
        );
      }
      throw err;
    }
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const direction = options.direction === 'backwards' ? BACKWARDS : FORWARDS;
    const stream = this.client.readStream(streamId, {
      direction,
      fromRevision: options.fromRevision ?? (direction === BACKWARDS ? END : START),
      maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
    });
    try {
      for await (const resolved of stream) {
        const event = toRecorded(resolved);
        if (event) yield event;
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) throw new StreamNotFound(streamId);
      throw err;
    } finally {
      await stream.cancel().catch(() => undefined);
    }
  }

  /**
   * Pages through `$all`, dropping system events and honouring the port's exclusive `fromPosition` whatever the
   * server does at the boundary (EventStoreDB's forward read includes the event at the given position).
   */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    // Exclusive bound: forwards skips positions <= cursor, backwards skips positions >= cursor.
    let cursor = options.fromPosition;
    while (remaining > 0) {
      const page = this.client.readAll({
        direction: backwards ? BACKWARDS : FORWARDS,
        fromPosition: cursor === undefined ? (backwards ? END : START) : pos(cursor),
        maxCount: this.pageSize,
      });
      let read = 0;
      let lastCommit: bigint | undefined;
      try {
        for await (const resolved of page) {
          read += 1;
          const p = resolved.event?.position?.commit;
          if (p === undefined) continue;
          lastCommit = p;
          if (cursor !== undefined && (backwards ? p >= cursor : p <= cursor)) continue;
          const event = toRecorded(resolved);
          if (!event || isSystemEvent(event.streamId, event.type)) continue;
          yield event;
          remaining -= 1;
          if (remaining <= 0) return;
        }
      } finally {
        await page.cancel().catch(() => undefined);
      }
      if (read < this.pageSize || lastCommit === undefined) return;
      // The next page starts at the last event seen; a forward read includes it again and the bound skips it.
      cursor = lastCommit;
    }
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    const sub = new EsdbSubscription(this, options.fromPosition, options.filter, this.options);
    this.subscriptions.add(sub);
    return sub;
  }

  async headPosition(): Promise<bigint> {
    for await (const e of this.readAll({ direction: 'backwards', maxCount: 1 })) return e.position;
    return 0n;
  }

  /** @internal */
  forget(sub: EsdbSubscription): void {
    this.subscriptions.delete(sub);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }
}

function pos(p: bigint): Position {
  return { commit: p, prepare: p };
}

function toActual(actual: unknown): bigint | 'no_stream' {
  if (actual === 'no_stream' || actual === 'any' || actual === 'stream_exists') return 'no_stream';
  try {
    return BigInt(actual as string);
  } catch {
    return 'no_stream';
  }
}

function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const e = resolved.event;
  if (!e) return undefined;
  let position = e.position?.commit ?? ('commitPosition' in resolved ? resolved.commitPosition : undefined) ?? -1n;
  if (position === U64_MAX) position = -1n;
  const metadata =
    e.metadata && typeof e.metadata === 'object' && !(e.metadata instanceof Uint8Array)
      ? (e.metadata as EventMetadata)
      : {};
  return {
    id: e.id,
    type: e.type,
    data: e.data,
    metadata,
    streamId: e.streamId,
    revision: BigInt(e.revision),
    position,
    time: e.created instanceof Date ? e.created : new Date(e.created as unknown as string),
  };
}

/** Server-side filter: one criterion (the client supports one); the rest is checked client-side. */
function serverFilter(filter: SubscriptionFilter | undefined) {
  if (filter?.streamPrefixes) return streamNameFilter({ prefixes: filter.streamPrefixes });
  if (filter?.eventTypes) {
    const escaped = filter.eventTypes.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return eventTypeFilter({ regex: `^(?:${escaped.join('|')})$` });
  }
  return excludeSystemEvents();
}

class EsdbSubscription implements Subscription {
  private closed = false;
  private iterating = false;
  private current: { unsubscribe(): Promise<void> } | undefined;
  private readonly closedSignal: Promise<void>;
  private signalClosed!: () => void;
  private last: bigint | undefined;

  constructor(
    private readonly store: EsdbEventStore,
    fromPosition: bigint | undefined,
    private readonly filter: SubscriptionFilter | undefined,
    private readonly options: EsdbEventStoreOptions,
  ) {
    this.last = fromPosition;
    this.closedSignal = new Promise((resolve) => {
      this.signalClosed = resolve;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.iterating) throw new Error('A subscription can be iterated once');
    this.iterating = true;
    return this.run();
  }

  /**
   * Subscribes from the last position seen; when the server drops the subscription (error or end of stream), waits
   * with exponential backoff and subscribes again from that position, so events are neither lost nor repeated.
   */
  private async *run(): AsyncGenerator<RecordedEvent> {
    const minDelay = this.options.resubscribeMinDelayMs ?? 100;
    const maxDelay = this.options.resubscribeMaxDelayMs ?? 5000;
    let attempt = 0;
    try {
      while (!this.closed && !this.store.isClosed) {
        const sub = this.store.client.subscribeToAll({
          fromPosition: this.last === undefined ? START : pos(this.last),
          filter: serverFilter(this.filter),
        });
        this.current = sub;
        let failure: unknown = new Error('subscription ended by the server');
        try {
          for await (const resolved of sub) {
            attempt = 0;
            const p = resolved.event?.position?.commit;
            if (p === undefined || (this.last !== undefined && p <= this.last)) continue;
            this.last = p;
            const event = toRecorded(resolved);
            if (!event || isSystemEvent(event.streamId, event.type)) continue;
            if (!matchesFilter(this.filter, event.streamId, event.type)) continue;
            yield event;
            if (this.closed) return;
          }
        } catch (err) {
          failure = err;
        } finally {
          this.current = undefined;
          await sub.unsubscribe().catch(() => undefined);
        }
        if (this.closed || this.store.isClosed) return;
        attempt += 1;
        this.options.onResubscribe?.(failure, attempt, this.last);
        const delay = Math.min(maxDelay, minDelay * 2 ** (attempt - 1));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, delay);
          }),
          this.closedSignal,
        ]);
        clearTimeout(timer);
      }
    } finally {
      this.closed = true;
      this.store.forget(this);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signalClosed();
    this.store.forget(this);
    await this.current?.unsubscribe().catch(() => undefined);
  }
}
