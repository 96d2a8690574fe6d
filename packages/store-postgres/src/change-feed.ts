/**
 * The change feed: one LISTEN session per store, reconnected with capped exponential backoff when it
 * drops. Events missed while it was down are made good by a resync when it is back: every app this
 * store has handed out (the only ones a gate can have cached) gets an event.
 */
import type { StoreEvent } from "@mcpgate/core";
import type { ListenSession, SqlExecutor } from "./executor.js";

/**
 * Where the change feed is. `"off"` when the store was created without one.
 *
 * @example
 * ```ts
 * const healthy = store.changeFeedState === "listening"; // e.g. for a readiness probe
 * ```
 */
export type ChangeFeedState = "connecting" | "listening" | "reconnecting" | "closed" | "off";

const EVENT_TYPES = new Set<StoreEvent["type"]>(["updated", "key_replaced", "deleted"]);

export interface ChangeFeedSettings {
  executor: SqlExecutor;
  channel: string;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  /** Events for everything that may have changed while the feed was down. */
  resync: () => Promise<StoreEvent[]>;
  onError: (error: unknown, context: string) => void;
}

export class ChangeFeed {
  readonly #s: ChangeFeedSettings;
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  #session: ListenSession | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #state: ChangeFeedState = "connecting";

  constructor(settings: ChangeFeedSettings) {
    this.#s = settings;
  }

  get state(): ChangeFeedState {
    return this.#state;
  }

  /** Opens the first session; rejects when the database cannot be reached. */
  async start(): Promise<void> {
    this.#session = await this.#open();
    this.#state = "listening";
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#state = "closed";
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const session = this.#session;
    this.#session = undefined;
    this.#listeners.clear();
    await session?.stop();
  }

  /** A method, not a field comparison: the state changes across awaits. */
  #isClosed(): boolean {
    return this.#state === "closed";
  }

  #open(): Promise<ListenSession> {
    return this.#s.executor.listen(
      this.#s.channel,
      (payload) => this.#onPayload(payload),
      (error) => this.#onLost(error),
    );
  }

  #onPayload(payload: string): void {
    let event: StoreEvent;
    try {
      const parsed = JSON.parse(payload) as Partial<StoreEvent>;
      if (!EVENT_TYPES.has(parsed.type as StoreEvent["type"]) || typeof parsed.appId !== "string") {
        throw new Error(`unexpected notification payload ${JSON.stringify(payload)}`);
      }
      event = { type: parsed.type as StoreEvent["type"], appId: parsed.appId };
    } catch (error) {
      this.#s.onError(error, "changeFeed");
      return;
    }
    this.#emit(event);
  }

  #emit(event: StoreEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A subscriber's failure must not stop the others or the feed.
        this.#s.onError(error, "subscriber");
      }
    }
  }

  #onLost(error: unknown): void {
    this.#session = undefined;
    if (this.#isClosed()) return;
    this.#s.onError(error, "changeFeed");
    this.#state = "reconnecting";
    if (this.#timer === undefined) this.#schedule();
  }

  #schedule(): void {
    const { initialDelayMs, maxDelayMs } = this.#s.reconnect;
    const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** this.#attempt);
    this.#attempt++;
    // Jitter spreads the reconnects of many instances after a database restart.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.#timer = setTimeout(() => {
      this.#reconnect().catch((error: unknown) => this.#s.onError(error, "changeFeed"));
    }, delay);
    this.#timer.unref();
  }

  async #reconnect(): Promise<void> {
    this.#timer = undefined;
    if (this.#isClosed()) return;
    let session: ListenSession;
    try {
      session = await this.#open();
    } catch (error) {
      this.#s.onError(error, "changeFeed");
      if (!this.#isClosed()) this.#schedule();
      return;
    }
    if (this.#isClosed()) {
      await session.stop();
      return;
    }
    this.#session = session;
    // LISTEN is active again, so nothing from here on is missed; catch up on what was.
    let missed: StoreEvent[];
    try {
      missed = await this.#s.resync();
    } catch (error) {
      // Cannot tell what changed: drop the session and try the whole thing again.
      this.#session = undefined;
      await session.stop();
      this.#onLost(error);
      return;
    }
    this.#attempt = 0;
    // The new session may already have dropped (a reconnect is then scheduled); stay "reconnecting".
    if (this.#timer === undefined && this.#session === session) this.#state = "listening";
    for (const event of missed) this.#emit(event);
  }
}
