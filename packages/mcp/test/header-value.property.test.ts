/** The 2026-07-28 header value encoding (`=?base64?…?=`): laws of the codec. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeHeaderValue, encodeHeaderValue } from "../src/header-value.js";

const SAFE_HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/;

describe("header value codec", () => {
  it("law: decode(encode(s)) === s for every well-formed string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (value) => {
        expect(decodeHeaderValue(encodeHeaderValue(value))).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it("law: an encoded value is always a safe header value", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (value) => {
        expect(encodeHeaderValue(value)).toMatch(SAFE_HEADER_VALUE);
      }),
    );
  });

  it("law: safe plain values that do not look like the sentinel are sent as they are", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_./:-]{1,64}$/), (value) => {
        expect(encodeHeaderValue(value)).toBe(value);
      }),
    );
  });

  it("law: a sentinel whose payload is not canonical Base64 of UTF-8 is rejected", () => {
    const notBase64 = fc
      .string({ minLength: 1, maxLength: 40 })
      .filter(
        (payload) =>
          !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(payload),
      );
    fc.assert(
      fc.property(notBase64, (payload) => {
        expect(decodeHeaderValue(`=?base64?${payload}?=`)).toBeUndefined();
      }),
    );
  });

  it("rejects invalid UTF-8, control characters and surrounding whitespace", () => {
    expect(decodeHeaderValue(`=?base64?${Buffer.from([0xff, 0xfe]).toString("base64")}?=`)).toBe(
      undefined,
    );
    expect(decodeHeaderValue("a\u0001b")).toBeUndefined();
    expect(decodeHeaderValue(" echo")).toBeUndefined();
    expect(decodeHeaderValue("caf\u00e9")).toBeUndefined();
  });

  it("matches the spec's examples", () => {
    expect(encodeHeaderValue("us-west1")).toBe("us-west1");
    expect(encodeHeaderValue("Hello, 世界")).toBe("=?base64?SGVsbG8sIOS4lueVjA==?=");
    expect(encodeHeaderValue(" padded ")).toBe("=?base64?IHBhZGRlZCA=?=");
    expect(encodeHeaderValue("line1\nline2")).toBe("=?base64?bGluZTEKbGluZTI=?=");
    expect(encodeHeaderValue("=?base64?literal?=")).toBe("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=");
  });
});
