/**
 * The web-standard seam, with real `Request`/`Response` objects (as Hono, Next.js, Bun and Deno
 * hand them over). Over real HTTP it runs in examples/hono.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  authenticateFetchRequest,
  challengeResponse,
  createGate,
  generateKey,
  InvalidKeyError,
  MemoryStore,
} from "../src/index.js";

async function setup() {
  const gate = createGate({ store: new MemoryStore(), lastUsed: false });
  const { app, key } = await gate.createApp({ name: "web", tools: ["search"], scopes: ["read"] });
  return { gate, app, key };
}

describe("authenticateFetchRequest", () => {
  it("accepts a path key and hands on a request without it: URL, Authorization, other headers", async () => {
    const { gate, app, key } = await setup();
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    const request = new Request(`http://localhost/mcp/${key}?x=1`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-forwarded-uri": `/mcp/${key}`,
        referer: `http://localhost/mcp/${encodeURIComponent(key)}`,
      },
      body,
    });
    const auth = await authenticateFetchRequest(gate, request);
    expect(auth.ok).toBe(true);
    if (!auth.ok) return;
    expect(auth.app.id).toBe(app.id);
    expect(auth.authInfo).toMatchObject({ clientId: app.id, token: app.keyId, scopes: ["read"] });
    expect(auth.request.url).toBe("http://localhost/mcp?x=1");
    expect(auth.request.method).toBe("POST");
    expect(auth.request.headers.get("content-type")).toBe("application/json");
    expect(auth.request.headers.has("x-forwarded-uri")).toBe(false);
    expect(auth.request.headers.has("referer")).toBe(false);
    const headers = JSON.stringify([...auth.request.headers]);
    expect(headers).not.toContain(key.slice(12));
    expect(await auth.request.text()).toBe(body);
    await gate.close();
  });

  it("accepts a Bearer key and removes the Authorization header", async () => {
    const { gate, app, key } = await setup();
    const auth = await authenticateFetchRequest(
      gate,
      new Request("http://localhost/mcp", { headers: { authorization: `Bearer ${key}` } }),
    );
    expect(auth.ok && auth.app.id).toBe(app.id);
    expect(auth.ok && auth.request.headers.has("authorization")).toBe(false);
    await gate.close();
  });

  it("RFC 6750 §3.1: no credentials → 401 with a bare Bearer challenge", async () => {
    const { gate } = await setup();
    const auth = await authenticateFetchRequest(gate, new Request("http://localhost/mcp"));
    expect(auth.ok).toBe(false);
    if (auth.ok) return;
    expect(auth.response.status).toBe(401);
    expect(auth.response.headers.get("www-authenticate")).toBe('Bearer realm="mcpgate"');
    expect(auth.response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await auth.response.json()).toMatchObject({ error: "missing_credentials" });
    await gate.close();
  });

  it("RFC 6750 §3.1: a wrong key → 401 invalid_token; path and header that differ → 400", async () => {
    const { gate, key } = await setup();
    const wrong = await authenticateFetchRequest(
      gate,
      new Request("http://localhost/mcp", {
        headers: { authorization: `Bearer ${generateKey()}` },
      }),
    );
    expect(!wrong.ok && wrong.response.status).toBe(401);
    expect(!wrong.ok && wrong.response.headers.get("www-authenticate")).toMatch(
      /error="invalid_token"/,
    );
    const conflict = await authenticateFetchRequest(
      gate,
      new Request(`http://localhost/mcp/${key}`, {
        headers: { authorization: `Bearer ${generateKey()}` },
      }),
    );
    expect(!conflict.ok && conflict.response.status).toBe(400);
    await gate.close();
  });

  it("property: without the app's key, never ok, and no response echoes a presented key", async () => {
    const { gate } = await setup();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("path", "header", "both"),
        fc.constantFrom("Bearer", "bearer", "BEARER"),
        async (where, scheme) => {
          const forged = generateKey();
          const headers: Record<string, string> = {};
          if (where !== "path") headers.authorization = `${scheme} ${forged}`;
          const path = where === "header" ? "/mcp" : `/mcp/${forged}`;
          const auth = await authenticateFetchRequest(
            gate,
            new Request(`http://localhost${path}`, { headers }),
          );
          expect(auth.ok).toBe(false);
          if (auth.ok) return;
          expect(auth.response.status).toBeGreaterThanOrEqual(400);
          const text = (await auth.response.text()) + JSON.stringify([...auth.response.headers]);
          expect(text).not.toContain(forged.slice(12));
        },
      ),
      { numRuns: 50 },
    );
    await gate.close();
  });
});

describe("challengeResponse", () => {
  it("carries the status, the challenge headers and the JSON body", async () => {
    const { gate } = await setup();
    const response = challengeResponse(gate.challenge(new InvalidKeyError()));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="mcpgate"/);
    expect(await response.json()).toEqual({
      error: "invalid_key",
      message: "The API key is invalid.",
    });
    await gate.close();
  });
});
