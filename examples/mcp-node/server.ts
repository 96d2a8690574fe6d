/**
 * An MCP server on plain node:http: two apps, each seeing only its own tools. An admin route
 * regenerates a key so the client can check the old one stops working.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore } from "@mcpgate/core";
import { createMcpHandler } from "@mcpgate/mcp";
import { announceReady, buildServer } from "./tools.js";

const gate = createGate({ store: new MemoryStore() });
const weather = await gate.createApp({ name: "weather-bot", tools: ["forecast"] });
const billing = await gate.createApp({ name: "billing-bot", tools: ["invoice_total"] });

const mcp = createMcpHandler({ gate, mode: "stateful", server: buildServer });

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
  void mcp(req, res);
});

server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  announceReady(origin, { weather, billing }, adminToken);
});

// Graceful shutdown: new requests get 503, sessions and their SSE streams end, then the server
// stops (promptly: no stream holds it open).
async function shutdown(): Promise<void> {
  await mcp.close();
  await gate.close();
  server.close();
}
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
