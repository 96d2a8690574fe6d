/**
 * Hono (or any fetch-standard server: Next.js route handlers, Bun, Deno): authenticate the web
 * `Request` before routing, then hand Hono the request without the key and the app as a binding.
 */
import { serve } from "@hono/node-server";
import { authenticateFetchRequest, createGate, MemoryStore, type App } from "@mcpgate/core";
import { Hono } from "hono";

const gate = createGate({ store: new MemoryStore() });
const { key } = await gate.createApp({ name: "example", tools: ["search"] });

const app = new Hono<{ Bindings: { app: App } }>();
app.all("/mcp", (c) =>
  // c.req.url no longer holds a path key, and the Authorization header is gone.
  c.json({ hello: c.env.app.name, url: new URL(c.req.url).pathname, clientId: c.env.app.id }),
);

const server = serve(
  {
    port: Number(process.env.PORT ?? 3000),
    hostname: "127.0.0.1",
    async fetch(request) {
      const auth = await authenticateFetchRequest(gate, request);
      if (!auth.ok) return auth.response;
      return app.fetch(auth.request, { app: auth.app });
    },
  },
  ({ port }) => {
    // Printed for the example's client only: a real server never prints or logs a key.
    console.log(`READY ${JSON.stringify({ url: `http://127.0.0.1:${port}`, key })}`);
  },
);

process.once("SIGTERM", () => {
  server.close();
  void gate.close();
});
