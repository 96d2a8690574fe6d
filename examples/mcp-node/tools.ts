/**
 * The MCP server of the three mcp-* examples: every app gets the same server, and its policy
 * decides which of these tools it can see and call.
 */
import type { App, IssuedKey } from "@mcpgate/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

export function buildServer(app: App): McpServer {
  const server = new McpServer({ name: "example", version: "1.0.0" });
  server.registerTool("forecast", { inputSchema: { city: z.string() } }, ({ city }) => ({
    content: [{ type: "text", text: `Sunny in ${city} (asked by ${app.name})` }],
  }));
  server.registerTool(
    "invoice_total",
    { inputSchema: { items: z.array(z.number()) } },
    ({ items }) => ({
      content: [{ type: "text", text: String(items.reduce((a, b) => a + b, 0)) }],
    }),
  );
  return server;
}

/**
 * Prints the READY line the example's client reads. Only for the example: a real server never
 * prints or logs a key.
 */
export function announceReady(
  origin: string,
  apps: Record<string, IssuedKey>,
  adminToken: string,
): void {
  const entries = Object.entries(apps);
  const ready = {
    url: `${origin}/mcp`,
    keys: Object.fromEntries(entries.map(([name, issued]) => [name, issued.key])),
    apps: Object.fromEntries(entries.map(([name, issued]) => [name, issued.app.id])),
    admin: { url: `${origin}/admin`, token: adminToken },
  };
  console.log(`READY ${JSON.stringify(ready)}`);
}
