/**
 * Stream resumability (SEP-1699): the SDK stores each SSE event in an `EventStore` and replays the
 * ones after a client's `Last-Event-ID`. Event ids travel to the client, so a replay must only
 * ever reach the session (and so the app and key generation) that produced the events: each
 * session sees the store through {@link scopeEventStore}, which prefixes its stream ids.
 */
import { randomBytes } from "node:crypto";
import type {
  EventId,
  EventStore,
  StreamId,
} from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export type { EventStore };

/** Set by {@link MemoryEventStore}'s static block: drops every stream whose id starts with a prefix. */
let forgetStreams: (store: MemoryEventStore, prefix: string) => void;

/**
 * A bounded in-memory {@link EventStore} for resumable streams on one instance: it keeps the
 * newest `maxEvents` events (oldest dropped first). Event ids are random, so they reveal nothing
 * about other streams. For several instances behind a load balancer, implement `EventStore` on
 * shared storage instead.
 *
 * @example
 * ```ts
 * createMcpEndpoint({ gate, mode: "stateful", server, eventStore: new MemoryEventStore() });
 * ```
 */
export class MemoryEventStore implements EventStore {
  readonly #maxEvents: number;
  /** Every event, oldest first. */
  readonly #events = new Map<EventId, { streamId: StreamId; message: JSONRPCMessage }>();
  /** Per stream, its event ids in order. */
  readonly #streams = new Map<StreamId, EventId[]>();
  /**
   * Every event id in the order stored, from `#head` on; ids of events already forgotten are passed
   * over. Finding the oldest event this way is O(1) amortized; a `Map`'s first key is not (it is
   * found past the tombstones of every key deleted before it).
   */
  #order: EventId[] = [];
  #head = 0;

  static {
    forgetStreams = (store, prefix) => store.#forget(prefix);
  }

  /** @throws TypeError when `maxEvents` is not a positive integer. */
  constructor(options: { maxEvents?: number } = {}) {
    const maxEvents = options.maxEvents ?? 10_000;
    if (!Number.isInteger(maxEvents) || maxEvents < 1) {
      throw new TypeError("MemoryEventStore: maxEvents must be a positive integer");
    }
    this.#maxEvents = maxEvents;
  }

  /** Events held now (at most `maxEvents`). */
  get size(): number {
    return this.#events.size;
  }

  storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const eventId = randomBytes(12).toString("base64url");
    this.#events.set(eventId, { streamId, message });
    let stream = this.#streams.get(streamId);
    if (stream === undefined) this.#streams.set(streamId, (stream = []));
    stream.push(eventId);
    this.#order.push(eventId);
    if (this.#events.size > this.#maxEvents) this.#dropOldest();
    // Ids of forgotten events are dropped in one pass once they could outnumber the live ones.
    if (this.#order.length - this.#head > 2 * this.#maxEvents) {
      this.#order = this.#order.slice(this.#head).filter((id) => this.#events.has(id));
      this.#head = 0;
    }
    return Promise.resolve(eventId);
  }

  getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return Promise.resolve(this.#events.get(eventId)?.streamId);
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const streamId = this.#events.get(lastEventId)?.streamId;
    if (streamId === undefined) throw new Error("Unknown event id");
    const stream = this.#streams.get(streamId) ?? [];
    for (const eventId of stream.slice(stream.indexOf(lastEventId) + 1)) {
      const message = this.#events.get(eventId)?.message;
      // Priming events (SEP-1699) are stored as `{}`: they carry an id, not a message.
      if (message !== undefined && "jsonrpc" in message) await send(eventId, message);
    }
    return streamId;
  }

  #forget(prefix: string): void {
    for (const [streamId, eventIds] of this.#streams) {
      if (!streamId.startsWith(prefix)) continue;
      for (const eventId of eventIds) this.#events.delete(eventId);
      this.#streams.delete(streamId);
    }
  }

  #dropOldest(): void {
    while (this.#head < this.#order.length) {
      const eventId = this.#order[this.#head++] as EventId;
      const event = this.#events.get(eventId);
      if (event === undefined) continue; // forgotten with its session
      this.#events.delete(eventId);
      const stream = this.#streams.get(event.streamId);
      stream?.shift(); // the oldest event overall is the oldest of its stream
      if (stream?.length === 0) this.#streams.delete(event.streamId);
      break;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * Drops the events of a closed session from a {@link MemoryEventStore} at once: nothing can replay
 * them any more (the session is gone). Other stores age them out on their own terms.
 */
export function forgetScope(store: EventStore, scope: string): void {
  if (store instanceof MemoryEventStore) forgetStreams(store, `${scope}/`);
}

/**
 * The store as one session sees it: its stream ids are prefixed with `scope` (app, key
 * generation, session), and an event id of any other scope is unknown to it.
 */
export function scopeEventStore(store: EventStore, scope: string): EventStore {
  const prefix = `${scope}/`;
  const ownStream = async (eventId: EventId): Promise<StreamId | undefined> => {
    const streamId = store.getStreamIdForEventId
      ? await store.getStreamIdForEventId(eventId)
      : await store.replayEventsAfter(eventId, { send: () => Promise.resolve() });
    return streamId?.startsWith(prefix) === true ? streamId.slice(prefix.length) : undefined;
  };
  return {
    storeEvent: (streamId, message) => store.storeEvent(prefix + streamId, message),
    getStreamIdForEventId: ownStream,
    async replayEventsAfter(lastEventId, { send }) {
      // The SDK asked getStreamIdForEventId first; check again so no code path replays another
      // scope's events.
      const streamId = await ownStream(lastEventId);
      if (streamId === undefined) throw new Error("Unknown event id");
      await store.replayEventsAfter(lastEventId, { send });
      return streamId;
    },
  };
}
