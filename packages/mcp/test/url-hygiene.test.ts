/**
 * #10.7: the key leaves the URL before anything can see it, whatever the answer (200, 401, 403,
 * 404, 405), and access loggers mounted on node:http, Express and Fastify never print it.
 * Unauthenticated requests get 401 before any 405.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createGate, generateKey, MemoryStore, type Gate } from "@mcpgate/core";
import { createRewriteUrl, serializeRequest } from "@mcpgate/fastify";
import express from "express";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMcpHandler, type McpHandler } from "../src/index.js";
import { buildServer, INITIALIZE, raw } from "./helpers.js";

/** What an access logger (morgan, pino-http) reads when the response finishes. */
function accessLine(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse): string {
  return JSON.stringify({
    status: res.statusCode,
    url: req.url,
    originalUrl: req.originalUrl,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
  });
}

function logOnFinish(lines: string[], req: IncomingMessage, res: ServerResponse): void {
  res.once("finish", () => lines.push(accessLine(req, res)));
  res.once("close", () => lines.push(accessLine(req, res)));
}

interface Mount {
  origin: string;
  lines: string[];
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const MOUNTS: Record<string, (mcp: McpHandler, gate: Gate) => Promise<Mount>> = {
  async "node:http"(mcp) {
    const lines: string[] = [];
    const server = http.createServer((req, res) => {
      logOnFinish(lines, req, res);
      void mcp(req, res);
    });
    return { origin: await listen(server), lines, close: () => closeServer(server) };
  },
  async express(mcp) {
    const lines: string[] = [];
    const app = express();
    app.use((req, res, next) => {
      logOnFinish(lines, req, res); // like morgan: mounted before, logs when the response ends
      next();
    });
    app.all(["/mcp", "/mcp/*key", "/.well-known/*rest", "/register"], (req, res) => mcp(req, res));
    app.use((req, res, next) => {
      lines.push(`after: ${req.originalUrl} ${req.url}`); // mounted after: a fallthrough logger
      next();
    });
    const server = http.createServer(app);
    return { origin: await listen(server), lines, close: () => closeServer(server) };
  },
  async fastify(mcp, gate) {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = Fastify({
      logger: { level: "info", stream, serializers: { req: serializeRequest } },
      rewriteUrl: createRewriteUrl(gate),
    });
    app.addHook("onResponse", async (request, reply) => {
      lines.push(accessLine(request.raw, reply.raw));
    });
    const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      reply.hijack();
      await mcp(request.raw, reply.raw, request.body);
    };
    for (const url of ["/mcp", "/mcp/*", "/.well-known/*", "/register"]) app.all(url, serve);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    return { origin: `http://127.0.0.1:${port}`, lines, close: () => app.close() };
  },
};

describe.each(Object.keys(MOUNTS))("%s mount with access loggers", (mountName) => {
  let gate: Gate;
  let stateful: McpHandler;
  let stateless: McpHandler;
  let mounts: { stateful: Mount; stateless: Mount };
  let key: string;

  beforeAll(async () => {
    gate = createGate({ store: new MemoryStore(), lastUsed: false });
    ({ key } = await gate.createApp({ name: "alpha", tools: ["echo"] }));
    const mount = MOUNTS[mountName] as (mcp: McpHandler, gate: Gate) => Promise<Mount>;
    stateful = createMcpHandler({ gate, mode: "stateful", server: buildServer });
    stateless = createMcpHandler({ gate, mode: "stateless", server: buildServer });
    mounts = { stateful: await mount(stateful, gate), stateless: await mount(stateless, gate) };
  });
  afterAll(async () => {
    await stateful.close();
    await stateless.close();
    await mounts.stateful.close();
    await mounts.stateless.close();
    await gate.close();
  });

  const secret = (k: string): string => k.slice(12);

  it("never logs the key, whatever the answer", async () => {
    const wrong = generateKey();
    const cases: [string, Mount, string, { method?: string; headers?: Record<string, string> }][] =
      [
        ["200", mounts.stateful, `/mcp/${key}`, {}],
        ["404", mounts.stateful, `/mcp/${key}/extra`, {}],
        ["404", mounts.stateful, `/mcp/${key}/.well-known/x`, { method: "GET" }],
        ["405", mounts.stateless, `/mcp/${key}`, { method: "GET" }],
        ["405", mounts.stateless, `/mcp/${key}`, { method: "DELETE" }],
        ["401", mounts.stateful, `/mcp/${wrong}`, {}],
        ["401", mounts.stateful, "/mcp", { headers: { authorization: `Bearer ${wrong}` } }],
        ["403", mounts.stateful, `/mcp/${key}`, { headers: { origin: "https://evil.example" } }],
        ["404", mounts.stateful, `/.well-known/oauth-protected-resource/mcp/${key}`, {}],
        ["404", mounts.stateful, "/register", { headers: { referer: `http://x/mcp/${key}` } }],
      ];
    for (const [status, mount, path, init] of cases) {
      const before = mount.lines.length;
      const post = (init.method ?? "POST") === "POST";
      // Bodyless requests as clients send them: no JSON content type (Fastify refuses an empty one).
      const headers = post ? init.headers : { "content-type": "text/plain", ...init.headers };
      const response = await raw(`${mount.origin}${path}`, {
        ...init,
        headers,
        body: post ? INITIALIZE : undefined,
      });
      expect(String(response.status), `${mountName} ${path}`).toBe(status);
      await new Promise((resolve) => setTimeout(resolve, 20)); // let loggers write
      const logged = mount.lines.slice(before).join("\n");
      expect(logged.length, `${mountName} ${path}: nothing logged`).toBeGreaterThan(0);
      for (const k of [key, wrong]) expect(logged, `${mountName} ${path}`).not.toContain(secret(k));
    }
  });

  it("answers an unauthenticated request with 401 before any 405", async () => {
    for (const method of ["GET", "DELETE", "PUT"]) {
      const headers = { "content-type": "text/plain" };
      const response = await raw(`${mounts.stateless.origin}/mcp`, { method, headers });
      expect(response.status, method).toBe(401);
    }
    const authenticated = await raw(`${mounts.stateless.origin}/mcp/${key}`, {
      method: "GET",
      headers: { "content-type": "text/plain" },
    });
    expect(authenticated.status).toBe(405);
    expect(authenticated.headers.get("allow")).toBe("POST");
  });
});

describe("a key in the URL where the endpoint does not read one (#13.4)", () => {
  it("gets a 401 that says where the key goes", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { key } = await gate.createApp({ name: "alpha", tools: [] });
    const mcp = createMcpHandler({ gate, mode: "stateless", server: buildServer });
    const server = http.createServer((req, res) => void mcp(req, res));
    const origin = await listen(server);
    const response = await raw(`${origin}/mcp/tools/${key}`, { body: INITIALIZE });
    expect(response.status).toBe(401);
    expect(response.messages[0]).toMatchObject({
      error: {
        message: expect.stringContaining("not where this endpoint reads it: use /mcp/mgw_"),
        data: { error: "missing_credentials" },
      },
    });
    expect(response.text).not.toContain(key.slice(12));
    await mcp.close();
    await closeServer(server);
    await gate.close();
  });
});
