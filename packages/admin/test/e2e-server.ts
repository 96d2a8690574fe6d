/**
 * The host of the browser tests: one node:http server with the MCP endpoint, the admin mount in
 * host mode (the "host session" is a `demo_owner` cookie the test sets) and a standalone mount at
 * /ops (for its sign-in page), plus an "evil" server on another port for the CSRF check.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore, type Gate, type KeyExpiryOptions } from "@mcpgate/core";
import { createMcpHandler } from "@mcpgate/mcp";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { createAdminHandler, issueAdminToken, type AdminHandler } from "../src/index.js";

export interface Host {
  url: string;
  gate: Gate;
  /** The admin token of the standalone mount at /ops. */
  opsToken: string;
  /**
   * Creates an app whose key was issued `days` ago (through a gate with a clock in the past), with
   * an expiry counted from then: 120 days ago with `expiresInDays: 90` expired 30 days ago.
   */
  createOldApp(
    name: string,
    ownerId: string,
    days: number,
    expiry?: KeyExpiryOptions,
  ): Promise<void>;
  close(): Promise<void>;
}

function ownerCookie(req: IncomingMessage): string | null {
  return /(?:^|;\s*)demo_owner=([a-z]+)/.exec(req.headers.cookie ?? "")?.[1] ?? null;
}

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

export async function startHost(): Promise<Host> {
  const store = new MemoryStore();
  const gate = createGate({ store, lastUsed: false });
  const mcp = createMcpHandler({
    gate,
    mode: "stateless",
    server: () => {
      const server = new McpServer({ name: "e2e", version: "1.0.0" });
      server.registerTool("forecast", {}, () => ({ content: [{ type: "text", text: "sunny" }] }));
      return server;
    },
  });
  const { token: opsToken, hash } = await issueAdminToken();
  const mounts: { admin?: AdminHandler; ops?: AdminHandler } = {};
  const server = createServer((req, res) => {
    void (async () => {
      if (mounts.admin && (await mounts.admin(req, res))) return;
      if (mounts.ops && (await mounts.ops(req, res))) return;
      await mcp(req, res);
    })();
  });
  const url = await listen(server);
  mounts.admin = createAdminHandler({ gate, owner: ownerCookie, mcpUrl: `${url}/mcp` });
  mounts.ops = createAdminHandler({ gate, basePath: "/ops", adminTokenHash: hash });
  const close = closer(server);
  return {
    url,
    gate,
    opsToken,
    async createOldApp(name, ownerId, days, expiry = {}) {
      const past = createGate({
        store,
        lastUsed: false,
        clock: () => Date.now() - days * 86_400_000,
      });
      await past.createApp({ name, ownerId, ...expiry });
      await past.close();
    },
    close: async () => (await close(), await gate.close()),
  };
}

/** A page on another origin that posts a form to the admin API as soon as it loads. */
export async function startEvilSite(
  target: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><title>evil</title>
<form method="post" action="${target}/admin/api/apps" enctype="text/plain">
<input name='{"name":"pwned","x":"' value='"}'></form>
<script>document.forms[0].submit()</script>`);
  });
  const url = await listen(server);
  return { url: url.replace("127.0.0.1", "localhost"), close: closer(server) };
}
