/**
 * Heap per idle MCP session, SDK alone and SDK + @mcpgate/mcp: opens SESSIONS sessions by hand
 * (initialize + notifications/initialized, raw HTTP on 127.0.0.1), collects garbage, and divides
 * the heap growth by the number of sessions. The sessions are then idle: no request, no stream.
 * Memory, unlike throughput, does not need a quiet machine.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { createGate, MemoryStore } from "@mcpgate/core";
import { createMcpHandler } from "@mcpgate/mcp";
import { baseline, buildServer, listen, type Handler } from "./mcp.bench.js";

const SESSIONS = 1_000;
const PARALLEL = 20;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}

async function openSession(url: string, headers: Record<string, string>): Promise<void> {
  const common = {
    accept: "application/json, text/event-stream",
    "content-type": "application/json",
  };
  const init = await fetch(url, {
    method: "POST",
    headers: { ...common, ...headers },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "m", version: "1" },
      },
    }),
  });
  await init.text();
  const sessionId = init.headers.get("mcp-session-id");
  if (init.status !== 200 || sessionId === null) throw new Error(`initialize: ${init.status}`);
  const done = await fetch(url, {
    method: "POST",
    headers: {
      ...common,
      ...headers,
      "mcp-session-id": sessionId,
      "mcp-protocol-version": "2025-06-18",
    },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  await done.text();
}

/** Bytes of heap per idle session opened through `handler`. */
async function perSession(handler: Handler, headers: Record<string, string>): Promise<number> {
  const { server, origin } = await listen(handler);
  const url = `${origin}/mcp`;
  await openSession(url, headers); // warm-up: first-use allocations are not per session
  const before = await settledHeap();
  for (let opened = 0; opened < SESSIONS; opened += PARALLEL) {
    await Promise.all(Array.from({ length: PARALLEL }, () => openSession(url, headers)));
  }
  server.closeAllConnections(); // keep-alive sockets are the client's, not the session's
  const after = await settledHeap();
  server.close();
  return (after - before) / SESSIONS;
}

export async function mcpMemoryBench(): Promise<void> {
  const gate = createGate({ store: new MemoryStore(), lastUsed: false });
  const { key } = await gate.createApp({ name: "bench", tools: ["echo"] });
  const gated = createMcpHandler({
    gate,
    mode: "stateful",
    server: buildServer,
    maxSessions: 10 * SESSIONS,
    maxSessionsPerApp: 2 * SESSIONS,
  });
  const plainBytes = await perSession(baseline("stateful"), {});
  const gatedBytes = await perSession(gated, { authorization: `Bearer ${key}` });
  await gated.close();
  await gate.close();
  console.log(`\n## Heap per idle MCP session (${SESSIONS} sessions, after GC)`);
  console.table([
    {
      scenario: "SDK alone",
      "KiB/session": (plainBytes / 1024).toFixed(1),
      ratio: "1.00 (baseline)",
    },
    {
      scenario: "SDK + @mcpgate/mcp",
      "KiB/session": (gatedBytes / 1024).toFixed(1),
      ratio: (gatedBytes / plainBytes).toFixed(2),
    },
  ]);
}
