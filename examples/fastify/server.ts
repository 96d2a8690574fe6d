/** Fastify: every route needs an MCPGate key, in the path (/mcp/mgw_…) or as a Bearer token. */
import { createGate, MemoryStore } from "@mcpgate/core";
import { createRewriteUrl, fastifyMcpgate, logRedaction } from "@mcpgate/fastify";
import Fastify from "fastify";

const gate = createGate({ store: new MemoryStore() });
const { key } = await gate.createApp({ name: "example", tools: ["search"] });

const app = Fastify({
  // Removes a path key before routing: /mcp/mgw_… is routed (and logged) as /mcp.
  rewriteUrl: createRewriteUrl(gate),
  logger: { level: "warn", ...logRedaction }, // no key in any log line, in any encoding
});
await app.register(fastifyMcpgate, { gate });
app.get("/mcp", async (request) => ({
  hello: request.mcpgate?.name,
  url: request.url,
  clientId: request.auth?.clientId,
}));

const url = await app.listen({ port: Number(process.env.PORT ?? 3000), host: "127.0.0.1" });
// Printed for the example's client only: a real server never prints or logs a key.
console.log(`READY ${JSON.stringify({ url, key })}`);
