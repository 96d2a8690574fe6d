/**
 * An MCP server on the v2 SDK and Fastify 5 (`createMcpFastifyApp` from
 * `@modelcontextprotocol/fastify`: localhost Host checks), served to an SDK 1.x client: two apps,
 * each seeing only its own tools. An admin route regenerates a key.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createGate, MemoryStore } from "@mcpgate/core";
import { createMcpEndpoint } from "@mcpgate/mcp/v2";
import { createMcpFastifyApp } from "@modelcontextprotocol/fastify";
import type { FastifyReply, FastifyRequest } from "fastify";
import { announceReady, buildServer } from "../mcp-v2-node/tools.js";

const gate = createGate({ store: new MemoryStore() });
const weather = await gate.createApp({ name: "weather-bot", tools: ["forecast"] });
const billing = await gate.createApp({ name: "billing-bot", tools: ["invoice_total"] });

const mcp = createMcpEndpoint({ gate, server: buildServer, legacy: "stateful" });
const fastify = createMcpFastifyApp({ host: "127.0.0.1" });

// The MCP endpoint: Fastify hands over the raw request and response (and the body it parsed).
const serveMcp = (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
  reply.hijack();
  return mcp.node(req.raw, reply.raw, req.body);
};
// The OAuth probes clients send after a 401 go to it too: they get "this server does not use OAuth".
for (const route of ["/mcp", "/mcp/*", "/.well-known/*", "/register"]) fastify.all(route, serveMcp);

// Demo admin API: POST /admin/apps/<id>/regenerate with `x-admin-token`. Returns the new key once.
const adminToken = randomBytes(24).toString("hex");
fastify.post<{ Params: { id: string } }>("/admin/apps/:id/regenerate", async (req, reply) => {
  const token = Buffer.from(String(req.headers["x-admin-token"] ?? ""));
  const expected = Buffer.from(adminToken);
  if (token.length !== expected.length || !timingSafeEqual(token, expected)) {
    return reply.code(401).send();
  }
  const { key } = await gate.regenerateKey(req.params.id);
  return { key };
});

const address = await fastify.listen({ port: Number(process.env.PORT ?? 3000), host: "127.0.0.1" });
announceReady(address, { weather, billing }, adminToken);

async function shutdown(): Promise<void> {
  await mcp.close();
  await gate.close();
  await fastify.close();
}
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
