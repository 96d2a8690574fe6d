/**
 * #13.3: `await mcp.close()` closes. New requests get 503 `shutting_down`, open sessions and SSE
 * streams end, and `server.close()` completes promptly (no stream keeps the server alive).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore } from "@mcpgate/core";
import { describe, expect, it } from "vitest";
import { createMcpHandler } from "../src/index.js";
import { ACCEPT, buildServer, INITIALIZE, raw, rawSession } from "./helpers.js";

describe.each(["stateful", "stateless"] as const)("%s: close()", (mode) => {
  it("refuses new work with 503 shutting_down, ends streams, lets server.close() finish", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { key } = await gate.createApp({ name: "a", tools: [] });
    const mcp = createMcpHandler({ gate, mode, server: buildServer });
    const server = http.createServer((req, res) => void mcp(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp/${key}`;

    const session = await rawSession(url);
    let streamEnded: Promise<void> = Promise.resolve();
    if (mode === "stateful") {
      const stream = await fetch(url, { headers: { ...session, accept: ACCEPT } });
      expect(stream.status).toBe(200);
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      streamEnded = (async () => {
        for (;;) if ((await reader.read()).done) return;
      })();
    }

    await mcp.close();
    await streamEnded;
    for (const headers of [{}, session]) {
      const refused = await raw(url, { headers, body: INITIALIZE });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(refused.messages[0]).toMatchObject({ error: { data: { error: "shutting_down" } } });
    }

    const started = Date.now();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
    expect(Date.now() - started).toBeLessThan(1000);
    await gate.close();
  });
});
