/**
 * An MCP server on the v2 SDK and Express 5 (`createMcpExpressApp` from
 * `@modelcontextprotocol/express`: JSON body parsing and localhost Host checks): two apps, each
 * seeing only its own tools, in both protocol eras. An admin route regenerates a key.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore } from "@mcpgate/core";
import { createMcpEndpoint } from "@mcpgate/mcp/v2";
import { createMcpExpressApp } from "@modelcontextprotocol/express";
import { announceReady, buildServer } from "../mcp-v2-node/tools.js";

const gate = createGate({ store: new MemoryStore() });
const weather = await gate.createApp({ name: "weather-bot", tools: ["forecast"] });
const billing = await gate.createApp({ name: "billing-bot", tools: ["invoice_total"] });

const mcp = createMcpEndpoint({ gate, server: buildServer, legacy: "stateful" });
const app = createMcpExpressApp({ host: "127.0.0.1" });

// The MCP endpoint: `/mcp` (Bearer key) and `/mcp/<key>`, with the body Express already parsed.
// The OAuth probes clients send after a 401 go to it too: they get "this server does not use OAuth".
app.all(["/mcp", "/mcp/*key", "/.well-known/*rest", "/register"], (req, res) =>
  mcp.node(req, res, req.body),
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
  announceReady(`http://127.0.0.1:${port}`, { weather, billing }, adminToken);
});

async function shutdown(): Promise<void> {
  await mcp.close();
  await gate.close();
  server.close();
}
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
