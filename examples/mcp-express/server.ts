/**
 * An MCP server on Express 5: two apps, each seeing only its own tools. An admin route
 * regenerates a key so the client can check the old one stops working.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore } from "@mcpgate/core";
import { createMcpHandler } from "@mcpgate/mcp";
import express from "express";
import { announceReady, buildServer } from "../mcp-node/tools.js";

const gate = createGate({ store: new MemoryStore() });
const weather = await gate.createApp({ name: "weather-bot", tools: ["forecast"] });
const billing = await gate.createApp({ name: "billing-bot", tools: ["invoice_total"] });

const mcp = createMcpHandler({ gate, mode: "stateful", server: buildServer });
const app = express();

// The MCP endpoint: `/mcp` (Bearer key) and `/mcp/<key>`. No body parser in front of it. The OAuth
// probes clients send after a 401 go to it too: they get "this server does not use OAuth".
app.all(["/mcp", "/mcp/*key", "/.well-known/*rest", "/register"], (req, res) =>
  mcp(req, res, req.body),
);

// Demo admin API: POST /admin/apps/<id>/regenerate with `x-admin-token`. Returns the new key once.
const adminToken = randomBytes(24).toString("hex");
app.post("/admin/apps/:id/regenerate", async (req, res) => {
  const token = Buffer.from(req.get("x-admin-token") ?? "");
  const expected = Buffer.from(adminToken);
  if (token.length !== expected.length || !timingSafeEqual(token, expected)) {
    res.sendStatus(401);
    return;
  }
  const { key } = await gate.regenerateKey(req.params.id);
  res.json({ key });
});

const server = app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
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
