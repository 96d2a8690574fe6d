/**
 * Key expiry: a key is accepted iff `now < keyExpiresAt`, enforced from the cache without a store
 * read, refused with `key_expired` only once the key verified, and never a lock-out: regenerating
 * issues a fresh key.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyExpiredError, MemoryStore, createGate, toAuthInfo, type Store } from "../src/index.js";
import { manualClock, outcome, sameIdOtherSecret } from "./helpers.js";

const DAY = 86_400_000;
const HALF_HOUR = 1_800_000;

/** A MemoryStore that counts `getByKeyId` calls (the authentication path's only store read). */
function countingStore(): { store: Store; reads: () => number } {
  const inner = new MemoryStore();
  let reads = 0;
  const store: Store = {
    create: (record) => inner.create(record),
    getById: (id) => inner.getById(id),
    getByKeyId: (keyId) => {
      reads++;
      return inner.getByKeyId(keyId);
    },
    list: (query) => inner.list(query),
    update: (id, patch, at) => inner.update(id, patch, at),
    replaceKey: (id, replacement) => inner.replaceKey(id, replacement),
    updateKeyHash: (id, generation, hash) => inner.updateKeyHash(id, generation, hash),
    touch: (id, at) => inner.touch(id, at),
    delete: (id) => inner.delete(id),
  };
  return { store, reads: () => reads };
}

describe("key expiry", () => {
  it("a key is accepted iff now < keyExpiresAt (any clock, cached or not)", async () => {
    const clock = manualClock();
    const start = clock.now();
    const gate = createGate({ store: new MemoryStore(), clock: clock.now, lastUsed: false });
    const lifetime = 3 * DAY;
    const { app, key } = await gate.createApp({
      name: "expiring",
      expiresAt: new Date(start + lifetime),
    });
    expect(app.keyExpiresAt).toEqual(new Date(start + lifetime));
    let now = start;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ min: 0, max: 2 * lifetime }),
          fc.integer({ min: lifetime - 3, max: lifetime + 3 }),
        ),
        async (offset) => {
          // Moves the injected clock to `start + offset`, forward or back.
          clock.advance(start + offset - now);
          now = start + offset;
          const result = await outcome(gate.authenticate(key));
          if (now < start + lifetime) expect(result).toMatchObject({ id: app.id });
          else expect(result).toBeInstanceOf(KeyExpiredError);
        },
      ),
      { numRuns: 200 },
    );
    await gate.close();
  });

  it("is enforced from the cache: no store read once the key is cached", async () => {
    const clock = manualClock();
    const { store, reads } = countingStore();
    const gate = createGate({
      store,
      clock: clock.now,
      cache: { ttlMs: 3_600_000 },
      lastUsed: false,
    });
    const { app, key } = await gate.createApp({
      name: "cached",
      expiresAt: new Date(clock.now() + HALF_HOUR),
    });
    await expect(gate.authenticate(key)).resolves.toMatchObject({ id: app.id });
    expect(reads()).toBe(1);
    clock.advance(HALF_HOUR - 1); // still inside the 1 h cache TTL
    await expect(gate.authenticate(key)).resolves.toMatchObject({ id: app.id });
    clock.advance(1);
    const error = await outcome(gate.authenticate(key));
    expect(error).toBeInstanceOf(KeyExpiredError);
    expect(error).toMatchObject({
      code: "key_expired",
      keyId: app.keyId,
      expiredAt: app.keyExpiresAt,
    });
    expect(reads()).toBe(1);
    await gate.close();
  });

  it("answers 401 invalid_token with a description that says it expired and to regenerate", async () => {
    const clock = manualClock();
    const gate = createGate({ store: new MemoryStore(), clock: clock.now, lastUsed: false });
    const { key } = await gate.createApp({ name: "http", expiresInDays: 0.5 });
    clock.advance(DAY);
    const result = await gate.authenticateRequest({ headers: { authorization: `Bearer ${key}` } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("key_expired");
    expect(result.challenge.status).toBe(401);
    expect(result.challenge.body.error).toBe("key_expired");
    expect(result.challenge.headers["www-authenticate"]).toMatch(
      /^Bearer realm="mcpgate", error="invalid_token", error_description="[^"]*expired[^"]*regenerate[^"]*"$/,
    );
    await gate.close();
  });

  it("a wrong secret for an expired key's id is invalid_key, not key_expired (no oracle)", async () => {
    const clock = manualClock();
    const gate = createGate({ store: new MemoryStore(), clock: clock.now, lastUsed: false });
    const { key } = await gate.createApp({ name: "oracle", expiresInDays: 1 });
    await gate.authenticate(key);
    clock.advance(2 * DAY);
    await expect(gate.authenticate(key)).rejects.toBeInstanceOf(KeyExpiredError);
    await expect(gate.authenticate(sameIdOtherSecret(key))).rejects.toMatchObject({
      code: "invalid_key",
    });
    await gate.close();
  });

  it("never locks the owner out: regenerating an expired key issues a working one with the same lifetime", async () => {
    const clock = manualClock();
    const store = new MemoryStore();
    const gate = createGate({ store, clock: clock.now, lastUsed: false });
    const { app, key } = await gate.createApp({ name: "renew", expiresInDays: 90 });
    clock.advance(91 * DAY);
    await expect(gate.authenticate(key)).rejects.toBeInstanceOf(KeyExpiredError);

    const renewed = await gate.regenerateKey(app.id);
    expect(renewed.app.keyExpiresAt).toEqual(new Date(clock.now() + 90 * DAY));
    await expect(gate.authenticate(renewed.key)).resolves.toMatchObject({ keyGeneration: 2 });
    await expect(gate.authenticate(key)).rejects.toMatchObject({ code: "invalid_key" });

    const forever = await gate.regenerateKey(app.id, { expiresAt: null });
    expect(forever.app.keyExpiresAt).toBeNull();
    clock.advance(10_000 * DAY);
    await expect(gate.authenticate(forever.key)).resolves.toMatchObject({ keyGeneration: 3 });

    const shorter = await gate.regenerateKey(app.id, { expiresInDays: 7 });
    expect((await store.getById(app.id))?.keyExpiresAt).toEqual(new Date(clock.now() + 7 * DAY));
    expect(shorter.app.keyExpiresAt).toEqual(new Date(clock.now() + 7 * DAY));
    await gate.close();
  });

  it("regenerateKey(id) of a key that never expires issues one that never expires", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app } = await gate.createApp({ name: "plain" });
    expect(app.keyExpiresAt).toBeNull();
    expect((await gate.regenerateKey(app.id)).app.keyExpiresAt).toBeNull();
    await gate.close();
  });

  it("refuses bad expiry options with a TypeError naming the field, before issuing anything", async () => {
    const clock = manualClock();
    const store = new MemoryStore();
    const gate = createGate({ store, clock: clock.now, lastUsed: false });
    const past = new Date(clock.now() - 1);
    await expect(gate.createApp({ name: "a", expiresAt: past })).rejects.toThrow(/expiresAt/);
    await expect(
      gate.createApp({ name: "a", expiresAt: new Date(clock.now() + DAY), expiresInDays: 1 }),
    ).rejects.toThrow(/expiresInDays/);
    await expect(gate.createApp({ name: "a", expiresInDays: 0 })).rejects.toThrow(TypeError);
    // A positive lifetime that rounds to 0 ms would issue a key that is dead on arrival.
    for (const days of [Number.MIN_VALUE, 1e-12, 0.4 / DAY, -1]) {
      await expect(gate.createApp({ name: "a", expiresInDays: days })).rejects.toThrow(
        /expiresInDays/,
      );
    }
    const { app: shortest } = await gate.createApp({ name: "ms", expiresInDays: 1 / DAY });
    expect(shortest.keyExpiresAt!.getTime() - shortest.keyIssuedAt.getTime()).toBe(1);
    await gate.deleteApp(shortest.id);
    await expect(gate.createApp({ name: "a", expiresAt: new Date(Number.NaN) })).rejects.toThrow(
      /expiresAt/,
    );
    expect(await store.list()).toEqual([]);
    const { app } = await gate.createApp({ name: "b" });
    await expect(gate.regenerateKey(app.id, { expiresAt: past })).rejects.toThrow(TypeError);
    expect((await store.getById(app.id))?.keyGeneration).toBe(1);
    await gate.close();
  });

  it("authInfo.expiresAt is the key's expiry in seconds (now + 1 h for a key that never expires)", async () => {
    const clock = manualClock();
    const gate = createGate({ store: new MemoryStore(), clock: clock.now, lastUsed: false });
    const expiresAt = new Date(clock.now() + 30 * DAY + 999);
    const { app } = await gate.createApp({ name: "info", expiresAt });
    expect(toAuthInfo(app, clock.now()).expiresAt).toBe(Math.floor(expiresAt.getTime() / 1000));
    const { app: plain } = await gate.createApp({ name: "plain" });
    expect(toAuthInfo(plain, clock.now()).expiresAt).toBe(Math.floor(clock.now() / 1000) + 3600);
    await gate.close();
  });
});
