/**
 * Back-pressure-free delivery of audit events: `emit` is O(1), never awaits and never throws;
 * subscribers run later, off the request path, and a slow or failing one cannot slow or fail the
 * code that emitted.
 */
import { z } from "zod";
import type { McpgateEvent } from "./events.js";
import { zodFieldError } from "./options.js";

/** A subscriber. It may be async; its promise is not awaited, only its rejection is caught. */
export type EventListener = (event: McpgateEvent) => void | Promise<void>;

/** Options of {@link createEventBus}. */
export interface EventBusOptions {
  /**
   * Events held for delivery at most (default 10 000). When subscribers fall behind and the
   * queue is full, new events are dropped and counted in {@link EventBus.dropped}.
   */
  maxQueue?: number;
  /** Called when a subscriber throws or rejects. Default: ignored. Must not throw. */
  onListenerError?: (error: unknown, event: McpgateEvent) => void;
}

/** The delivery primitive: many emitters, many subscribers, a bounded queue between them. */
export interface EventBus {
  /**
   * True when at least one subscriber is attached. Check it before building an event, so an
   * unobserved gate pays nothing: `if (bus.hasSubscribers) bus.emit(makeEvent(…))`.
   */
  readonly hasSubscribers: boolean;
  /** Events dropped because the queue was full, since the bus was created. */
  readonly dropped: number;
  /** Events waiting for delivery. */
  readonly pending: number;
  /** Adds a subscriber; returns the function that removes it. */
  subscribe(listener: EventListener): () => void;
  /** Queues an event for every subscriber. O(1); never throws; a no-op without subscribers. */
  emit(event: McpgateEvent): void;
  /** Resolves when every event queued so far has been handed to the subscribers. */
  drained(): Promise<void>;
}

const optionsSchema = z.strictObject({
  maxQueue: z.number().int().min(1).max(10_000_000).default(10_000),
  onListenerError: z
    .custom<NonNullable<EventBusOptions["onListenerError"]>>(
      (value) => typeof value === "function",
      "Expected a function",
    )
    .optional(),
});

/**
 * Creates an {@link EventBus}. Events are delivered in emit order, in batches on a later
 * turn of the event loop (`setImmediate`), to the subscribers attached at delivery time.
 *
 * @throws TypeError for bad options.
 * @example
 * ```ts
 * const bus = createEventBus({ maxQueue: 5_000 });
 * const unsubscribe = bus.subscribe((event) => console.log(event.type, event.at));
 * ```
 */
export function createEventBus(options: EventBusOptions = {}): EventBus {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw zodFieldError("event bus options", parsed.error);
  const { maxQueue, onListenerError } = parsed.data;

  let listeners: readonly EventListener[] = [];
  let queue: McpgateEvent[] = [];
  let scheduled = false;
  let dropped = 0;
  let waiters: (() => void)[] = [];

  const report = (error: unknown, event: McpgateEvent): void => {
    try {
      onListenerError?.(error, event);
    } catch {
      // A failing error handler must not stop delivery either.
    }
  };

  const deliver = (): void => {
    scheduled = false;
    const batch = queue;
    queue = [];
    const current = listeners;
    for (const event of batch) {
      for (const listener of current) {
        try {
          const result = listener(event);
          if (result instanceof Promise) result.catch((error: unknown) => report(error, event));
        } catch (error) {
          report(error, event);
        }
      }
    }
    if (queue.length > 0) {
      schedule();
      return;
    }
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(deliver);
  };

  return Object.freeze({
    get hasSubscribers() {
      return listeners.length > 0;
    },
    get dropped() {
      return dropped;
    },
    get pending() {
      return queue.length;
    },
    subscribe(listener: EventListener): () => void {
      if (typeof listener !== "function") throw new TypeError("listener must be a function");
      // Copy on write: a delivery in progress keeps the list it started with.
      listeners = [...listeners, listener];
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        listeners = listeners.filter((other) => other !== listener);
      };
    },
    emit(event: McpgateEvent): void {
      if (listeners.length === 0) return;
      if (queue.length >= maxQueue) {
        dropped++;
        return;
      }
      queue.push(event);
      schedule();
    },
    drained(): Promise<void> {
      if (queue.length === 0 && !scheduled) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  });
}
