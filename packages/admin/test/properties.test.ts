import { createServer, type IncomingMessage } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore, type Gate } from "@mcpgate/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertSameOrigin } from "../src/same-origin.js";
import { escapeHtml, html } from "../src/ui/html.js";
import { createAdminHandler } from "../src/index.js";

function unescape(text: string): string {
  return text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");
}

describe("HTML escaping", () => {
  it("no interpolated string can open a tag, an attribute or an entity, and none is lost", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const escaped = html`<p title="${text}">${text}</p>`.value;
        const inner = escapeHtml(text);
        expect(inner).not.toMatch(/[<>"']/);
        expect(inner.replace(/&(?:lt|gt|quot|#39|amp);/g, "")).not.toContain("&");
        expect(unescape(inner)).toBe(text);
        expect(escaped).toBe(`<p title="${inner}">${inner}</p>`);
      }),
    );
  });
});

describe("same-origin checks", () => {
  const request = (headers: Record<string, string>, method = "POST") =>
    ({ method, headers: { host: "admin.example:8443", ...headers } }) as unknown as IncomingMessage;

  it("refuses every state change whose Origin is not the request's own", () => {
    fc.assert(
      fc.property(
        fc.webUrl().map((url) => new URL(url).origin),
        (origin) => {
          fc.pre(origin !== "https://admin.example:8443" && origin !== "http://admin.example:8443");
          expect(() => assertSameOrigin(request({ origin, "x-mcpgate-admin": "1" }), [])).toThrow(
            /own origin/,
          );
        },
      ),
    );
  });

  it("refuses every Sec-Fetch-Site but same-origin, and lets reads through", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom("POST", "PATCH", "DELETE", "PUT"),
        (site, method) => {
          fc.pre(site !== "same-origin");
          const headers = { "sec-fetch-site": site, "x-mcpgate-admin": "1" };
          expect(() => assertSameOrigin(request(headers, method), [])).toThrow();
          expect(() => assertSameOrigin(request(headers, "GET"), [])).not.toThrow();
        },
      ),
    );
  });
});

/** The admin mount of owner "me" over `gate` on 127.0.0.1; other paths answer 418. */
async function serveAdmin(gate: Gate): Promise<{ url: string; close: () => void }> {
  const admin = createAdminHandler({ gate, owner: () => "me" });
  const server = createServer((req, res) => {
    void admin(req, res).then((handled) => {
      if (!handled) res.writeHead(418).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => (server.closeAllConnections(), server.close(), void gate.close()),
  };
}

describe("any request path under the mount", () => {
  let url: string;
  let close: () => void;
  beforeAll(async () => {
    ({ url, close } = await serveAdmin(createGate({ store: new MemoryStore(), lastUsed: false })));
  });
  afterAll(() => close());

  it("is answered with a coded status below 500 and never a stack trace", async () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._~%-]{0,12}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 4 }),
        fc.constantFrom("GET", "POST", "PATCH", "DELETE"),
        async (segments, method) => {
          const response = await fetch(`${url}/admin/${segments.join("/")}`, {
            method,
            headers: { "x-mcpgate-admin": "1", "content-type": "application/json" },
            ...(method === "GET" ? {} : { body: "{}" }),
          });
          const text = await response.text();
          expect(response.status).toBeLessThan(500);
          expect(text).not.toMatch(/\n\s+at |node:internal|\.ts:\d+/);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("any expiry in a regenerate body", () => {
  const DAY = 86_400_000;
  const gate = createGate({ store: new MemoryStore(), lastUsed: false });
  let url: string;
  let close: () => void;
  beforeAll(async () => {
    ({ url, close } = await serveAdmin(gate));
  });
  afterAll(() => close());

  it("issues exactly the expiry asked for, or is refused with 400 and the record untouched", async () => {
    const { app } = await gate.createApp({ name: "prop", ownerId: "me", expiresInDays: 10 });
    const value = fc.oneof(
      fc.jsonValue(),
      fc.constant(null),
      fc.double(),
      fc.integer({ min: -10, max: 40_000 }),
      fc.double({ min: 0, max: 5e-9, noNaN: true }), // lifetimes under 1 ms
      fc.date().map((date) => (Number.isNaN(date.getTime()) ? "" : date.toISOString())),
      fc.date().map((date) => (Number.isNaN(date.getTime()) ? "" : date.toString())),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({ expiresInDays: value, expiresAt: value }, { requiredKeys: [] }),
        async (body) => {
          // What arrives is the JSON of it (NaN → null and so on).
          const sent = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
          const before = await gate.getApp(app.id);
          const response = await fetch(`${url}/admin/api/apps/${app.id}/regenerate`, {
            method: "POST",
            headers: { "x-mcpgate-admin": "1", "content-type": "application/json" },
            body: JSON.stringify(sent),
          });
          const answer = (await response.json()) as {
            error?: string;
            app?: { keyIssuedAt: string; keyExpiresAt: string | null };
          };
          if (response.status !== 200) {
            expect({ status: response.status, error: answer.error }).toEqual({
              status: 400,
              error: "invalid_request",
            });
            expect(await gate.getApp(app.id)).toEqual(before);
            return;
          }
          const issuedAt = Date.parse(answer.app!.keyIssuedAt);
          const lifetime =
            before.keyExpiresAt === null
              ? null
              : before.keyExpiresAt.getTime() - before.keyIssuedAt.getTime();
          const expected =
            sent.expiresInDays !== undefined
              ? issuedAt + Math.round((sent.expiresInDays as number) * DAY)
              : sent.expiresAt !== undefined
                ? sent.expiresAt === null
                  ? null
                  : Date.parse(sent.expiresAt as string)
                : lifetime === null
                  ? null
                  : issuedAt + lifetime;
          const expiresAt = answer.app!.keyExpiresAt;
          expect(expiresAt === null ? null : Date.parse(expiresAt)).toBe(expected);
          // Never a key that is dead on arrival (it once was, for an expiresInDays of 1e-300).
          if (expiresAt !== null) expect(Date.parse(expiresAt)).toBeGreaterThan(issuedAt);
        },
      ),
      { numRuns: 80 },
    );
  });
});
