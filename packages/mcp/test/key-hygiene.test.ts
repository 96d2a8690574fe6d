/**
 * #10.6: a key in any header, in any encoding, never reaches tool handlers' `requestInfo`.
 * The detection is a law: for every encoding of a key, the request the SDK sees holds no secret.
 */
import { generateKey } from "@mcpgate/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containsKeyShape } from "../src/key-shapes.js";
import { callTool, raw, rawSession, startServer, type Harness } from "./helpers.js";

/** Every way a key can be written into a header value. */
const ENCODINGS: Record<string, (key: string) => string> = {
  plain: (key) => key,
  upperPrefix: (key) => `MGW_${key.slice(4)}`,
  mixedPrefix: (key) => `Mgw_${key.slice(4)}`,
  percentUnderscore: (key) => key.replace("_", "%5F"),
  percentAll: (key) => [...key].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(""),
  percentTwice: (key) => encodeURIComponent(key.replace("_", "%5F")),
  jsonEscape: (key) => key.replace("_", "\\u005f"),
  basic: (key) => `Basic ${Buffer.from(`user:${key}`).toString("base64")}`,
  basicAsPassword: (key) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`,
  base64url: (key) => Buffer.from(key).toString("base64url"),
  inUrl: (key) => `https://app.example.com/mcp/${key}/sse?x=1`,
  inEncodedUrl: (key) => `https://proxy.example/?u=${encodeURIComponent(`/mcp/${key}`)}`,
  glued: (key) => `token=${key}xyz`,
};

/** The secret part of a key: everything after the public key id. */
const secretOf = (key: string): string => key.slice(12);

describe("containsKeyShape (local detection; core's redact helpers replace it on merge)", () => {
  it("finds every encoding of any key", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(ENCODINGS)),
        fc.string({ maxLength: 20 }),
        (encoding, noise) => {
          const encode = ENCODINGS[encoding] as (key: string) => string;
          expect(containsKeyShape(`${noise}${encode(generateKey())}`)).toBe(true);
        },
      ),
    );
  });

  it("leaves ordinary header values and public key ids alone", () => {
    for (const value of [
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
      "application/json, text/event-stream",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "mgw_a1b2c3d4…",
      "mgw_a1b2c3d4...",
      "127.0.0.1:3000",
    ]) {
      expect(containsKeyShape(value), value).toBe(false);
    }
  });
});

describe.each(["stateful", "stateless"] as const)("%s: keys in other headers", (mode) => {
  let h: Harness;
  let url: string;
  let session: Record<string, string>;

  beforeAll(async () => {
    h = await startServer({ mode });
    const { key } = await h.gate.createApp({ name: "alpha", tools: ["inspect"] });
    url = `${h.origin}/mcp/${key}`;
    session = await rawSession(url);
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(Object.keys(ENCODINGS))(
    "strips a %s key from X-Forwarded-Uri, X-Original-URL, Referer and any header",
    async (encoding) => {
      const encode = ENCODINGS[encoding] as (key: string) => string;
      const leaked = generateKey(); // e.g. another app's key, or an old one in a proxy header
      const value = encode(leaked);
      const response = await raw(url, {
        headers: {
          ...session,
          "x-forwarded-uri": value,
          "x-original-url": value,
          referer: value,
          "x-anything": value,
          cookie: `session=abc; token=${value}`,
        },
        body: callTool(1, "inspect"),
      });
      expect(response.status).toBe(200);
      const result = response.messages[0]?.result as { content: { text: string }[] };
      const seen = result.content[0]?.text ?? "";
      expect(seen).not.toContain(secretOf(leaked));
      const { requestInfo } = JSON.parse(seen) as {
        requestInfo: { headers: Record<string, string> };
      };
      for (const name of ["x-forwarded-uri", "x-original-url", "referer", "x-anything", "cookie"]) {
        const kept = requestInfo.headers[name] ?? "";
        expect(containsKeyShape(kept), `${name}: ${kept}`).toBe(false);
      }
      expect(requestInfo.headers["cookie"]).toBeDefined(); // redacted, not lost
    },
  );
});
