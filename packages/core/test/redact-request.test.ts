/**
 * redactRequest across many requests: it remembers clean values of common headers between
 * requests (a scan per distinct value, not per request). The law: whatever values came before,
 * under whatever header names, no key is left in `headers` or `rawHeaders`, and a value without a
 * key is left exactly as it was.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containsKey, generateKey, redactRequest } from "../src/index.js";

const key = generateKey();
const withKey = [
  key,
  `Bearer ${key}`,
  `token=${key.replace("_", "%5F")}`,
  Buffer.from(`user:${key}`).toString("base64"),
  `a, ${key}`,
];
const clean = [
  "application/json, text/event-stream",
  "application/json",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
  "6f9c1e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
  "2025-11-25",
  "mgw_short",
];
const names = ["Accept", "accept", "User-Agent", "Content-Type", "Cookie", "X-Api-Key", "Host"];

describe("redactRequest over a sequence of requests", () => {
  it("leaves no key in any header and every clean value untouched, whatever came before", () => {
    const header = fc.tuple(fc.constantFrom(...names), fc.constantFrom(...withKey, ...clean));
    fc.assert(
      fc.property(fc.array(fc.array(header, { maxLength: 8 }), { maxLength: 20 }), (requests) => {
        for (const fields of requests) {
          const rawHeaders = fields.flat();
          const headers: Record<string, string> = {};
          for (const [name, value] of fields) headers[name.toLowerCase()] = value;
          redactRequest({ url: "/mcp", headers, rawHeaders });
          fields.forEach(([, value], i) => {
            const written = rawHeaders[2 * i + 1] ?? "";
            if (clean.includes(value)) expect(written).toBe(value);
            else expect(containsKey(written)).toBe(false);
          });
          for (const value of Object.values(headers)) expect(containsKey(value)).toBe(false);
        }
      }),
    );
  });

  it("stays linear in the number of headers (2,000 headers holding keys are redacted)", () => {
    const rawHeaders: string[] = [];
    for (let i = 0; i < 1000; i++) rawHeaders.push(`X-H${i}`, `Bearer ${key}`);
    const headers = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`x-h${i}`, `Bearer ${key}`]),
    );
    redactRequest({ url: "/mcp", headers, rawHeaders });
    expect(rawHeaders.some(containsKey)).toBe(false);
    expect(Object.values(headers).some(containsKey)).toBe(false);
  });
});
