/** Plain node:http: the handler only runs for requests with a valid MCPGate key. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore } from "@mcpgate/core";
import { withMcpgate } from "@mcpgate/node";

const gate = createGate({ store: new MemoryStore() });
const { key } = await gate.createApp({ name: "example", tools: ["search"] });

const server = createServer(
  withMcpgate(gate, (req, res) => {
    // req.url no longer holds a path key; req.auth is the MCP SDK's AuthInfo.
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ hello: req.mcpgate.name, url: req.url, clientId: req.auth.clientId }));
  }),
);

server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  // Printed for the example's client only: a real server never prints or logs a key.
  console.log(`READY ${JSON.stringify({ url: `http://127.0.0.1:${port}`, key })}`);
});
