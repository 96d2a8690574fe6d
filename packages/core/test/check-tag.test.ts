/**
 * #11.1: a key id is public, so nothing keyed by it may refuse the key's owner. The check tag
 * stored with each key rejects wrong secrets before Argon2 instead of a failure budget.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyCheckTag, keyCheckTagOfDigest, lookupDigest } from "../src/digest.js";
import { InvalidKeyError, MemoryStore, createGate, generateKey } from "../src/index.js";
import { countingHasher, manualClock, outcome, sameTagOtherSecret } from "./helpers.js";

/** `count` wrong keys with `key`'s key id and random secrets. */
function forgeries(key: string, count: number): string[] {
  return Array.from({ length: count }, () => key.slice(0, 12) + generateKey().slice(12));
}

describe("check tag", () => {
  it("the tag from the lookup digest is the stored tag (law)", () => {
    fc.assert(
      fc.property(fc.constant(null), () => {
        const key = generateKey();
        expect(keyCheckTagOfDigest(lookupDigest(key))).toBe(keyCheckTag(key));
      }),
      { numRuns: 2000 },
    );
  });

  it("under a sustained flood of wrong secrets for a known key id, the real key is accepted on a fresh gate at its first try", async () => {
    const clock = manualClock();
    const store = new MemoryStore();
    const { key, app } = await createGate({ store, lastUsed: false }).createApp({ name: "a" });
    const { hasher, calls } = countingHasher();
    // A fresh instance (restart, new replica): nothing cached, nothing memoized.
    const fresh = createGate({ store, hasher, clock: clock.now, lastUsed: false });
    for (let second = 0; second < 120; second++) {
      const burst = forgeries(key, 50).map((forged) => outcome(fresh.authenticate(forged)));
      for (const result of await Promise.all(burst)) expect(result).toBeInstanceOf(InvalidKeyError);
      clock.advance(1_000);
    }
    await expect(fresh.authenticate(key)).resolves.toMatchObject({ id: app.id });
    // 6 000 forged keys: ~0.09 expected to pass the tag; the real key is the one Argon2 run.
    expect(calls.verify).toBeLessThanOrEqual(3);
  });

  it("a wrong secret that happens to match the tag is refused by Argon2, and refuses no one", async () => {
    const { hasher, calls } = countingHasher();
    const store = new MemoryStore();
    const gate = createGate({ store, hasher, lastUsed: false });
    const { key, app } = await gate.createApp({ name: "a" });
    const lucky = Array.from({ length: 3 }, () => sameTagOtherSecret(key));
    for (const forged of lucky)
      await expect(gate.authenticate(forged)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(calls.verify).toBe(3);
    await expect(gate.authenticate(key)).resolves.toMatchObject({ id: app.id });
  });

  it("only wrong secrets that match the 16-bit tag reach Argon2 (~0.3 of 20 000), and one store read", async () => {
    const store = new MemoryStore();
    let lookups = 0;
    const getByKeyId = store.getByKeyId.bind(store);
    store.getByKeyId = (keyId) => (lookups++, getByKeyId(keyId));
    const { hasher, calls } = countingHasher();
    const gate = createGate({ store, hasher, lastUsed: false });
    const { key } = await gate.createApp({ name: "a" });
    const count = 20_000;
    const forged = forgeries(key, count);
    const passed = forged.filter((k) => keyCheckTag(k) === keyCheckTag(key)).length;
    for (let i = 0; i < count; i += 1_000)
      await Promise.all(forged.slice(i, i + 1_000).map((k) => outcome(gate.authenticate(k))));
    // Exactly the forgeries that match the 16-bit tag reach Argon2; P(more than 6) < 1e-6.
    expect(calls.verify).toBe(passed);
    expect(passed).toBeLessThanOrEqual(6);
    // After the first read, the key id's tag is known: forgeries cost no store read either
    // (the first batch of 1 000 is in flight together), except the few that pass the tag.
    expect(lookups).toBeLessThanOrEqual(1_000 + passed);
  });

  it("a regenerated key's tag memo goes with it", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { key, app } = await gate.createApp({ name: "a" });
    await gate.authenticate(key);
    const { key: fresh } = await gate.regenerateKey(app.id);
    await expect(gate.authenticate(key)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(gate.authenticate(fresh)).resolves.toMatchObject({ id: app.id });
  });
});
