/**
 * The MCP server of the mcp-v2-* examples, on the v2 SDK (`@modelcontextprotocol/server`). The
 * factory runs per request (2026-07-28) or per session (2025 era) with the authenticated app:
 * every app gets the same tools here, and its policy decides which it can see and call. (The Hono
 * example registers only the app's own tools instead.)
 */
import type { App } from "@mcpgate/core";
import { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";

export { announceReady } from "../mcp-node/tools.js";

/** Registers `forecast` (its answer names the asking app). */
export function registerForecast(server: McpServer, app: App): void {
  server.registerTool("forecast", { inputSchema: z.object({ city: z.string() }) }, ({ city }) => ({
    content: [{ type: "text", text: `Sunny in ${city} (asked by ${app.name})` }],
  }));
}

/** Registers `invoice_total`. */
export function registerInvoiceTotal(server: McpServer): void {
  server.registerTool(
    "invoice_total",
    { inputSchema: z.object({ items: z.array(z.number()) }) },
    ({ items }) => ({
      content: [{ type: "text", text: String(items.reduce((a, b) => a + b, 0)) }],
    }),
  );
}

export function buildServer(app: App): McpServer {
  const server = new McpServer({ name: "example-v2", version: "1.0.0" });
  registerForecast(server, app);
  registerInvoiceTotal(server);
  return server;
}
