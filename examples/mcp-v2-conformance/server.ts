/**
 * The conformance server: `CONFORMANCE_MODE=bare` serves the v2 SDK's own handler with nothing in
 * front but the SDK's Host/Origin checks; `CONFORMANCE_MODE=gated` (the default) serves the same
 * factory through @mcpgate, with an app whose policy allows every conformance tool. Prints
 * `READY {"url", "key"}` (the key only in gated mode; printed for the conformance script only).
 * Run by `.ci/mcp-conformance.sh`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { authenticateFetchRequest, createGate, MemoryStore } from "@mcpgate/core";
import { toNodeHandler } from "@modelcontextprotocol/node";
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
  type AuthInfo,
} from "@modelcontextprotocol/server";
import { buildConformanceServer, conformanceTools } from "./everything.js";

const gated = (process.env.CONFORMANCE_MODE ?? "gated") === "gated";
const gate = createGate({ store: new MemoryStore() });
const { key } = await gate.createApp({ name: "conformance", tools: [...conformanceTools] });
const sdk = createMcpHandler(() => buildConformanceServer(), { legacy: "stateless" });

/** What the SDK documents for a bare fetch-native mount: DNS-rebinding checks, then the handler. */
function rebindingRefusal(request: Request): Response | undefined {
  return (
    hostHeaderValidationResponse(request, localhostAllowedHostnames()) ??
    originValidationResponse(request, localhostAllowedOrigins())
  );
}

const endpoint = toNodeHandler({
  async fetch(request) {
    const refused = rebindingRefusal(request);
    if (refused) return refused;
    if (!gated) return sdk.fetch(request);
    const auth = await authenticateFetchRequest(gate, request);
    if (!auth.ok) return auth.response;
    return sdk.fetch(auth.request, { authInfo: auth.authInfo as AuthInfo });
  },
});

const server = createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  if (path === "/mcp" || path.startsWith("/mcp/")) return void endpoint(req, res);
  res.writeHead(404).end();
});
server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  const ready = { url: `http://127.0.0.1:${port}/mcp`, ...(gated ? { key } : {}) };
  console.log(`READY ${JSON.stringify(ready)}`);
});

async function shutdown(): Promise<void> {
  await sdk.close();
  await gate.close();
  server.closeAllConnections();
  server.close();
}
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
