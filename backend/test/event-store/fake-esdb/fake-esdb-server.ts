/**
 * A small in-process EventStoreDB stand-in for tests: the real gRPC `Streams` service definition shipped by
 * `@eventstore/db-client` (generated/streams_grpc_pb.js), served by @grpc/grpc-js on 127.0.0.1:<random port>, so the
 * EventStoreDB adapter is exercised over real gRPC with the real client. Its semantics are pinned by the same
 * contract suite as the adapters (test/event-store/event-store.contract.ts).
 *
 * Implemented:
 * - Streams.Append (client-streaming): expected revision any / no_stream / stream_exists / exact, WrongExpectedVersion
 *   replies, idempotent retries (first event id already in the stream with the same ids following ⇒ earlier result).
 * - Streams.Read (server-streaming): a stream forwards/backwards from start/end/revision (inclusive) with a count and
 *   StreamNotFound; `$all` forwards (inclusive of the given position, as EventStoreDB) / backwards (exclusive) with a
 *   count and optional filter; `$all` subscriptions: confirmation, catch-up after the given position (exclusive), a
 *   CaughtUp message, then live events, with stream-name / event-type filters (regex or prefixes).
 *
 * Deliberately not implemented (the adapter does not use them; the client copes):
 * - ServerFeatures: not served, so the client gets UNIMPLEMENTED, assumes an unknown server version and uses the
 *   unary Append instead of BatchAppend (BatchAppend is therefore not served either).
 * - Gossip / cluster discovery: a single `esdb://host:port` endpoint needs none.
 * - Stream subscriptions, Delete, Tombstone, link events, filter checkpoints, authentication, TLS.
 *
 * Like a real server it writes system events (`$`-prefixed stream and type) into `$all` — one at start and, when
 * `systemEventEveryAppend` is set, one after every append — so the adapter's filtering of them is tested. Positions
 * grow by the size of each record (like EventStoreDB's byte offsets) from `firstPosition`, so they have gaps and can
 * start beyond 2^53.
 */
import { randomUUID } from 'node:crypto';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import * as grpc from '@grpc/grpc-js';

interface StoredEvent {
  id: string;
  streamId: string;
  revision: bigint;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
  createdTicks: string;
  position: bigint;
}

interface Filter {
  on: 'stream' | 'type';
  regex?: RegExp;
  prefixes?: string[];
}

interface Subscriber {
  call: grpc.ServerWritableStream<ReadReq, ReadResp>;
  filter?: Filter;
}

export interface FakeEsdbOptions {
  firstPosition?: bigint;
  systemEventEveryAppend?: boolean;
}

export class FakeEsdbServer {
  private readonly server = new grpc.Server();
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly subscribers = new Set<Subscriber>();
  private nextPosition: bigint;
  private port = 0;
  /** Calls received per method, for tests that check how the client talks to the server. */
  readonly calls = { append: 0, read: 0, subscribe: 0 };

  constructor(private readonly options: FakeEsdbOptions = {}) {
    this.nextPosition = options.firstPosition ?? 0n;
    this.server.addService(StreamsService, {
      append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, cb: grpc.sendUnaryData<AppendResp>) =>
        this.append(call, cb),
      read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => this.read(call),
    });
    this.write('$epochs', '$epoch-information', Buffer.from('{}'), new Uint8Array());
  }

  async start(): Promise<this> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    return this;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Ends every live subscription with UNAVAILABLE, as a server restart or network cut would. */
  dropSubscriptions(): void {
    for (const sub of this.subscribers) {
      sub.call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'subscription dropped by the test' });
    }
    this.subscribers.clear();
  }

  async stop(): Promise<void> {
    for (const sub of this.subscribers) sub.call.end();
    this.subscribers.clear();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
  }

  // --- Append -------------------------------------------------------------------------------------------------

  private append(call: grpc.ServerReadableStream<AppendReq, AppendResp>, cb: grpc.sendUnaryData<AppendResp>): void {
    this.calls.append += 1;
    let options: AppendReq.Options | undefined;
    const proposed: AppendReq.ProposedMessage[] = [];
    call.on('data', (req: AppendReq) => {
      if (req.hasOptions()) options = req.getOptions();
      else if (req.hasProposedMessage()) proposed.push(req.getProposedMessage() as AppendReq.ProposedMessage);
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      if (!options) return cb({ code: grpc.status.INVALID_ARGUMENT, details: 'options expected first' });
      cb(null, this.appendProposed(options, proposed));
    });
  }

  private appendProposed(options: AppendReq.Options, proposed: AppendReq.ProposedMessage[]): AppendResp {
    const streamId = streamName(options.getStreamIdentifier());
    const existing = this.streams.get(streamId) ?? [];
    const current = existing.length === 0 ? undefined : BigInt(existing.length - 1);
    const ids = proposed.map((m) => m.getId()?.getString() ?? randomUUID());
    const resp = new AppendResp();

    // Idempotent retry: the first id is already in the stream and the following ids match.
    const at = existing.findIndex((e) => e.id === ids[0]);
    if (ids.length > 0 && at >= 0) {
      const tail = existing.slice(at, at + ids.length);
      if (tail.length === ids.length && tail.every((e, i) => e.id === ids[i])) {
        return resp.setSuccess(success(tail[tail.length - 1].revision, tail[tail.length - 1].position));
      }
      return resp.setWrongExpectedVersion(wrongVersion(options, current));
    }

    const ok = (() => {
      switch (options.getExpectedStreamRevisionCase()) {
        case AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
          return current === undefined;
        case AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
          return current !== undefined;
        case AppendReq.Options.ExpectedStreamRevisionCase.REVISION:
          return current === BigInt(options.getRevision());
        default:
          return true;
      }
    })();
    if (!ok) return resp.setWrongExpectedVersion(wrongVersion(options, current));

    let last: StoredEvent | undefined;
    proposed.forEach((m, i) => {
      const meta = m.getMetadataMap();
      last = this.write(streamId, meta.get('type') ?? '', m.getData_asU8(), m.getCustomMetadata_asU8(), {
        id: ids[i],
        contentType: meta.get('content-type') ?? 'application/octet-stream',
      });
    });
    if (this.options.systemEventEveryAppend && last) {
      this.write('$stats-127.0.0.1:2113', '$statsCollected', Buffer.from('{"proc-cpu":0.1}'), new Uint8Array());
    }
    if (!last) {
      // Zero events: EventStoreDB reports the current revision (or no stream) and no position.
      const s = new AppendResp.Success();
      if (current === undefined) s.setNoStream(new Empty());
      else s.setCurrentRevision(current.toString());
      return resp.setSuccess(s.setNoPosition(new Empty()));
    }
    return resp.setSuccess(success(last.revision, last.position));
  }

  private write(
    streamId: string,
    type: string,
    data: Uint8Array,
    customMetadata: Uint8Array,
    extra: { id?: string; contentType?: string } = {},
  ): StoredEvent {
    const stream = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, stream);
    const event: StoredEvent = {
      id: extra.id ?? randomUUID(),
      streamId,
      revision: BigInt(stream.length),
      type,
      contentType: extra.contentType ?? 'application/json',
      data: Uint8Array.from(data),
      customMetadata: Uint8Array.from(customMetadata),
      createdTicks: (BigInt(Date.now()) * 10_000n).toString(),
      position: this.nextPosition,
    };
    // Like a transaction-log byte offset: a header plus the payload.
    this.nextPosition += 128n + BigInt(data.length + customMetadata.length + Buffer.byteLength(streamId));
    stream.push(event);
    this.log.push(event);
    for (const sub of this.subscribers) {
      if (matches(sub.filter, event)) sub.call.write(eventResp(event));
    }
    return event;
  }

  // --- Read -----------------------------------------------------------------------------------------------------

  private read(call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
    const options = call.request.getOptions();
    if (!options) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'options required' });
      return;
    }
    const filter = readFilter(options);
    if (options.hasSubscription()) {
      if (!options.hasAll()) {
        call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'stream subscriptions not faked' });
        return;
      }
      this.subscribeToAll(call, options, filter);
      return;
    }
    this.calls.read += 1;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const count = Number(options.getCount());
    let events: StoredEvent[];
    if (options.hasStream()) {
      const streamOptions = options.getStream() as ReadReq.Options.StreamOptions;
      const id = streamName(streamOptions.getStreamIdentifier());
      const stream = this.streams.get(id);
      if (!stream) {
        const notFound = new ReadResp.StreamNotFound().setStreamIdentifier(streamOptions.getStreamIdentifier());
        call.write(new ReadResp().setStreamNotFound(notFound));
        call.end();
        return;
      }
      const from = streamOptions.hasRevision()
        ? Number(streamOptions.getRevision())
        : streamOptions.hasEnd()
          ? stream.length - 1
          : backwards
            ? stream.length - 1
            : 0;
      events = backwards ? stream.slice(0, from + 1).reverse() : stream.slice(from);
    } else {
      const all = options.getAll() as ReadReq.Options.AllOptions;
      const at = all.hasPosition() ? BigInt(all.getPosition()?.getCommitPosition() ?? '0') : undefined;
      if (backwards) {
        const before = all.hasStart() ? -1n : at;
        events = this.log.filter((e) => before === undefined || e.position < before).reverse();
      } else {
        const from = all.hasEnd() ? this.nextPosition : at;
        events = this.log.filter((e) => from === undefined || e.position >= from);
      }
      events = events.filter((e) => matches(filter, e));
    }
    for (const e of events.slice(0, count)) call.write(eventResp(e));
    call.end();
  }

  private subscribeToAll(
    call: grpc.ServerWritableStream<ReadReq, ReadResp>,
    options: ReadReq.Options,
    filter: Filter | undefined,
  ): void {
    this.calls.subscribe += 1;
    const all = options.getAll() as ReadReq.Options.AllOptions;
    const confirmation = new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID());
    call.write(new ReadResp().setConfirmation(confirmation));
    // Catch-up and registration happen in one synchronous step, so no event falls between them.
    if (!all.hasEnd()) {
      const after = all.hasPosition() ? BigInt(all.getPosition()?.getCommitPosition() ?? '0') : undefined;
      for (const e of this.log) {
        if ((after === undefined || e.position > after) && matches(filter, e)) call.write(eventResp(e));
      }
    }
    call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
    const subscriber: Subscriber = { call, filter };
    this.subscribers.add(subscriber);
    const forget = () => this.subscribers.delete(subscriber);
    call.on('cancelled', forget);
    call.on('close', forget);
    call.on('error', forget);
  }
}

function streamName(identifier: StreamIdentifier | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

function readFilter(options: ReadReq.Options): Filter | undefined {
  if (!options.hasFilter()) return undefined;
  const f = options.getFilter() as ReadReq.Options.FilterOptions;
  const expr = f.hasStreamIdentifier() ? f.getStreamIdentifier() : f.getEventType();
  if (!expr) return undefined;
  return {
    on: f.hasStreamIdentifier() ? 'stream' : 'type',
    regex: expr.getRegex() ? new RegExp(expr.getRegex()) : undefined,
    prefixes: expr.getPrefixList().length > 0 ? expr.getPrefixList() : undefined,
  };
}

function matches(filter: Filter | undefined, e: StoredEvent): boolean {
  if (!filter) return true;
  const value = filter.on === 'stream' ? e.streamId : e.type;
  if (filter.regex && !filter.regex.test(value)) return false;
  if (filter.prefixes && !filter.prefixes.some((p) => value.startsWith(p))) return false;
  return true;
}

function success(revision: bigint, position: bigint): AppendResp.Success {
  const p = new AppendResp.Position().setCommitPosition(position.toString()).setPreparePosition(position.toString());
  return new AppendResp.Success().setCurrentRevision(revision.toString()).setPosition(p);
}

function wrongVersion(options: AppendReq.Options, current: bigint | undefined): AppendResp.WrongExpectedVersion {
  const w = new AppendResp.WrongExpectedVersion();
  if (current === undefined) w.setCurrentNoStream(new Empty());
  else w.setCurrentRevision(current.toString());
  switch (options.getExpectedStreamRevisionCase()) {
    case AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
      return w.setExpectedNoStream(new Empty());
    case AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      return w.setExpectedStreamExists(new Empty());
    case AppendReq.Options.ExpectedStreamRevisionCase.REVISION:
      return w.setExpectedRevision(options.getRevision());
    default:
      return w.setExpectedAny(new Empty());
  }
}

function eventResp(e: StoredEvent): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(e.id))
    .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(e.streamId, 'utf8')))
    .setStreamRevision(e.revision.toString())
    .setPreparePosition(e.position.toString())
    .setCommitPosition(e.position.toString())
    .setData(e.data)
    .setCustomMetadata(e.customMetadata);
  const meta = recorded.getMetadataMap();
  meta.set('type', e.type);
  meta.set('content-type', e.contentType);
  meta.set('created', e.createdTicks);
  const read = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(e.position.toString());
  return new ReadResp().setEvent(read);
}
