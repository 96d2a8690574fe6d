/**
 * An MCP server on the v2 SDK and Hono (`createMcpHonoApp` from `@modelcontextprotocol/hono`),
 * through the endpoint's web-standard `fetch`. The factory registers only the app's own tools, the
 * natural v2 style: it runs per request with the authenticated app. (The app's policy is enforced
 * by the gate either way: a call outside it is refused before the factory runs.)
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { serve } from "@hono/node-server";
import { createGate, MemoryStore, type App } from "@mcpgate/core";
import { createMcpEndpoint } from "@mcpgate/mcp/v2";
import { createMcpHonoApp } from "@modelcontextprotocol/hono";
import { McpServer } from "@modelcontextprotocol/server";
import { announceReady, registerForecast, registerInvoiceTotal } from "../mcp-v2-node/tools.js";

/** Each app's server holds exactly the tools its policy names. */
function buildServerFor(app: App): McpServer {
  const server = new McpServer({ name: `tools-for-${app.name}`, version: "1.0.0" });
  const allows = (tool: string): boolean =>
    app.policy.tools === "*" || app.policy.tools.includes(tool);
  if (allows("forecast")) registerForecast(server, app);
  if (allows("invoice_total")) registerInvoiceTotal(server);
  return server;
}

const gate = createGate({ store: new MemoryStore() });
const weather = await gate.createApp({ name: "weather-bot", tools: ["forecast"] });
const billing = await gate.createApp({ name: "billing-bot", tools: ["invoice_total"] });

// A fetch runtime does not know which address a request arrived on: name the accepted hosts.
const mcp = createMcpEndpoint({
  gate,
  server: buildServerFor,
  legacy: "stateful",
  hostValidation: { allowedHosts: ["127.0.0.1", "localhost"] },
});
const app = createMcpHonoApp({ host: "127.0.0.1" });
for (const route of ["/mcp", "/mcp/*", "/.well-known/*", "/register"]) {
  app.all(route, (c) => mcp.fetch(c.req.raw));
}

// Demo admin API: POST /admin/apps/<id>/regenerate with `x-admin-token`. Returns the new key once.
const adminToken = randomBytes(24).toString("hex");
app.post("/admin/apps/:id/regenerate", async (c) => {
  const token = Buffer.from(c.req.header("x-admin-token") ?? "");
  const expected = Buffer.from(adminToken);
  if (token.length !== expected.length || !timingSafeEqual(token, expected)) {
    return c.body(null, 401);
  }
  const { key } = await gate.regenerateKey(c.req.param("id"));
  return c.json({ key });
});

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: "127.0.0.1" },
  ({ port }) => announceReady(`http://127.0.0.1:${port}`, { weather, billing }, adminToken),
);

async function shutdown(): Promise<void> {
  await mcp.close();
  await gate.close();
  server.close();
}
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
