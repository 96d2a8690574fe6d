import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  KEY_PATTERN,
  MalformedKeyError,
  formatKeyId,
  generateKey,
  isKey,
  isMcpgateError,
  parseKey,
} from "../src/index.js";
import { keyFromRandom } from "../src/key-format.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const keyChar = fc.constantFrom(...ALPHABET);
const arbitraryKey = fc
  .string({ unit: keyChar, minLength: 32, maxLength: 32 })
  .map((s) => `mgw_${s}`);

/** Pearson's chi-square statistic of the characters after `mgw_` over a sample of keys. */
function chiSquare(keys: string[]): number {
  const counts = new Map<string, number>();
  for (const key of keys) for (const ch of key.slice(4)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const total = keys.length * 32;
  const expected = total / ALPHABET.length;
  let statistic = 0;
  for (const ch of ALPHABET) statistic += ((counts.get(ch) ?? 0) - expected) ** 2 / expected;
  return statistic;
}
/** Chi-square, 61 degrees of freedom, upper tail p ≈ 1e-6 (Wilson–Hilferty). */
const CHI_SQUARE_BOUND = 130;

function captureError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("generateKey", () => {
  it("parseKey(generateKey()) always succeeds and yields the first 8 random characters as id", () => {
    fc.assert(
      fc.property(fc.integer(), () => {
        const key = generateKey();
        const parsed = parseKey(key);
        expect(parsed.key).toBe(key);
        expect(parsed.keyId).toBe(key.slice(4, 12));
      }),
      { numRuns: 2000 },
    );
  });

  it("100k generated keys are unique and match KEY_PATTERN", () => {
    const keys = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const key = generateKey();
      expect(KEY_PATTERN.test(key)).toBe(true);
      keys.add(key);
    }
    expect(keys.size).toBe(100_000);
  });

  it("draws the 62 characters uniformly (chi-square below the p = 1e-6 bound)", () => {
    const keys = Array.from({ length: 20_000 }, generateKey);
    expect(chiSquare(keys)).toBeLessThan(CHI_SQUARE_BOUND);
  });

  it("the uniformity check catches modulo bias (the same statistic on a biased generator)", () => {
    const biased = () => {
      let s = "mgw_";
      for (const byte of randomBytes(32)) s += ALPHABET.charAt(byte % 62);
      return s;
    };
    const keys = Array.from({ length: 20_000 }, biased);
    expect(chiSquare(keys)).toBeGreaterThan(CHI_SQUARE_BOUND);
  });

  it("rejection sampling discards bytes 248..255 instead of folding them", () => {
    // Every other byte is ≥ 248: only the accepted ones (value i → ALPHABET[i % 62]) appear.
    let next = 0;
    const source = (count: number) =>
      Uint8Array.from({ length: count }, (_, i) => (i % 2 === 0 ? 248 + (i % 8) : next++ % 248));
    const key = keyFromRandom(source);
    expect(key).toBe(
      `mgw_${Array.from({ length: 32 }, (_, i) => ALPHABET.charAt(i % 62)).join("")}`,
    );
  });

  it("keeps drawing when a batch has too few acceptable bytes", () => {
    let calls = 0;
    const source = (count: number) => {
      calls++;
      return new Uint8Array(count).fill(calls < 3 ? 255 : 1);
    };
    expect(keyFromRandom(source)).toBe(`mgw_${"B".repeat(32)}`);
    expect(calls).toBe(3);
  });
});

describe("isKey / parseKey", () => {
  it("accepts every string of the documented shape", () => {
    fc.assert(
      fc.property(arbitraryKey, (key) => {
        expect(isKey(key)).toBe(true);
        expect(parseKey(key).keyId).toBe(key.slice(4, 12));
      }),
    );
  });

  it("changing any one character of a key makes it malformed", () => {
    const notKeyChar = fc
      .string({ minLength: 1, maxLength: 1 })
      .filter((c) => !/[A-Za-z0-9]/.test(c));
    fc.assert(
      fc.property(arbitraryKey, fc.nat(35), notKeyChar, (key, position, replacement) => {
        const broken = key.slice(0, position) + replacement + key.slice(position + 1);
        fc.pre(broken !== key); // "_" over the prefix's own "_" changes nothing
        expect(isKey(broken)).toBe(false);
        expect(() => parseKey(broken)).toThrow(MalformedKeyError);
      }),
    );
  });

  it("never throws anything but a McpgateError on arbitrary input", () => {
    const inputs = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.string({ unit: "grapheme" }),
      fc.string({ unit: fc.constantFrom("\0", "\n", "\r", "\t", "\u2028", "\u{1F511}", "mgw_") }),
      arbitraryKey.map((k) => k.normalize("NFD") + "\u0301"),
      fc.anything(),
    );
    fc.assert(
      fc.property(inputs, (input) => {
        if (isKey(input)) return;
        expect(isMcpgateError(captureError(() => parseKey(input)))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("rejects a 1 MB string quickly and without echoing it", () => {
    const huge = `mgw_${"A".repeat(1024 * 1024)}`;
    const error = captureError(() => parseKey(huge)) as MalformedKeyError;
    expect(error.reason).toBe("wrong_length");
    expect(error.keyId).toBe("AAAAAAAA");
    expect(error.message.length).toBeLessThan(100);
  });

  it.each([
    [42, "not_a_string", undefined],
    ["", "missing_prefix", undefined],
    ["MGW_aaaaaaaabbbbbbbbccccccccdddddddd", "missing_prefix", undefined],
    ["mgw_aaaaaaaabbbbbbbbccccccccddddddd", "wrong_length", "aaaaaaaa"],
    ["mgw_aaaaaaaabbbbbbbbccccccccddddddddd", "wrong_length", "aaaaaaaa"],
    ["mgw_aaaa-aaabbbbbbbbccccccccdddddddd", "bad_character", undefined],
    ["mgw_aaaaaaaabbbbbbbbcccccccc-ddddddd", "bad_character", "aaaaaaaa"],
  ])("parseKey(%j) reports %s and only the key id", (input, reason, keyId) => {
    const error = captureError(() => parseKey(input)) as MalformedKeyError;
    expect(error).toBeInstanceOf(MalformedKeyError);
    expect(error.code).toBe("malformed_key");
    expect(error.reason).toBe(reason);
    expect(error.keyId).toBe(keyId);
    if (typeof input === "string" && input.length > 12)
      expect(error.message).not.toContain(input.slice(12));
  });

  it("formatKeyId shows only the public id", () => {
    expect(formatKeyId("a1b2c3d4")).toBe("mgw_a1b2c3d4…");
  });
});
