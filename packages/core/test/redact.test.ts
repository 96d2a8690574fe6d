import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateKey, redactKey, redactUrl } from "../src/index.js";

const secretOf = (key: string) => key.slice(12);

describe("redactKey", () => {
  it("replaces a key by its key-id form", () => {
    const key = generateKey();
    expect(redactKey(`token ${key} end`)).toBe(`token mgw_${key.slice(4, 12)}… end`);
  });

  it("never leaves the secret part of any key in its input", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constant("mgw_"),
            fc.constant("").map(() => generateKey()),
          ),
          { maxLength: 12 },
        ),
        (parts) => {
          const keys = parts.filter((p) => /^mgw_[A-Za-z0-9]{32}$/.test(p));
          const text = parts.join("");
          const redacted = redactKey(text);
          for (const key of keys) expect(redacted).not.toContain(secretOf(key));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("redacts keys glued to other key characters, and truncated keys past their id", () => {
    const key = generateKey();
    expect(redactKey(`${key}XYZ`)).toBe(`mgw_${key.slice(4, 12)}…`);
    expect(redactKey(key.slice(0, 20))).toBe(`mgw_${key.slice(4, 12)}…`);
  });

  it("redacts keys that follow each other without a separator", () => {
    const a = generateKey();
    const b = generateKey();
    expect(redactKey(`mgw_${a}${b}`)).toBe(`mgw_mgw_${a.slice(4, 12)}…mgw_${b.slice(4, 12)}…`);
  });

  it("redacts a key that follows a short mgw_ run (found by fast-check)", () => {
    const key = generateKey();
    expect(redactKey(`mgw_000000${key}`)).not.toContain(key.slice(12));
  });

  it("leaves text without keys unchanged", () => {
    fc.assert(
      fc.property(
        fc.string(),
        (text) =>
          void expect(redactKey(text.replaceAll("mgw_", ""))).toBe(text.replaceAll("mgw_", "")),
      ),
    );
  });
});

describe("redactKey of an Authorization value (its fast path)", () => {
  const ows = fc.stringMatching(/^[ \t]{0,3}$/);
  const scheme = fc.constantFrom("Bearer", "bearer", "BEARER", "bEaReR");
  const key = fc.oneof(
    fc.constant("").map(() => generateKey()),
    fc.constant("").map(() => `MGW_${generateKey().slice(4)}`),
    fc.constant("").map(() => generateKey().slice(0, 35)),
    fc.constant("").map(() => `${generateKey()}x`),
    fc.constant("").map(() => `${generateKey().slice(0, 20)}%41${generateKey().slice(23)}`),
  );
  it("gives what the general path gives (a leading '(' routes a value through it)", () => {
    fc.assert(
      fc.property(ows, scheme, ows, key, ows, (before, bearer, gap, k, after) => {
        const value = `${before}${bearer}${gap}${k}${after}`;
        expect(redactKey(value)).toBe(redactKey(`(${value}`).slice(1));
        if (gap !== "" && /^mgw_[A-Za-z0-9]{32}$/i.test(k)) {
          expect(redactKey(value)).toBe(`${before}${bearer}${gap}mgw_${k.slice(4, 12)}…${after}`);
        }
      }),
    );
  });
});

describe("redactUrl", () => {
  it("redacts keys in the path and in the query", () => {
    const a = generateKey();
    const b = generateKey();
    const url = `https://h.example/mcp/${a}/x?key=${b}&y=1`;
    expect(redactUrl(url)).toBe(
      `https://h.example/mcp/mgw_${a.slice(4, 12)}…/x?key=mgw_${b.slice(4, 12)}…&y=1`,
    );
    expect(redactUrl(new URL(url))).not.toContain(secretOf(a));
  });

  it("redacts percent-encoded keys", () => {
    const key = generateKey();
    const escape = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
    const encoded = `mgw%5F${key.slice(4, 20)}${escape(key.charAt(20))}${key.slice(21)}`;
    const redacted = redactUrl(`/mcp/${encoded}?q=%ZZ`);
    expect(redacted).not.toContain(secretOf(key));
    expect(redacted).toContain("?q=%ZZ");
  });

  it("never leaves the secret of a key in a URL, encoded or not", () => {
    fc.assert(
      fc.property(fc.webUrl(), fc.boolean(), (base, encode) => {
        const key = generateKey();
        const url = `${base}/mcp/${encode ? encodeURIComponent(key).replace("_", "%5F") : key}`;
        expect(redactUrl(url)).not.toContain(secretOf(key));
      }),
    );
  });
});
