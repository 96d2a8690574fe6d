/**
 * The adapter conformance suite: one set of cases, run identically against @mcpgate/node,
 * @mcpgate/express (Express 5 and 4) and @mcpgate/fastify, each a real server on 127.0.0.1 answering
 * real HTTP requests. Every case checks the status, the RFC 6750 `WWW-Authenticate` syntax, the
 * body, and that neither the response nor any log line holds a plaintext key.
 */
import { createGate, MemoryStore, type Gate } from "@mcpgate/core";
import { withOutage, type OutageStore } from "@mcpgate/core/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, servers, type Reply, type RunningServer, type Seen } from "./servers.js";

/** RFC 6750 §3 / RFC 9110 §11.6.1: `Bearer` then comma-separated `name="quoted-string"` params. */
function parseBearer(header: string): Record<string, string> {
  const match = /^Bearer (.+)$/.exec(header);
  if (!match?.[1]) throw new Error(`not a Bearer challenge: ${header}`);
  const params: Record<string, string> = {};
  const param = /([A-Za-z_]+)="((?:[^"\\]|\\[\x20-\x7e])*)"(?:, |$)/y;
  let rest = match[1];
  while (rest.length > 0) {
    param.lastIndex = 0;
    const m = param.exec(rest);
    if (!m?.[1] || m[2] === undefined) throw new Error(`bad auth-param list: ${rest}`);
    if (m[1] in params) throw new Error(`repeated auth-param ${m[1]}`);
    params[m[1]] = m[2];
    rest = rest.slice(param.lastIndex);
  }
  return params;
}

/** Any run of key characters after `mgw_` longer than a key id is a leaked (part of a) key. */
const PLAINTEXT_KEY = /mgw(?:_|%5f)[A-Za-z0-9]{9,}/i;

interface Keys {
  valid: string;
  validId: string;
  appId: string;
  other: string;
}

type Expected =
  | { status: 200; url: string }
  | {
      status: 400 | 401;
      /** The RFC 6750 error code; `null` for a challenge without one (§3.1). */
      bearer: "invalid_request" | "invalid_token" | null;
      error: string;
    };

interface Case {
  name: string;
  path: string;
  headers?: Record<string, string | string[]>;
  expected: Expected;
}

const missing = { status: 401, bearer: null, error: "missing_credentials" } as const;
const invalidKey = { status: 401, bearer: "invalid_token", error: "invalid_key" } as const;
const badHeader = {
  status: 400,
  bearer: "invalid_request",
  error: "malformed_authorization",
} as const;
const badPath = { status: 400, bearer: "invalid_request", error: "malformed_path" } as const;
const inQuery = { status: 400, bearer: "invalid_request", error: "key_in_query" } as const;

function cases({ valid, other }: Keys): Case[] {
  const bearer = (value: string) => ({ authorization: value });
  const secret = valid.slice(4);
  return [
    {
      name: "valid key in the path",
      path: `/mcp/${valid}`,
      expected: { status: 200, url: "/mcp" },
    },
    {
      name: "valid key in the path, sub-path and query kept",
      path: `/mcp/${valid}/tools?x=1`,
      expected: { status: 200, url: "/mcp/tools?x=1" },
    },
    {
      name: "valid key in the header",
      path: "/mcp",
      headers: bearer(`Bearer ${valid}`),
      expected: { status: 200, url: "/mcp" },
    },
    {
      name: "same key in path and header",
      path: `/mcp/${valid}`,
      headers: bearer(`Bearer ${valid}`),
      expected: { status: 200, url: "/mcp" },
    },
    {
      name: "different keys in path and header",
      path: `/mcp/${valid}`,
      headers: bearer(`Bearer ${other}`),
      expected: { status: 400, bearer: "invalid_request", error: "conflicting_credentials" },
    },
    {
      name: "lowercase bearer",
      path: "/mcp",
      headers: bearer(`bearer ${valid}`),
      expected: { status: 200, url: "/mcp" },
    },
    {
      name: "uppercase BEARER",
      path: "/mcp",
      headers: bearer(`BEARER ${valid}`),
      expected: { status: 200, url: "/mcp" },
    },
    {
      name: "several spaces after the scheme (1*SP)",
      path: "/mcp",
      headers: bearer(`Bearer   ${valid}`),
      expected: { status: 200, url: "/mcp" },
    },
    {
      name: "a tab after the scheme",
      path: "/mcp",
      headers: bearer(`Bearer\t${valid}`),
      expected: badHeader,
    },
    {
      name: "trailing garbage after the key",
      path: "/mcp",
      headers: bearer(`Bearer ${valid} extra`),
      expected: badHeader,
    },
    {
      name: "trailing characters glued to the key",
      path: "/mcp",
      headers: bearer(`Bearer ${valid}x`),
      expected: invalidKey,
    },
    {
      name: "two Authorization headers, same key",
      path: "/mcp",
      headers: { authorization: [`Bearer ${valid}`, `Bearer ${valid}`] },
      expected: badHeader,
    },
    {
      name: "two Authorization headers, different keys",
      path: "/mcp",
      headers: { authorization: [`Bearer ${valid}`, `Bearer ${other}`] },
      expected: badHeader,
    },
    { name: "empty bearer", path: "/mcp", headers: bearer("Bearer"), expected: badHeader },
    {
      name: "non-mgw bearer token",
      path: "/mcp",
      headers: bearer("Bearer abc.def-ghi"),
      expected: invalidKey,
    },
    {
      name: "another scheme (Basic)",
      path: "/mcp",
      headers: bearer("Basic dXNlcjpwYXNz"),
      expected: missing,
    },
    { name: "no credentials", path: "/mcp", expected: missing },
    { name: "key in the query string", path: `/mcp?key=${valid}`, expected: inQuery },
    {
      name: "access_token in the query string",
      path: `/mcp?access_token=${valid}`,
      expected: inQuery,
    },
    {
      name: "key in the query string and the header",
      path: `/mcp?k=${valid}`,
      headers: bearer(`Bearer ${valid}`),
      expected: inQuery,
    },
    {
      name: "percent-encoded underscore in a path key",
      path: `/mcp/mgw%5F${secret}`,
      expected: invalidKey,
    },
    {
      name: "percent-encoded key characters",
      path: `/mcp/mgw_${secret.slice(0, 31)}%41`,
      expected: invalidKey,
    },
    {
      name: "non-ASCII (UTF-8, percent-encoded) key in the path",
      path: `/mcp/mgw_${secret.slice(0, 30)}%C3%A9`,
      expected: invalidKey,
    },
    {
      name: "a truncated key in the path",
      path: `/mcp/${valid.slice(0, -1)}`,
      expected: invalidKey,
    },
    { name: "a key outside the base path", path: `/other/${valid}`, expected: missing },
    { name: "a base path look-alike (/mcpx)", path: `/mcpx/${valid}`, expected: missing },
    { name: "base path in another case", path: `/MCP/${valid}`, expected: missing },
    {
      name: "dot-dot out of the base path",
      path: "/mcp/../admin",
      headers: bearer(`Bearer ${valid}`),
      expected: badPath,
    },
    { name: "dot-dot after a path key", path: `/mcp/${valid}/../../admin`, expected: badPath },
    { name: "dot-dot into the base path", path: `/public/../mcp/${valid}`, expected: badPath },
    { name: "single dot segment", path: `/mcp/./${valid}`, expected: badPath },
    {
      name: "encoded dot-dot",
      path: `/mcp/%2e%2e/admin`,
      headers: bearer(`Bearer ${valid}`),
      expected: badPath,
    },
    { name: "encoded slash", path: `/mcp%2F${valid}`, expected: badPath },
    { name: "backslash", path: `/mcp\\${valid}`, expected: badPath },
  ];
}

/** Checks a response against an expectation; returns the body. */
function check(reply: Reply, expected: Expected): unknown {
  expect(reply.status).toBe(expected.status);
  expect(reply.headers["content-type"]).toMatch(/^application\/json/);
  const body: unknown = JSON.parse(reply.text);
  if (expected.status === 200) {
    expect(reply.headers["www-authenticate"]).toBeUndefined();
    expect(body).toMatchObject({ ok: true, url: expected.url });
    return body;
  }
  const header = reply.headers["www-authenticate"];
  expect(typeof header).toBe("string");
  const params = parseBearer(String(header));
  expect(params.realm).toBe("mcpgate");
  if (expected.bearer === null) {
    expect(Object.keys(params)).toEqual(["realm"]);
  } else {
    expect(params.error).toBe(expected.bearer);
    expect(Object.keys(params).sort()).toEqual(["error", "error_description", "realm"]);
  }
  expect(body).toEqual({ error: expected.error, message: expect.any(String) });
  return body;
}

function expectNoKey(text: string, keys: readonly string[]): void {
  const lines = text.split("\n");
  for (const key of keys) expect(lines.filter((line) => line.includes(key))).toEqual([]);
  expect(lines.filter((line) => PLAINTEXT_KEY.test(line))).toEqual([]);
}

describe.each(Object.entries(servers))("adapter conformance: %s", (name, start) => {
  let server: RunningServer;
  let outage: OutageStore;
  let gate: Gate;
  let keys: Keys;
  /** Every plaintext key this file has issued; none may appear in a response or a log line. */
  const issued: string[] = [];

  beforeAll(async () => {
    outage = withOutage(new MemoryStore());
    gate = createGate({ store: outage.store, lastUsed: false });
    const [a, b] = await Promise.all([
      gate.createApp({ name: "alpha", tools: ["search"], scopes: ["read"] }),
      gate.createApp({ name: "beta" }),
    ]);
    keys = { valid: a.key, validId: a.app.keyId, appId: a.app.id, other: b.key };
    issued.push(a.key, b.key);
    server = await start(gate);
  });

  afterAll(async () => {
    await server?.close();
    await gate?.close();
  });

  /** After every request: nothing in the response and nothing in the logs holds a key. */
  async function call(path: string, headers?: Record<string, string | string[]>): Promise<Reply> {
    const reply = await send(server.url, path, headers);
    expectNoKey(reply.rawHeaders.join("\n") + reply.text, issued);
    expectNoKey(server.logs.join(""), issued);
    return reply;
  }

  it("runs the whole case table", async () => {
    for (const c of cases(keys)) {
      const reply = await call(c.path, c.headers);
      try {
        const body = check(reply, c.expected);
        if (c.expected.status === 200) {
          const seen = body as Seen;
          expect(seen.appId).toBe(keys.appId);
          expect(seen.clientId).toBe(keys.appId);
          expect(seen.token).toBe(keys.validId);
          expect(seen.expiresAt).toEqual(expect.any(Number));
        }
      } catch (error) {
        throw new Error(`case "${c.name}" (${c.path}): ${String(error)}`, { cause: error });
      }
    }
    // The log assertions above mean something only where there are logs: Fastify's, captured.
    if (name === "fastify") {
      const lines = server.logs.map(
        (line) => JSON.parse(line) as { msg?: string; req?: { url: string } },
      );
      const urls = lines.filter((l) => l.msg === "incoming request").map((l) => l.req?.url);
      expect(urls).toContain("/mcp");
      expect(urls).toContain(`/mcp?key=${keys.valid.slice(0, 12)}…`);
    }
  });

  it("a regenerated key fails at once; the new one works", async () => {
    const { app, key } = await gate.createApp({ name: "rotating" });
    issued.push(key);
    check(await call("/mcp", { authorization: `Bearer ${key}` }), { status: 200, url: "/mcp" });
    const { key: next } = await gate.regenerateKey(app.id);
    issued.push(next);
    check(await call(`/mcp/${key}`), invalidKey);
    check(await call("/mcp", { authorization: `Bearer ${key}` }), invalidKey);
    check(await call(`/mcp/${next}`), { status: 200, url: "/mcp" });
  });

  it("a deleted app's key fails at once", async () => {
    const { app, key } = await gate.createApp({ name: "doomed" });
    issued.push(key);
    check(await call(`/mcp/${key}`), { status: 200, url: "/mcp" });
    await gate.deleteApp(app.id);
    check(await call(`/mcp/${key}`), invalidKey);
  });

  it("a store that throws gives 503 with Retry-After, never 200", async () => {
    const { key } = await gate.createApp({ name: "uncached" });
    issued.push(key);
    outage.down = true;
    try {
      for (const [path, headers] of [
        [`/mcp/${key}`, {}],
        ["/mcp", { authorization: `Bearer ${key}` }],
      ] as const) {
        const reply = await call(path, headers);
        expect(reply.status).toBe(503);
        expect(Number(reply.headers["retry-after"])).toBeGreaterThanOrEqual(1);
        expect(reply.headers["www-authenticate"]).toBeUndefined();
        expect(JSON.parse(reply.text)).toEqual({
          error: "service_unavailable",
          message: expect.any(String),
        });
      }
      expect(outage.failedCalls).toBeGreaterThan(0);
    } finally {
      outage.down = false;
    }
    check(await call(`/mcp/${key}`), { status: 200, url: "/mcp" });
  });

  it("a 64 KB header is refused (Node answers 431, or resets while the client still sends), never 2xx", async () => {
    const big = "a".repeat(64 * 1024);
    // Node 24 may close the socket before the client has written the whole header: the client
    // then sees ECONNRESET instead of reading the 431. Both are a refusal.
    const outcome = (path: string, headers: Record<string, string>) =>
      call(path, headers).then(
        (reply) => reply.status,
        (error: NodeJS.ErrnoException) => error.code,
      );
    expect([431, "ECONNRESET", "EPIPE"]).toContain(
      await outcome(`/mcp/${keys.valid}`, { "x-big": big }),
    );
    expect([431, "ECONNRESET", "EPIPE"]).toContain(
      await outcome("/mcp", { authorization: `Bearer ${keys.valid}${big}` }),
    );
  });

  it("raw non-ASCII bytes in the path are refused by Node's parser (400), never 2xx", async () => {
    const reply = await call(`/mcp/mgw_${keys.valid.slice(4, 35)}é`);
    expect(reply.status).toBe(400);
    const withHeader = await call("/mcp/é", { authorization: `Bearer ${keys.valid}` });
    expect(withHeader.status).toBe(400);
  });

  it("an Authorization header over 1 KiB is malformed", async () => {
    check(await call("/mcp", { authorization: `Bearer ${"a".repeat(2000)}` }), badHeader);
  });

  it("property: without a valid key, never 2xx; never 5xx", async () => {
    const segment = fc.oneof(
      fc.constantFrom("mcp", "..", ".", "%2e%2e", "%2f", "mgw_", "MCP", "", "é"),
      fc.stringMatching(/^[A-Za-z0-9._~%-]{0,12}$/),
      fc.constant(keys.valid.slice(0, -1)),
      fc.nat({ max: 35 }).map((i) => keys.valid.slice(0, i) + "Z" + keys.valid.slice(i + 1)),
    );
    const path = fc
      .tuple(
        fc.array(segment, { maxLength: 5 }),
        fc.option(fc.stringMatching(/^[a-z=&_%0-9]{0,20}$/)),
      )
      .map(([parts, query]) => `/${parts.join("/")}${query === null ? "" : `?${query}`}`);
    const headerValue = fc.oneof(
      fc.string({ unit: fc.constantFrom(..." \tBbearmgw_=.-~+/AZaz09".split("")), maxLength: 60 }),
      fc.stringMatching(/^[\x21-\x7e]{0,50}$/).map((s) => `Bearer ${s}`),
      segment.map((s) => `Bearer ${s}`),
    );
    const authorization = fc.option(
      fc.oneof(headerValue, fc.array(headerValue, { minLength: 2, maxLength: 3 })),
    );
    await fc.assert(
      fc.asyncProperty(path, authorization, async (p, auth) => {
        fc.pre(!p.includes(keys.valid) && !JSON.stringify(auth).includes(keys.valid));
        const reply = await call(p, auth === null ? {} : { authorization: auth });
        expect(reply.status).toBeGreaterThanOrEqual(400);
        expect(reply.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });
});
