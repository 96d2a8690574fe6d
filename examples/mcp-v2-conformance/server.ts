/**
 * The conformance server: `CONFORMANCE_MODE=bare` serves the v2 SDK's own handler with nothing in
 * front but the SDK's Host/Origin checks; `CONFORMANCE_MODE=gated` (the default) serves the same
 * factory through `@mcpgate/mcp/v2` with its defaults (2025-era sessions, Host/Origin checks), for
 * an app whose policy allows every conformance tool, resource and prompt. Prints `READY {"url", "key"}` (the key only
 * when gated; printed for the conformance script only). Run by `.ci/mcp-conformance.sh`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore } from "@mcpgate/core";
import { createMcpEndpoint } from "@mcpgate/mcp/v2";
import { toNodeHandler } from "@modelcontextprotocol/node";
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from "@modelcontextprotocol/server";
import { buildConformanceServer, conformanceTools } from "./everything.js";

const viaGate = (process.env.CONFORMANCE_MODE ?? "gated") === "gated";
const gate = createGate({ store: new MemoryStore() });
// Tools by name (so the gate's per-app filtering is exercised); every resource and prompt, since
// the suite also reads URIs nobody registered and expects the server's own "not found".
const { key } = await gate.createApp({
  name: "conformance",
  tools: [...conformanceTools],
  resources: "*",
  prompts: "*",
});

// Bare: what the SDK documents for a mount without auth (DNS-rebinding checks, then the handler).
const sdk = createMcpHandler(() => buildConformanceServer(), { legacy: "stateless" });
const bare = toNodeHandler({
  fetch(request: Request) {
    const refused =
      hostHeaderValidationResponse(request, localhostAllowedHostnames()) ??
      originValidationResponse(request, localhostAllowedOrigins());
    return refused ? Promise.resolve(refused) : sdk.fetch(request);
  },
});
const gated = createMcpEndpoint({ gate, server: () => buildConformanceServer() });
const endpoint = viaGate ? gated.node : bare;

const server = createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  if (path === "/mcp" || path.startsWith("/mcp/")) return void endpoint(req, res);
  res.writeHead(404).end();
});
server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  const ready = { url: `http://127.0.0.1:${port}/mcp`, ...(viaGate ? { key } : {}) };
  console.log(`READY ${JSON.stringify(ready)}`);
});

async function shutdown(): Promise<void> {
  await Promise.all([sdk.close(), gated.close()]);
  await gate.close();
  server.closeAllConnections();
  server.close();
}
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
