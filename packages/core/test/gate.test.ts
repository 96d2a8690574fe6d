import { describe, expect, it } from "vitest";
import {
  AppNotFoundError,
  GenerationConflictError,
  InvalidKeyError,
  MemoryStore,
  OverloadedError,
  RateLimitedError,
  StoreUnavailableError,
  createGate,
  generateKey,
  isGate,
  type Store,
} from "../src/index.js";
import { withOutage } from "../src/testing/index.js";
import { countingHasher, manualClock, sameIdOtherSecret } from "./helpers.js";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("createGate options", () => {
  it.each([
    [{}, "store"],
    [{ store: {} }, "store"],
    [{ store: new MemoryStore(), cache: { ttlMs: -1 } }, "cache.ttlMs"],
    [{ store: new MemoryStore(), verification: { concurrency: 0 } }, "verification.concurrency"],
    [{ store: new MemoryStore(), failureBudget: { failures: 0 } }, "failureBudget.failures"],
    [{ store: new MemoryStore(), basePath: "mcp" }, "basePath"],
    [{ store: new MemoryStore(), realm: "bad\nrealm" }, "realm"],
    [{ store: new MemoryStore(), hashing: { memoryCost: 10 } }, "memoryCost"],
    [{ store: new MemoryStore(), hashing: {}, hasher: countingHasher().hasher }, "hasher"],
    [{ store: new MemoryStore(), cahce: {} }, "cahce"],
  ])("rejects %j with a TypeError naming %s", (options, field) => {
    expect(() => createGate(options as never)).toThrow(TypeError);
    expect(() => createGate(options as never)).toThrow(field);
  });
});

describe("isGate", () => {
  it("recognises a gate and nothing else", () => {
    expect(isGate(createGate({ store: new MemoryStore(), lastUsed: false }))).toBe(true);
    for (const value of [
      undefined,
      null,
      {},
      { authenticateRequest: () => {} },
      new MemoryStore(),
      "gate",
    ]) {
      expect(isGate(value)).toBe(false);
    }
  });
});

describe("app lifecycle", () => {
  it("createApp returns the key once; the app never carries the key or its hash", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app, key } = await gate.createApp({
      name: "claude-desktop",
      tools: ["search"],
      metadata: { team: "a" },
    });
    expect(key).toMatch(/^mgw_[A-Za-z0-9]{32}$/);
    expect(app).toMatchObject({
      name: "claude-desktop",
      keyId: key.slice(4, 12),
      keyGeneration: 1,
      lastUsedAt: null,
    });
    expect(app.policy).toEqual({
      tools: ["search"],
      resources: [],
      prompts: [],
      scopes: [],
      rateLimit: null,
    });
    expect(app.ownerId).toBeNull();
    expect(JSON.stringify(app)).not.toContain(key.slice(12));
    expect(app).not.toHaveProperty("keyHash");
    expect(
      Object.isFrozen(app) && Object.isFrozen(app.policy) && Object.isFrozen(app.policy.tools),
    ).toBe(true);
    expect(await gate.getApp(app.id)).toEqual(app);
    expect((await gate.listApps()).map((a) => a.id)).toEqual([app.id]);
  });

  it("an app without tools sees none (fail closed)", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app } = await gate.createApp({ name: "x" });
    expect(app.policy.tools).toEqual([]);
  });

  it("rejects bad app input with a TypeError naming the field, and writes nothing", async () => {
    const store = new MemoryStore();
    const gate = createGate({ store, lastUsed: false });
    await expect(gate.createApp({ name: "" })).rejects.toThrow(/name/);
    await expect(gate.createApp({ name: "x", tools: ["bad tool"] })).rejects.toThrow(/tools\.0/);
    await expect(
      gate.createApp({ name: "x", rateLimit: { requests: 0, windowSeconds: 1 } }),
    ).rejects.toThrow(TypeError);
    await expect(gate.createApp({ name: "x", extra: 1 } as never)).rejects.toThrow(/extra/);
    expect(await store.list()).toEqual([]);
  });

  it("getApp, updateApp and regenerateKey of an unknown app: app_not_found", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    expect(await rejection(gate.getApp("app_nope"))).toBeInstanceOf(AppNotFoundError);
    expect(await rejection(gate.updateApp("app_nope", { name: "x" }))).toBeInstanceOf(
      AppNotFoundError,
    );
    expect(await rejection(gate.regenerateKey("app_nope"))).toBeInstanceOf(AppNotFoundError);
    expect(await gate.deleteApp("app_nope")).toBe(false);
  });
});

describe("authenticate", () => {
  it("returns the principal for a valid key", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a", tools: "*", scopes: ["read"] });
    expect(await gate.authenticate(key)).toEqual(app);
  });

  it("unknown, malformed and regenerated keys get the same invalid_key answer; unknown ids cost no Argon2", async () => {
    const { hasher, calls } = countingHasher();
    const gate = createGate({ store: new MemoryStore(), hasher, lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a" });
    await gate.regenerateKey(app.id);
    calls.verify = 0;
    const unknown = await rejection(gate.authenticate(generateKey()));
    expect(calls.verify).toBe(0);
    const malformed = await rejection(gate.authenticate("mgw_short"));
    const regenerated = await rejection(gate.authenticate(key));
    for (const error of [unknown, malformed, regenerated]) {
      expect(error).toBeInstanceOf(InvalidKeyError);
      expect(gate.challenge(error)).toEqual(gate.challenge(unknown));
    }
  });

  it("regenerateKey: the old key fails the moment it resolves, even when it was cached", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a" });
    await gate.authenticate(key);
    const { app: next, key: fresh } = await gate.regenerateKey(app.id);
    expect(next.keyGeneration).toBe(2);
    expect(fresh).not.toBe(key);
    await expect(gate.authenticate(key)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(gate.authenticate(fresh)).resolves.toMatchObject({ id: app.id, keyGeneration: 2 });
  });

  it("two concurrent regenerations: exactly one wins, the other is a coded conflict, one key works", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app } = await gate.createApp({ name: "a" });
    const outcomes = await Promise.allSettled([
      gate.regenerateKey(app.id),
      gate.regenerateKey(app.id),
    ]);
    const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    const lost = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(GenerationConflictError);
    await expect(gate.authenticate(won[0]?.key ?? "")).resolves.toMatchObject({ keyGeneration: 2 });
  });

  it("deleteApp: the key fails at once; deleting again is a no-op", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a" });
    await gate.authenticate(key);
    expect(await gate.deleteApp(app.id)).toBe(true);
    await expect(gate.authenticate(key)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(await gate.deleteApp(app.id)).toBe(false);
  });

  it("updateApp takes effect for the next request, even for a cached key", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a", tools: ["one"] });
    await gate.authenticate(key);
    await gate.updateApp(app.id, { tools: ["one", "two"] });
    expect((await gate.authenticate(key)).policy.tools).toEqual(["one", "two"]);
  });

  it("single-flight: 1,000 concurrent first requests with one key cost exactly one Argon2 verification", async () => {
    const { hasher, calls } = countingHasher();
    const gate = createGate({ store: new MemoryStore(), hasher, lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a" });
    const results = await Promise.all(Array.from({ length: 1000 }, () => gate.authenticate(key)));
    expect(calls.verify).toBe(1);
    expect(new Set(results.map((r) => r.id))).toEqual(new Set([app.id]));
  });

  it("a key the store does not know is remembered briefly: a client retrying a regenerated key costs no query", async () => {
    const clock = manualClock();
    const store = new MemoryStore();
    let lookups = 0;
    const getByKeyId = store.getByKeyId.bind(store);
    store.getByKeyId = (keyId) => (lookups++, getByKeyId(keyId));
    const gate = createGate({ store, clock: clock.now, lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a" });
    await gate.regenerateKey(app.id);
    for (let i = 0; i < 5; i++)
      await expect(gate.authenticate(key)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(lookups).toBe(1);
    clock.advance(1_000);
    await expect(gate.authenticate(key)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(lookups).toBe(2);
  });

  it("negative memo: a repeated wrong key is verified once", async () => {
    const { hasher, calls } = countingHasher();
    const gate = createGate({ store: new MemoryStore(), hasher, lastUsed: false });
    const { key } = await gate.createApp({ name: "a" });
    const wrong = sameIdOtherSecret(key);
    for (let i = 0; i < 5; i++)
      await expect(gate.authenticate(wrong)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(calls.verify).toBe(1);
  });

  it("failure budget: a flood of wrong keys for one key id stops reaching Argon2; a cached client is untouched", async () => {
    const clock = manualClock();
    const { hasher, calls } = countingHasher();
    const gate = createGate({
      store: new MemoryStore(),
      hasher,
      clock: clock.now,
      failureBudget: { failures: 3, windowSeconds: 30 },
      lastUsed: false,
    });
    const { app, key } = await gate.createApp({ name: "a" });
    await gate.authenticate(key);
    calls.verify = 0;
    const outcomes = [];
    for (let i = 0; i < 8; i++)
      outcomes.push(await rejection(gate.authenticate(sameIdOtherSecret(key, i))));
    expect(calls.verify).toBe(3);
    expect(outcomes.slice(0, 3).every((e) => e instanceof InvalidKeyError)).toBe(true);
    const limited = outcomes.slice(3);
    expect(limited.every((e) => e instanceof RateLimitedError)).toBe(true);
    expect((limited[0] as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    await expect(gate.authenticate(key)).resolves.toMatchObject({ id: app.id });
    clock.advance(10_001);
    await expect(gate.authenticate(sameIdOtherSecret(key, 30))).rejects.toBeInstanceOf(
      InvalidKeyError,
    );
    expect(calls.verify).toBe(4);
  });

  it("a key that verified before renews its cache entry with a store read, not Argon2", async () => {
    const clock = manualClock();
    const { hasher, calls } = countingHasher();
    const gate = createGate({
      store: new MemoryStore(),
      hasher,
      clock: clock.now,
      lastUsed: false,
    });
    const { key } = await gate.createApp({ name: "a" });
    await gate.authenticate(key);
    for (let i = 0; i < 3; i++) {
      clock.advance(6_000);
      await gate.authenticate(key);
    }
    expect(calls.verify).toBe(1);
  });

  it("overload: past the concurrency limit and queue, requests are refused as overloaded, never accepted", async () => {
    const { hasher, hold } = countingHasher();
    const gate = createGate({
      store: new MemoryStore(),
      hasher,
      verification: { concurrency: 1, maxQueue: 1 },
      lastUsed: false,
    });
    const issued = await Promise.all([1, 2, 3, 4].map((i) => gate.createApp({ name: `a${i}` })));
    const release = hold();
    const pending = issued.map(({ key }) =>
      gate.authenticate(key).then(
        () => "ok",
        (e: unknown) => e,
      ),
    );
    await new Promise((r) => setTimeout(r, 20));
    release();
    const outcomes = await Promise.all(pending);
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(2);
    expect(outcomes.filter((o) => o instanceof OverloadedError)).toHaveLength(2);
  });

  it("a verification that began before regenerateKey cannot put the old key back into the cache", async () => {
    const { hasher, hold } = countingHasher();
    const gate = createGate({ store: new MemoryStore(), hasher, lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a" });
    const release = hold();
    const early = gate.authenticate(key).then(
      () => "ok",
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 10));
    await gate.regenerateKey(app.id);
    release();
    await early;
    await expect(gate.authenticate(key)).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it("rehashes a key stored with outdated parameters after its next successful verification", async () => {
    const store = new MemoryStore();
    const old = createGate({ store, hashing: { memoryCost: 12288, timeCost: 3 }, lastUsed: false });
    const { app, key } = await old.createApp({ name: "a" });
    expect((await store.getById(app.id))?.keyHash).toContain("m=12288,t=3");
    const current = createGate({ store, lastUsed: false });
    await current.authenticate(key);
    for (
      let i = 0;
      i < 100 && !(await store.getById(app.id))?.keyHash.includes("m=19456,t=2");
      i++
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await store.getById(app.id))?.keyHash).toContain("m=19456,t=2");
    await expect(createGate({ store, lastUsed: false }).authenticate(key)).resolves.toMatchObject({
      id: app.id,
    });
  });
});

describe("revocation across gates sharing a store", () => {
  it("with a change feed, another gate rejects a regenerated key at once", async () => {
    const store = new MemoryStore();
    const a = createGate({ store, lastUsed: false });
    const b = createGate({ store, lastUsed: false });
    const { app, key } = await a.createApp({ name: "x" });
    await b.authenticate(key);
    await a.regenerateKey(app.id);
    await expect(b.authenticate(key)).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it("without one, the cache TTL bounds how long another gate accepts the old key", async () => {
    const clock = manualClock();
    const store = new MemoryStore({ changeFeed: false });
    const a = createGate({ store, clock: clock.now, lastUsed: false });
    const b = createGate({ store, clock: clock.now, cache: { ttlMs: 2_000 }, lastUsed: false });
    const { app, key } = await a.createApp({ name: "x" });
    await b.authenticate(key);
    await a.regenerateKey(app.id);
    clock.advance(1_999);
    await expect(b.authenticate(key)).resolves.toMatchObject({ id: app.id });
    clock.advance(1);
    await expect(b.authenticate(key)).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it("onChange reports local changes and store events", async () => {
    const store = new MemoryStore();
    const a = createGate({ store, lastUsed: false });
    const b = createGate({ store, lastUsed: false });
    const seen: string[] = [];
    b.onChange((event) => seen.push(`${event.type}:${event.appId}`));
    const { app } = await a.createApp({ name: "x" });
    await a.regenerateKey(app.id);
    await a.deleteApp(app.id);
    expect(seen).toEqual([`key_replaced:${app.id}`, `deleted:${app.id}`]);
  });
});

describe("fail closed when the store is down", () => {
  it("uncached keys: store_unavailable (503); cached keys: served until the TTL; recovery without restart", async () => {
    const outage = withOutage(new MemoryStore());
    const gate = createGate({ store: outage.store, lastUsed: false });
    const cached = await gate.createApp({ name: "cached" });
    const cold = await gate.createApp({ name: "cold" });
    await gate.authenticate(cached.key);
    outage.down = true;
    await expect(gate.authenticate(cached.key)).resolves.toMatchObject({ id: cached.app.id });
    const error = await rejection(gate.authenticate(cold.key));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const result = await gate.authenticateRequest({ url: `/mcp/${cold.key}` });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.challenge.status).toBe(503);
    await expect(gate.createApp({ name: "new" })).rejects.toBeInstanceOf(StoreUnavailableError);
    outage.down = false;
    await expect(gate.authenticate(cold.key)).resolves.toMatchObject({ id: cold.app.id });
    expect((await gate.listApps()).map((a) => a.name)).toEqual(["cached", "cold"]);
  });
});

describe("authenticateRequest", () => {
  it("returns the app and where the key was, never the key", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a" });
    const result = await gate.authenticateRequest({
      url: `/mcp/${key}/x`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(result).toEqual({
      ok: true,
      app,
      credential: { source: "path", url: "/mcp/x", keyId: app.keyId },
    });
    expect(JSON.stringify(result)).not.toContain(key.slice(12));
  });

  it("answers failures with the gate's challenge and never rejects", async () => {
    const gate = createGate({ store: new MemoryStore(), realm: "tools", lastUsed: false });
    const result = await gate.authenticateRequest({ url: "/mcp", headers: {} });
    expect(result).toMatchObject({
      ok: false,
      error: { code: "missing_credentials" },
      challenge: { status: 401, headers: { "www-authenticate": 'Bearer realm="tools"' } },
    });
  });

  it("a store that throws something odd is still a 503, reported to onError only when it is not coded", async () => {
    const errors: unknown[] = [];
    const broken = new MemoryStore();
    broken.getByKeyId = () => Promise.reject(new TypeError("driver bug"));
    const gate = createGate({
      store: broken as Store,
      onError: (e) => errors.push(e),
      lastUsed: false,
    });
    const result = await gate.authenticateRequest({ url: `/mcp/${generateKey()}` });
    expect(result.ok || result.challenge.status).toBe(503);
    expect(errors).toEqual([]);
  });
});

describe("last used", () => {
  it("is written debounced: one store write per app per flush, however many requests", async () => {
    const store = new MemoryStore();
    let touches = 0;
    const touch = store.touch.bind(store);
    store.touch = (id, at) => {
      touches++;
      return touch(id, at);
    };
    const gate = createGate({ store, lastUsed: { flushIntervalMs: 60_000 } });
    const { app, key } = await gate.createApp({ name: "a" });
    for (let i = 0; i < 50; i++) await gate.authenticate(key);
    expect(touches).toBe(0);
    await gate.close();
    expect(touches).toBe(1);
    expect((await store.getById(app.id))?.lastUsedAt).toBeInstanceOf(Date);
  });
});
