import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  HashingFailedError,
  MalformedKeyError,
  createKeyHasher,
  generateKey,
  hashKey,
  needsRehash,
  verifyKeyHash,
} from "../src/index.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

describe("hashKey / verifyKeyHash", () => {
  it("produces an Argon2id PHC string with OWASP's default parameters", async () => {
    const phc = await hashKey(generateKey());
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  });

  it("verifies the key it hashed, and no other key (one character changed, or any other key)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(31), fc.constantFrom(...ALPHABET), async (position, replacement) => {
        const key = generateKey();
        const phc = await hashKey(key);
        await expect(verifyKeyHash(phc, key)).resolves.toBe(true);
        const i = 4 + position;
        const changed = key.slice(0, i) + replacement + key.slice(i + 1);
        await expect(verifyKeyHash(phc, changed)).resolves.toBe(changed === key);
        await expect(verifyKeyHash(phc, generateKey())).resolves.toBe(false);
      }),
      { numRuns: 15 },
    );
  });

  it("salts every hash", async () => {
    const key = generateKey();
    expect(await hashKey(key)).not.toBe(await hashKey(key));
  });

  it("refuses to hash something that is not a key", async () => {
    await expect(hashKey("password123")).rejects.toBeInstanceOf(MalformedKeyError);
  });

  it("with a pepper, verification needs the same pepper", async () => {
    const key = generateKey();
    const pepper = "pepper-kept-outside-the-database";
    const phc = await hashKey(key, { pepper });
    await expect(verifyKeyHash(phc, key, { pepper })).resolves.toBe(true);
    await expect(verifyKeyHash(phc, key)).resolves.toBe(false);
    await expect(
      verifyKeyHash(phc, key, { pepper: "another-pepper-of-enough-bytes" }),
    ).resolves.toBe(false);
  });

  it("keeps verifying hashes made with older parameters", async () => {
    const key = generateKey();
    const old = await hashKey(key, { memoryCost: 12288, timeCost: 3 });
    await expect(verifyKeyHash(old, key)).resolves.toBe(true);
  });

  it("a corrupt, foreign or truncated hash verifies as false, never an unhandled rejection", async () => {
    const key = generateKey();
    const phc = await hashKey(key);
    const corrupt = [
      "",
      "garbage",
      phc.slice(0, -5),
      phc.replace("argon2id", "argon2i"),
      phc.replace("v=19", "v=16"),
      "$argon2id$v=19$m=19456,t=2,p=1$abc$def",
      "$2b$10$abcdefghijklmnopqrstuuO6LJ2fAHzQZ1T3mXbLqPFrWKn8pMiZC",
      "$argon2id$v=19$m=19456,t=2,p=1$\u0000$\u0000",
    ];
    for (const hash of corrupt) await expect(verifyKeyHash(hash, key)).resolves.toBe(false);
  });

  it("never runs Argon2 with absurd parameters from a stored hash (m = 95 GiB would kill the process)", async () => {
    const key = generateKey();
    const phc = await hashKey(key);
    for (const hostile of [
      phc.replace("m=19456", "m=99999999"),
      phc.replace("t=2", "t=100000"),
      phc.replace("p=1", "p=255"),
    ]) {
      await expect(verifyKeyHash(hostile, key)).resolves.toBe(false);
    }
  });

  it("arbitrary strings as hash or key never reject", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string(), async (hash, key) => {
        await expect(verifyKeyHash(hash, key)).resolves.toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("needsRehash", () => {
  it("is false for a hash made with the same parameters and true after they change", async () => {
    const phc = await hashKey(generateKey());
    expect(needsRehash(phc)).toBe(false);
    expect(needsRehash(phc, { memoryCost: 65536 })).toBe(true);
    expect(needsRehash(phc, { timeCost: 3 })).toBe(true);
    expect(needsRehash(phc, { parallelism: 2 })).toBe(true);
    expect(needsRehash("not a hash")).toBe(true);
  });
});

describe("createKeyHasher options", () => {
  it.each([
    [{ memoryCost: 1024 }, "memoryCost"],
    [{ memoryCost: 99_999_999 }, "memoryCost"],
    [{ timeCost: 0 }, "timeCost"],
    [{ timeCost: 1 }, "memoryCost × timeCost"],
    [{ parallelism: 0 }, "parallelism"],
    [{ memoryCost: 19456.5 }, "memoryCost"],
    [{ pepper: "short" }, "pepper"],
    [{ memoryCosts: 19456 }, "memoryCosts"],
  ])("rejects %j with a TypeError naming the field", (options, field) => {
    expect(() => createKeyHasher(options as never)).toThrow(TypeError);
    expect(() => createKeyHasher(options as never)).toThrow(field);
  });

  it("accepts every OWASP-recommended configuration", () => {
    for (const [memoryCost, timeCost] of [
      [47104, 1],
      [19456, 2],
      [12288, 3],
      [9216, 4],
      [7168, 5],
    ]) {
      expect(createKeyHasher({ memoryCost, timeCost }).parameters).toEqual({
        memoryCost,
        timeCost,
        parallelism: 1,
      });
    }
  });

  it("does not keep a reference to the caller's options", () => {
    const options = { memoryCost: 19456 };
    const hasher = createKeyHasher(options);
    options.memoryCost = 7168;
    expect(hasher.parameters.memoryCost).toBe(19456);
    expect(Object.isFrozen(hasher.parameters)).toBe(true);
  });

  it("reports an Argon2 failure as HashingFailedError", async () => {
    const hasher = createKeyHasher();
    // A hash whose salt decodes but whose output length is zero makes the binding throw.
    const phc = await hasher.hash(generateKey());
    const broken = phc.replace(/\$[^$]+$/, "$");
    const outcome = await hasher.verify(broken, generateKey()).then(
      (value) => value,
      (error: unknown) => error,
    );
    expect(outcome === false || outcome instanceof HashingFailedError).toBe(true);
  });
});
