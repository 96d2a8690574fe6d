/** @mcpgate/fastify specifics beyond the conformance suite: composition, scope, URL helpers. */
import type { IncomingMessage } from "node:http";
import { Writable } from "node:stream";
import { createGate, generateKey, MemoryStore, type Gate } from "@mcpgate/core";
import { leakedSecret } from "@mcpgate/core/testing";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRewriteUrl,
  fastifyMcpgate,
  logRedaction,
  serializeError,
  serializeRequest,
} from "../src/index.js";

let gate: Gate;
let key: string;
const apps: FastifyInstance[] = [];

function fastify(): FastifyInstance {
  const app = Fastify({ rewriteUrl: createRewriteUrl(gate) });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  gate = createGate({ store: new MemoryStore(), lastUsed: false });
  ({ key } = await gate.createApp({ name: "fastify" }));
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await gate.close();
});

describe("fastifyMcpgate", () => {
  it("protects only the encapsulated context it is registered in", async () => {
    const app = fastify();
    app.get("/health", async () => ({ ok: true }));
    await app.register(async (scope) => {
      await scope.register(fastifyMcpgate, { gate });
      scope.get("/mcp", async (request) => ({ app: request.mcpgate?.name }));
    });
    expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/mcp" })).statusCode).toBe(401);
    const ok = await app.inject({ url: `/mcp/${key}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ app: "fastify" });
  });

  it("decorateOnly: no hook; verifyMcpgate composes per route and throws status + headers", async () => {
    const app = fastify();
    await app.register(fastifyMcpgate, { gate, decorateOnly: true });
    app.get("/open", async (request) => ({ auth: request.auth }));
    app.get("/mcp", { onRequest: app.verifyMcpgate }, async (request) => ({
      clientId: request.auth?.clientId,
    }));
    await expect(app.inject({ url: "/open" }).then((r) => r.json())).resolves.toEqual({
      auth: null,
    });
    const rejected = await app.inject({ url: "/mcp", headers: { authorization: "Bearer nope" } });
    expect(rejected.statusCode).toBe(401);
    expect(rejected.headers["www-authenticate"]).toMatch(
      /^Bearer realm="mcpgate", error="invalid_token"/,
    );
    expect(rejected.json()).toMatchObject({ code: "invalid_key" });
    const ok = await app.inject({ url: "/mcp", headers: { authorization: `Bearer ${key}` } });
    expect(ok.json()).toEqual({ clientId: (await gate.authenticate(key)).id });
  });

  it("throws a TypeError naming a bad option at registration", async () => {
    const app = fastify();
    await expect(
      app.register(fastifyMcpgate, { gate, decorateOnly: "yes" } as never),
    ).rejects.toThrow(/decorateOnly/);
    const other = fastify();
    await expect(other.register(fastifyMcpgate, { gate: {} } as never)).rejects.toThrow(TypeError);
  });
});

describe("createRewriteUrl", () => {
  // The gate exists once beforeAll has run.
  const rewrite = (req: Parameters<ReturnType<typeof createRewriteUrl>>[0]): string =>
    createRewriteUrl(gate)(req);
  const at = (url: string) => rewrite({ url } as IncomingMessage);

  it("removes a path key and redacts any other key-like text", () => {
    const k = generateKey();
    expect(at(`/mcp/${k}/x?y=1`)).toBe("/mcp/x?y=1");
    expect(at(`/other/${k}`)).toBe(`/other/${k.slice(0, 12)}…`);
    expect(at(`/mcp?key=${k}`)).toBe(`/mcp?key=${k.slice(0, 12)}…`);
  });

  it("redacts encoded keys and prefix variants too", () => {
    const k = generateKey();
    for (const url of [
      `/x/%6Dgw%5F${k.slice(4)}`,
      `/x/MGW_${k.slice(4)}`,
      `/x/%256D${k.slice(1)}`,
    ]) {
      expect(at(url)).toBe(`/x/mgw_${k.slice(4, 12)}…`);
    }
  });

  it("leaves URLs without keys alone", () => {
    for (const url of ["/", "/mcp", "/mcp/tools?x=mgw", "/a/../b"]) expect(at(url)).toBe(url);
  });
});

describe("serializeRequest", () => {
  it("redacts keys from the logged URL", async () => {
    const k = generateKey();
    const app = fastify();
    let serialized: unknown;
    app.get("/*", async (request) => {
      serialized = serializeRequest(request);
      return {};
    });
    await app.inject({ url: `/files/${k}`, headers: { "accept-version": "2" } });
    expect(serialized).toMatchObject({
      method: "GET",
      url: `/files/${k.slice(0, 12)}…`,
      version: "2",
    });
  });
});

describe("error bodies and logs", () => {
  it("Fastify's own 404 body does not echo an encoded key", async () => {
    const k = generateKey();
    const app = fastify();
    await app.register(fastifyMcpgate, { gate, decorateOnly: true });
    const reply = await app.inject({ url: `/nowhere/%6Dgw%5F${k.slice(4)}` });
    expect(reply.statusCode).toBe(404);
    expect(reply.body).toContain("not found");
    expect(leakedSecret(reply.body, k)).toBeNull();
  });

  it("an error body that quotes a key (a 4xx message) leaves redacted", async () => {
    const k = generateKey();
    const app = fastify();
    await app.register(fastifyMcpgate, { gate, decorateOnly: true });
    app.get("/parse", async () => {
      throw Object.assign(new Error(`Unexpected token in "${k}"`), { statusCode: 400 });
    });
    const reply = await app.inject({ url: "/parse" });
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toMatchObject({ message: `Unexpected token in "mgw_${k.slice(4, 12)}…"` });
  });

  it("serializeError redacts message, stack, fields, causes, and bytes (rawPacket)", () => {
    const k = generateKey();
    const error = Object.assign(new Error(`bad ${k}`, { cause: new Error(`MGW_${k.slice(4)}`) }), {
      rawPacket: Buffer.from(`GET /mcp/${k} HTTP/1.1\r\n`),
      nested: { url: `/x/%6D${k.slice(1)}` },
    });
    const line = JSON.stringify(serializeError(error));
    expect(leakedSecret(line, k)).toBeNull();
    expect(serializeError(error)).toMatchObject({
      type: "Error",
      message: `bad mgw_${k.slice(4, 12)}…`,
      rawPacket: `GET /mcp/mgw_${k.slice(4, 12)}… HTTP/1.1\r\n`,
    });
  });

  it("logRedaction redacts log messages, including an error logged alone", () => {
    const k = generateKey();
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = Fastify({ logger: { level: "info", stream, ...logRedaction } });
    apps.push(app);
    app.log.info(`token ${k}`);
    app.log.error(new Error(`Unexpected token in JSON: "${k}"`));
    app.log.warn({ detail: "x" }, "a %s", "format");
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(leakedSecret(line, k)).toBeNull();
    expect(JSON.parse(lines[2] ?? "{}")).toMatchObject({ msg: "a format" });
  });
});
