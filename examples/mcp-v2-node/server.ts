/**
 * An MCP server on the v2 SDK and plain node:http: two apps, each seeing only its own tools, in
 * both protocol eras on one endpoint (2026-07-28 stateless requests, and 2025-era sessions). An
 * admin route regenerates a key so the client can check the old one stops working.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore } from "@mcpgate/core";
import { createMcpEndpoint } from "@mcpgate/mcp/v2";
import { announceReady, buildServer } from "./tools.js";

const gate = createGate({ store: new MemoryStore() });
const weather = await gate.createApp({ name: "weather-bot", tools: ["forecast"] });
const billing = await gate.createApp({ name: "billing-bot", tools: ["invoice_total"] });

const mcp = createMcpEndpoint({ gate, server: buildServer, legacy: "stateful" });

// Demo admin API: POST /admin/apps/<id>/regenerate with `x-admin-token`. Returns the new key once.
const adminToken = randomBytes(24).toString("hex");
async function admin(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = Buffer.from(String(req.headers["x-admin-token"] ?? ""));
  const expected = Buffer.from(adminToken);
  const id = /^\/admin\/apps\/([\w-]+)\/regenerate$/.exec(req.url ?? "")?.[1];
  if (token.length !== expected.length || !timingSafeEqual(token, expected)) {
    res.writeHead(401).end();
  } else if (req.method !== "POST" || id === undefined) {
    res.writeHead(404).end();
  } else {
    const { key } = await gate.regenerateKey(id);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ key }));
  }
}

const server = createServer((req, res) => {
  if (req.url?.startsWith("/admin/")) return void admin(req, res);
  void mcp.node(req, res);
});

server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  announceReady(`http://127.0.0.1:${port}`, { weather, billing }, adminToken);
});

// Graceful shutdown: new requests get 503, sessions and their streams end, then the server stops.
async function shutdown(): Promise<void> {
  await mcp.close();
  await gate.close();
  server.close();
}
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
