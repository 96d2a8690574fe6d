/**
 * The same protected endpoint behind each adapter, on 127.0.0.1 (any free port). Every server
 * answers an authenticated request with what its handler saw, so tests can check that the key is
 * gone from the URL and that the principal is attached.
 */
import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { redactFields, type Gate } from "@mcpgate/core";
import { mcpgate, redactRequests } from "@mcpgate/express";
import { createRewriteUrl, fastifyMcpgate, logRedaction } from "@mcpgate/fastify";
import express from "express";
import express4 from "express4";
import Fastify from "fastify";
import morgan from "morgan";
import { pinoHttp } from "pino-http";
import { withMcpgate } from "../src/index.js";

/** What a protected handler answers. */
export interface Seen {
  ok: true;
  appId: string | undefined;
  url: string;
  token: string | undefined;
  clientId: string | undefined;
  expiresAt: number | undefined;
}

export interface RunningServer {
  name: string;
  url: string;
  /** Every log line the server wrote (pino, pino-http, morgan `combined`). */
  logs: string[];
  close(): Promise<void>;
}

export type ServerFactory = (gate: Gate) => Promise<RunningServer>;

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A stream that keeps what a logger writes. */
function capture(logs: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
}

/** pino-http as docs/adapters.md configures it (it serializes the request when it arrives). */
function httpLogger(logs: string[]): ReturnType<typeof pinoHttp> {
  return pinoHttp(
    {
      serializers: {
        req: redactFields,
      },
    },
    capture(logs),
  );
}

async function running(name: string, server: Server, logs: string[] = []): Promise<RunningServer> {
  const url = await listen(server);
  return {
    name,
    url,
    logs,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Express as docs/adapters.md sets it up: `redactRequests` first, morgan `combined` and pino-http,
 * then the gate. `mount` puts the gate under `/mcp` only (the other paths get Express' own 404);
 * otherwise it protects every path.
 */
export function expressServer(name: string, create: typeof express, mount?: "/mcp"): ServerFactory {
  return async (gate) => {
    const logs: string[] = [];
    const app = create();
    app.use(redactRequests(gate));
    app.use(morgan("combined", { stream: capture(logs) }));
    app.use(httpLogger(logs));
    const handler: express.RequestHandler = (req, res) => {
      const seen: Seen = {
        ok: true,
        appId: req.mcpgate?.id,
        url: req.originalUrl,
        token: req.auth?.token,
        clientId: req.auth?.clientId,
        expiresAt: req.auth?.expiresAt,
      };
      res.json(seen);
    };
    if (mount) app.use(mount, mcpgate(gate), handler);
    else app.use(mcpgate(gate), handler);
    return running(name, createServer(app), logs);
  };
}

/** node:http behind `withMcpgate`, with pino-http logging every request. */
const nodeServer: ServerFactory = async (gate) => {
  const logs: string[] = [];
  const log = httpLogger(logs);
  const protectedHandler = withMcpgate(gate, (req, res) => {
    const seen: Seen = {
      ok: true,
      appId: req.mcpgate.id,
      url: req.url ?? "",
      token: req.auth.token,
      clientId: req.auth.clientId,
      expiresAt: req.auth.expiresAt,
    };
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(seen));
  });
  return running(
    "node",
    createServer((req, res) => {
      log(req, res);
      protectedHandler(req, res);
    }),
    logs,
  );
};

/** Fastify as docs/adapters.md sets it up, logging at `trace` (parser errors included). */
export const fastifyServer: ServerFactory = async (gate) => {
  const logs: string[] = [];
  const app = Fastify({
    rewriteUrl: createRewriteUrl(gate),
    logger: { level: "trace", stream: capture(logs), ...logRedaction },
  });
  await app.register(fastifyMcpgate, { gate });
  app.all("/*", async (request): Promise<Seen> => {
    return {
      ok: true,
      appId: request.mcpgate?.id,
      url: request.originalUrl,
      token: request.auth?.token,
      clientId: request.auth?.clientId,
      expiresAt: request.auth?.expiresAt,
    };
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return { name: "fastify", url: `http://127.0.0.1:${port}`, logs, close: () => app.close() };
};

/**
 * Fastify with the plugin in `decorateOnly` mode and one protected route, so Fastify's own 404 and
 * 400 answers for other URLs are reachable (with the plugin hooked globally every miss is a 401).
 */
export const fastifyPerRouteServer: ServerFactory = async (gate) => {
  const logs: string[] = [];
  const app = Fastify({
    rewriteUrl: createRewriteUrl(gate),
    logger: { level: "trace", stream: capture(logs), ...logRedaction },
  });
  await app.register(fastifyMcpgate, { gate, decorateOnly: true });
  app.get("/mcp", { onRequest: app.verifyMcpgate }, async (request) => ({
    ok: true,
    appId: request.mcpgate?.id,
  }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return { name: "fastify", url: `http://127.0.0.1:${port}`, logs, close: () => app.close() };
};

/** Every adapter under test, by name. */
export const servers: Record<string, ServerFactory> = {
  node: nodeServer,
  "express 5": expressServer("express 5", express),
  "express 4": expressServer("express 4", express4),
  fastify: fastifyServer,
};

/** A response as the tests read it. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  text: string;
}

/** One request with node:http (fetch cannot send two Authorization headers or a latin1 path). */
export function send(
  base: string,
  path: string,
  headers: Record<string, string | string[]> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const req = request(
      { host: url.hostname, port: url.port, method: "GET", path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            text: Buffer.concat(chunks).toString("latin1"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}
