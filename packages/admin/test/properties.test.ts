import { createServer, type IncomingMessage } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore } from "@mcpgate/core";
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

describe("any request path under the mount", () => {
  let url: string;
  let close: () => void;
  beforeAll(async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const admin = createAdminHandler({ gate, owner: () => "me" });
    const server = createServer((req, res) => {
      void admin(req, res).then((handled) => {
        if (!handled) res.writeHead(418).end();
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => (server.closeAllConnections(), server.close(), void gate.close());
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
