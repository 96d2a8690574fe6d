/**
 * Redaction against every encoding of a key: a generated corpus (fast-check over per-character
 * encoding chains × prefix case × surrounding text) checked with an independent decoder
 * (`decodeAll` from `@mcpgate/core/testing`), near-misses that must survive, and linear time.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containsKey, generateKey, redactHeaders, redactKey, redactUrl } from "../src/index.js";
import {
  CHAR_ENCODINGS,
  decodeAll,
  encodeKey,
  leakedSecret,
  wholeKeyForms,
} from "../src/testing/index.js";

const key = fc.constant(null).map(() => generateKey());
const prefix = fc.constantFrom("mgw_", "MGW_", "Mgw_", "mgW_", "MgW_");
const chain = fc.array(fc.constantFrom(...CHAR_ENCODINGS), { maxLength: 3 });
/** A key written with a random encoding chain per character (most characters plain). */
const encodedKey = fc
  .tuple(
    key,
    prefix,
    fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: chain }), {
      minLength: 36,
      maxLength: 36,
    }),
  )
  .map(([k, p, chains]) => ({ key: k, text: encodeKey(k, chains, p) }));
/** Text around a key: anything printable, URL and header punctuation included. */
const around = fc.oneof(
  fc.constantFrom("", "/mcp/", "?key=", "Bearer ", " ", '"', "=", "%", "\\", "&", "/", "x"),
  fc.string({ unit: fc.constantFrom(..."/?&=%\\#;:\"' aZ09_-+.".split("")), maxLength: 8 }),
);

describe("redactKey: every encoding of a key (generated corpus)", () => {
  it("property: no decoding of redact(e(k)) holds k's 24-character secret tail", () => {
    fc.assert(
      fc.property(around, encodedKey, around, (before, { key, text }, after) => {
        const redacted = redactKey(before + text + after);
        expect(leakedSecret(redacted, key)).toBeNull();
      }),
      { numRuns: 1500 },
    );
  });

  it("property: several encoded keys in one text are all redacted", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(encodedKey, around), { minLength: 1, maxLength: 4 }),
        (parts) => {
          const redacted = redactKey(parts.map(([k, sep]) => k.text + sep).join(""));
          for (const [k] of parts) expect(leakedSecret(redacted, k.key)).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });

  const sample = generateKey();
  it.each(Object.entries(wholeKeyForms(sample)))("%s", (_, form) => {
    for (const text of [form, `/mcp/${form}/x?y=1`, `{"authorization":"${form}"}`]) {
      expect(leakedSecret(text, sample)).not.toBeNull(); // the oracle sees it before…
      expect(leakedSecret(redactKey(text), sample)).toBeNull(); // …and not after
      expect(containsKey(text)).toBe(true);
    }
  });

  it("keeps the key id readable where the key was written in text", () => {
    expect(redactKey(`x %6Dgw%5F${sample.slice(4)} y`)).toBe(`x mgw_${sample.slice(4, 12)}… y`);
    expect(redactKey(`MGW_${sample.slice(4)}`)).toBe(`mgw_${sample.slice(4, 12)}…`);
    expect(redactUrl(`/a/%25256D${sample.slice(1)}?q=%ZZ`)).toBe(
      `/a/mgw_${sample.slice(4, 12)}…?q=%ZZ`,
    );
  });

  it("re-encodes Basic credentials with the key redacted (loggers still parse them)", () => {
    const header = `Basic ${Buffer.from(`${sample}:pw`).toString("base64")}`;
    const redacted = redactKey(header);
    expect(redacted).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
    const decoded = Buffer.from(redacted.slice(6), "base64").toString("latin1");
    expect(decoded).toBe(`mgw_${sample.slice(4, 12)}...:pw`);
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(around, encodedKey, around, (before, { text }, after) => {
        const once = redactKey(before + text + after);
        expect(redactKey(once)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });
});

describe("redactKey: near-misses and ordinary text are kept", () => {
  const k = generateKey();
  const secret = k.slice(4);
  const nearMisses = [
    `mgw-${secret}`,
    `mgx_${secret}`,
    `mg_${secret}`,
    `mgw ${secret}`,
    `mgw%5G${secret}`,
    `mgw\\u005G${secret.slice(1)}`, // `\u005` + F would be an escaped `_`: a real key
    `mgw&#95${secret}`,
    secret, // the secret without any prefix is indistinguishable from other random text
    `mgw_${secret.slice(0, 8)}`, // a key id alone is public
    `mgw_${secret.slice(0, 8)}…`,
    `mgw_${secret.slice(0, 8)}-${secret.slice(9)}`,
    "mgw_",
    "%%%%",
    "\\\\\\",
    "&&&#;&#x;",
    "Basic dXNlcjpwYXNzd29yZA==",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "/search?q=100%25+off&lang=en_US",
    "550e8400-e29b-41d4-a716-446655440000",
  ];
  it.each(nearMisses)("%s", (text) => {
    expect(redactKey(text)).toBe(text);
    expect(containsKey(text)).toBe(false);
  });

  it("property: text with no key in any decoding is returned unchanged", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const hasKey = [...decodeAll(text)].some((d) => /mgw_[A-Za-z0-9]{9}/i.test(d));
        fc.pre(!hasKey);
        expect(redactKey(text)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("redactHeaders", () => {
  it("redacts every value, arrays included, and keeps the names it is told to keep", () => {
    const k = generateKey();
    const headers = {
      authorization: `Bearer ${k}`,
      referer: `https://h.example/mcp/${k}`,
      "x-forwarded-uri": `/mcp/${encodeURIComponent(k).replace("_", "%5F")}`,
      "x-original-url": `/mcp/%256D${k.slice(1)}`,
      "set-cookie": [`a=${k}`, "b=1"],
      "content-length": "3",
      age: undefined,
    };
    const safe = redactHeaders(headers);
    expect(leakedSecret(JSON.stringify(safe), k)).toBeNull();
    expect(safe["content-length"]).toBe("3");
    expect(safe["set-cookie"]?.[1]).toBe("b=1");
    expect(headers.authorization).toBe(`Bearer ${k}`); // the input is not changed
    const kept = redactHeaders(headers, { keep: ["authorization"] });
    expect(kept.authorization).toBe(`Bearer ${k}`);
    expect(kept.referer).toBe(safe.referer);
  });
});

describe("redaction is linear in its input", () => {
  const hostile = [
    (n: number) => "%25".repeat(n / 3),
    (n: number) => "%".repeat(n),
    (n: number) => "\\".repeat(n),
    (n: number) => "&#".repeat(n / 2),
    (n: number) => "&#1234567".repeat(n / 9),
    (n: number) => "mgw_".repeat(n / 4),
    (n: number) => "mgw_a".repeat(n / 5),
    (n: number) => "A".repeat(n),
    (n: number) => "%6Dgw%5F12345678".repeat(n / 16),
    (n: number) => "\\u005".repeat(n / 5),
  ];
  /** The best of five runs, in ms: the machine may be busy with other work. */
  function time(make: (n: number) => string, n: number): number {
    const text = make(n);
    let best = Infinity;
    for (let run = 0; run < 5; run++) {
      const start = process.hrtime.bigint();
      redactKey(text);
      best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
    }
    return best;
  }
  it.each(hostile.map((make, i) => [i, make] as const))("hostile input %i", (_, make) => {
    time(make, 128 * 1024); // warm up
    const small = Math.max(time(make, 128 * 1024), 1);
    const large = time(make, 512 * 1024);
    // 4× the input may cost ~4× the time; quadratic work would be ~16×.
    expect(large / small).toBeLessThan(12);
    expect(large).toBeLessThan(1000);
  });
});
