/**
 * The authenticator's bounds: store lookups with a deadline and a cap, the cache TTL counted from
 * the store read, and waiters of a single-flight verification that re-check revocation.
 */
import { describe, expect, it } from "vitest";
import {
  InvalidKeyError,
  MemoryStore,
  OverloadedError,
  StoreUnavailableError,
  createGate,
} from "../src/index.js";
import { defaultConcurrency } from "../src/gate.js";
import { countingHasher, hangingLookups, manualClock, outcome } from "./helpers.js";

const tick = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));

describe("store lookups: a deadline and a cap on unsettled lookups", () => {
  it("a hung store answers 503 (timeout, then overloaded) and never piles up more than maxConcurrent queries", async () => {
    const slow = hangingLookups(new MemoryStore());
    const gate = createGate({
      store: slow.store,
      storeLookups: { timeoutMs: 50, maxConcurrent: 4 },
      lastUsed: false,
    });
    const issued = await Promise.all(
      Array.from({ length: 10 }, (_, i) => gate.createApp({ name: `a${i}` })),
    );
    const release = slow.hang();
    const started = performance.now();
    const results = await Promise.all(
      issued.map(({ key }) => gate.authenticateRequest({ url: `/mcp/${key}` })),
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    const codes = results.map((r) => (r.ok ? "ok" : r.error.code));
    expect(codes.filter((c) => c === "store_unavailable")).toHaveLength(4);
    expect(codes.filter((c) => c === "overloaded")).toHaveLength(6);
    for (const result of results) {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.challenge.status).toBe(503);
        expect(result.challenge.headers["retry-after"]).toBe("1");
      }
    }
    const timedOut = results.find((r) => !r.ok && r.error.code === "store_unavailable");
    expect(timedOut && !timedOut.ok && timedOut.error).toMatchObject({ reason: "timeout" });
    expect(slow.stats.started).toBe(4);

    // The timed-out queries still hold their slots: nothing new reaches the hung store.
    const first = issued[0]?.key ?? "";
    expect(await outcome(gate.authenticate(first))).toBeInstanceOf(OverloadedError);
    expect(slow.stats.started).toBe(4);

    release();
    await tick();
    expect(slow.stats.unsettled).toBe(0);
    await expect(gate.authenticate(first)).resolves.toMatchObject({ id: issued[0]?.app.id });
  });

  it("a store that throws synchronously is store_unavailable and frees its slot", async () => {
    const store = new MemoryStore();
    const gate = createGate({ store, storeLookups: { maxConcurrent: 1 }, lastUsed: false });
    const { key, app } = await gate.createApp({ name: "a" });
    const getByKeyId = store.getByKeyId.bind(store);
    store.getByKeyId = () => {
      throw new Error("driver bug");
    };
    expect(await outcome(gate.authenticate(key))).toBeInstanceOf(StoreUnavailableError);
    store.getByKeyId = getByKeyId;
    await expect(gate.authenticate(key)).resolves.toMatchObject({ id: app.id });
  });

  it.each([
    [{ timeoutMs: 0 }, "storeLookups.timeoutMs"],
    [{ maxConcurrent: 0 }, "storeLookups.maxConcurrent"],
    [{ maxConcurrent: 1.5 }, "storeLookups.maxConcurrent"],
    [{ timeout: 1 }, "timeout"],
  ])("rejects storeLookups %j with a TypeError naming %s", (storeLookups, field) => {
    const create = () => createGate({ store: new MemoryStore(), storeLookups } as never);
    expect(create).toThrow(TypeError);
    expect(create).toThrow(field);
  });
});

describe("cache TTL counts from the store read", () => {
  it("time spent in Argon2 does not extend how long a cached key is trusted", async () => {
    const clock = manualClock();
    const { hasher, hold } = countingHasher();
    const store = new MemoryStore({ changeFeed: false });
    let lookups = 0;
    const getByKeyId = store.getByKeyId.bind(store);
    store.getByKeyId = (keyId) => (lookups++, getByKeyId(keyId));
    const gate = createGate({
      store,
      hasher,
      clock: clock.now,
      cache: { ttlMs: 5_000 },
      lastUsed: false,
    });
    const { key } = await gate.createApp({ name: "a" });
    const release = hold();
    const first = gate.authenticate(key);
    await tick();
    clock.advance(3_000); // a slow Argon2 run
    release();
    await first;
    expect(lookups).toBe(1);
    clock.advance(1_999);
    await gate.authenticate(key);
    expect(lookups).toBe(1);
    clock.advance(1); // 5 000 ms after the read, whatever Argon2 took
    await gate.authenticate(key);
    expect(lookups).toBe(2);
  });
});

describe("requests waiting on an in-flight verification", () => {
  it.each(["regenerateKey", "deleteApp"] as const)(
    "are not admitted once %s() has resolved",
    async (revoke) => {
      const { hasher, hold, calls } = countingHasher();
      const gate = createGate({ store: new MemoryStore(), hasher, lastUsed: false });
      const { app, key } = await gate.createApp({ name: "a" });
      const release = hold();
      const verifier = outcome(gate.authenticate(key));
      await tick();
      const waiters = Array.from({ length: 3 }, () => outcome(gate.authenticate(key)));
      await tick();
      expect(calls.verify).toBe(1);
      await gate[revoke](app.id);
      release();
      for (const result of await Promise.all([verifier, ...waiters]))
        expect(result).toBeInstanceOf(InvalidKeyError);
      expect(calls.verify).toBe(1);
    },
  );

  it("a change to another app costs a waiter one store read, not a refusal or an Argon2 run", async () => {
    const { hasher, hold, calls } = countingHasher();
    const gate = createGate({ store: new MemoryStore(), hasher, lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a" });
    const other = await gate.createApp({ name: "b" });
    const release = hold();
    const verifier = gate.authenticate(key);
    await tick();
    const waiter = gate.authenticate(key);
    await gate.regenerateKey(other.app.id);
    release();
    await expect(Promise.all([verifier, waiter])).resolves.toMatchObject([
      { id: app.id },
      { id: app.id },
    ]);
    expect(calls.verify).toBe(1);
  });
});

describe("default Argon2 concurrency", () => {
  it("leaves two libuv threads to the host, at least one verification, at most one per CPU", () => {
    expect(defaultConcurrency(4, 16)).toBe(2);
    expect(defaultConcurrency(4, 1)).toBe(1);
    expect(defaultConcurrency(2, 8)).toBe(1);
    expect(defaultConcurrency(1, 8)).toBe(1);
    expect(defaultConcurrency(16, 8)).toBe(8);
    expect(defaultConcurrency(10, 16)).toBe(8);
  });
});
