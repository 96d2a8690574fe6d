import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEventBus, makeEvent, type McpgateEvent } from "../src/index.js";

const event = (n: number): McpgateEvent =>
  makeEvent({ type: "key.deleted", appId: `app-${n}` }, Date.UTC(2026, 10, 30));

describe("createEventBus", () => {
  it("stamps events with the schema version and ISO time", () => {
    expect(event(1)).toEqual({
      type: "key.deleted",
      appId: "app-1",
      version: 1,
      at: "2026-11-30T00:00:00.000Z",
    });
  });

  it("without subscribers, emit does nothing and queues nothing", () => {
    const bus = createEventBus({ maxQueue: 1 });
    expect(bus.hasSubscribers).toBe(false);
    for (let i = 0; i < 10; i++) bus.emit(event(i));
    expect(bus.pending).toBe(0);
    expect(bus.dropped).toBe(0);
  });

  it("delivers later, never inside emit, and a throwing or rejecting subscriber affects no one", async () => {
    const errors: unknown[] = [];
    const bus = createEventBus({ onListenerError: (error) => errors.push(error) });
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error("sync");
    });
    bus.subscribe(() => Promise.reject(new Error("async")));
    bus.subscribe((e) => void seen.push(e.type));
    expect(() => bus.emit(event(1))).not.toThrow();
    expect(seen).toEqual([]);
    await bus.drained();
    expect(seen).toEqual(["key.deleted"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.map((error) => (error as Error).message).sort()).toEqual(["async", "sync"]);
  });

  it("a slow async subscriber does not hold delivery to the others", async () => {
    const bus = createEventBus();
    let release!: () => void;
    bus.subscribe(() => new Promise<void>((resolve) => (release = resolve)));
    const seen: number[] = [];
    bus.subscribe(() => void seen.push(seen.length));
    bus.emit(event(1));
    bus.emit(event(2));
    await bus.drained();
    expect(seen).toEqual([0, 1]);
    release();
  });

  it("unsubscribing stops delivery", async () => {
    const bus = createEventBus();
    const seen: McpgateEvent[] = [];
    const unsubscribe = bus.subscribe((e) => void seen.push(e));
    unsubscribe();
    unsubscribe();
    expect(bus.hasSubscribers).toBe(false);
    bus.emit(event(1));
    await bus.drained();
    expect(seen).toEqual([]);
  });

  it("rejects bad options when created", () => {
    expect(() => createEventBus({ maxQueue: 0 })).toThrow(/maxQueue/);
    expect(() => createEventBus({ onListenerError: 1 as never })).toThrow(/onListenerError/);
  });

  it("delivers in emit order, drops only when full, and never holds more than maxQueue (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        // Bursts of emits separated by delivery turns.
        fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 6 }),
        async (maxQueue, bursts) => {
          const bus = createEventBus({ maxQueue });
          const seen: string[] = [];
          bus.subscribe((e) => void seen.push((e as { appId: string }).appId));
          const expected: string[] = [];
          let n = 0;
          for (const burst of bursts) {
            for (let i = 0; i < burst; i++, n++) {
              bus.emit(event(n));
              if (i < maxQueue) expected.push(`app-${n}`);
              expect(bus.pending).toBeLessThanOrEqual(maxQueue);
            }
            await bus.drained();
          }
          expect(seen).toEqual(expected);
          expect(bus.dropped).toBe(n - expected.length);
        },
      ),
      { numRuns: 100 },
    );
  });
});
