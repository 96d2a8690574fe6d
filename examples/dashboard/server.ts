/**
 * The MCP endpoint and the admin dashboard on one node:http server, in standalone mode: the
 * dashboard is protected by an admin token (in production: `mcpgate admin token` prints one and
 * its hash; the server gets only the hash, e.g. from MCPGATE_ADMIN_TOKEN_HASH).
 *
 *   pnpm demo:dashboard   → open the printed /admin URL and sign in with the printed token
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdminHandler, issueAdminToken } from "@mcpgate/admin";
import { createGate, MemoryStore } from "@mcpgate/core";
import { createMcpHandler } from "@mcpgate/mcp";
import { buildServer } from "../mcp-node/tools.js";

const gate = createGate({ store: new MemoryStore() });
const weather = await gate.createApp({ name: "weather-bot", tools: ["forecast"] });

// Only for the demo: a fresh token each start. Never print a real token or key in a server.
const configuredHash = process.env.MCPGATE_ADMIN_TOKEN_HASH;
const demoToken = configuredHash ? undefined : await issueAdminToken();
const adminTokenHash = configuredHash ?? demoToken!.hash;

const port = Number(process.env.PORT ?? 3000);
const mcp = createMcpHandler({ gate, mode: "stateful", server: buildServer });
let admin: ReturnType<typeof createAdminHandler> | undefined;

const server = createServer((req, res) => {
  void (async () => {
    if (admin && (await admin(req, res))) return;
    if (req.url === "/") return void res.writeHead(302, { location: "/admin" }).end();
    await mcp(req, res);
  })();
});

server.listen(port, "127.0.0.1", () => {
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  admin = createAdminHandler({ gate, adminTokenHash, mcpUrl: `${origin}/mcp` });
  const ready = {
    url: `${origin}/mcp`,
    keys: { weather: weather.key },
    apps: { weather: weather.app.id },
    admin: { url: `${origin}/admin`, token: demoToken?.token ?? null },
  };
  console.log(`READY ${JSON.stringify(ready)}`);
  if (demoToken) {
    console.log(`\nDashboard: ${origin}/admin  (sign in with the admin token ${demoToken.token})`);
  }
});
