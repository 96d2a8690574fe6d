/**
 * The admin mount behind each adapter on 127.0.0.1 (any free port): node:http, Express 5 (with
 * `express.json()` before it, as many hosts have) and Fastify 5. Each host also answers `/hello`,
 * so tests can check the mount leaves other paths alone.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify, { type FastifyRequest } from "fastify";
import {
  adminMiddleware,
  adminPlugin,
  createAdminHandler,
  type AdminOptions,
} from "../src/index.js";

export interface Mount {
  name: string;
  url: string;
  close(): Promise<void>;
}

type AnyOptions = AdminOptions<{ headers: IncomingMessage["headers"] }>;
export type MountFactory = (options: AnyOptions) => Promise<Mount>;

async function listening(name: string, server: Server): Promise<Mount> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export const MOUNTS: Record<string, MountFactory> = {
  node: async (options) => {
    const admin = createAdminHandler(options as AdminOptions<IncomingMessage>);
    const server = createServer((req, res) => {
      void admin(req, res).then((handled) => {
        if (!handled) res.writeHead(200, { "content-type": "text/plain" }).end("hello");
      });
    });
    return listening("node", server);
  },
  express: async (options) => {
    const app = express();
    app.use(express.json());
    app.use(adminMiddleware(options as AdminOptions<express.Request>));
    app.get("/hello", (_req, res) => void res.type("text/plain").send("hello"));
    return listening("express", createServer(app));
  },
  fastify: async (options) => {
    const app = Fastify();
    await app.register(adminPlugin(options as AdminOptions<FastifyRequest>));
    app.get("/hello", async () => "hello");
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    return { name: "fastify", url: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
};

/** Owner hook of the tests: the host "authenticates" with an `x-test-owner` header. */
export function ownerFromHeader(request: { headers: IncomingMessage["headers"] }): string | null {
  const owner = request.headers["x-test-owner"];
  return typeof owner === "string" ? owner : null;
}

/** A JSON request to the admin API as the dashboard's script makes it. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { owner?: string; body?: unknown; headers?: Record<string, string> } = {},
  // JSON bodies of any shape: the tests' assertions check them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = {
    accept: "application/json",
    "x-mcpgate-admin": "1",
    ...(options.owner ? { "x-test-owner": options.owner } : {}),
    ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
    ...options.headers,
  };
  const response = await fetch(`${base}/admin/api${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? null : (JSON.parse(text) as unknown),
  };
}
