/** Express: every route under /mcp needs an MCPGate key, in the path or as a Bearer token. */
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore } from "@mcpgate/core";
import { mcpgate, redactRequests } from "@mcpgate/express";
import express from "express";

const gate = createGate({ store: new MemoryStore() });
const { key } = await gate.createApp({ name: "example", tools: ["search"] });

const app = express();
app.use(redactRequests(gate)); // first: no key reaches Express' 404 page or an access log
app.use("/mcp", mcpgate(gate), (req, res) => {
  // req.originalUrl no longer holds a path key; req.auth is the MCP SDK's AuthInfo.
  res.json({ hello: req.mcpgate?.name, url: req.originalUrl, clientId: req.auth?.clientId });
});

const server = app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  // Printed for the example's client only: a real server never prints or logs a key.
  console.log(`READY ${JSON.stringify({ url: `http://127.0.0.1:${port}`, key })}`);
});
