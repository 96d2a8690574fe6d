/**
 * `tools/call` round trips per second through the same MCP SDK server, with and without @mcpgate
 * (key already in the positive cache), stateful and stateless. Real HTTP on 127.0.0.1 and the
 * real SDK client; several clients in parallel; baseline and gated runs alternate so drift on the
 * machine hits both. The v2 rows (./mcp-v2.bench.ts) use the same harness.
 * `MCPGATE_BENCH_SMOKE=1` runs one short round: proof that the rows work, not a measurement.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore } from "@mcpgate/core";
import { createMcpHandler } from "@mcpgate/mcp";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { mcpV2Rows } from "./mcp-v2.bench.js";

const smoke = process.env.MCPGATE_BENCH_SMOKE === "1";
export const CLIENTS = 8;
const ROUNDS = smoke ? 1 : 5;
const ROUND_MS = smoke ? 200 : 1_000;
const WARM_UP_MS = smoke ? 100 : 300;

/** One table row. */
export interface Row {
  scenario: string;
  "calls/s": number;
  "% of SDK alone": string;
}

/** What the harness needs of a client, whichever SDK major it comes from. */
export interface Caller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
}

type Mode = "stateful" | "stateless";
export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function buildServer(): McpServer {
  const server = new McpServer({ name: "bench", version: "1.0.0" });
  server.registerTool("echo", { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: "text", text }],
  }));
  return server;
}

/** The SDK's own recipe, no auth: a session map (stateful) or a server per request (stateless). */
export function baseline(mode: Mode): Handler {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  return async (req, res) => {
    if (mode === "stateless") {
      if (req.method !== "POST") return void res.writeHead(405).end();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      const server = buildServer();
      res.once("close", () => void server.close());
      await server.connect(transport);
      return transport.handleRequest(req, res);
    }
    const id = req.headers["mcp-session-id"];
    const existing = typeof id === "string" ? sessions.get(id) : undefined;
    if (existing) return existing.handleRequest(req, res);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sid) => void sessions.set(sid, transport),
    });
    await buildServer().connect(transport);
    return transport.handleRequest(req, res);
  };
}

export async function listen(handler: Handler): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function clients(url: string, key?: string): Promise<Client[]> {
  return Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
      const client = new Client({ name: "bench", version: "1.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
      );
      return client;
    }),
  );
}

/** Round trips completed by all clients in `ms`. */
async function measure(pool: Caller[], ms: number): Promise<number> {
  const end = performance.now() + ms;
  let count = 0;
  await Promise.all(
    pool.map(async (client) => {
      while (performance.now() < end) {
        await client.callTool({ name: "echo", arguments: { text: "hi" } });
        count++;
      }
    }),
  );
  return count;
}

/**
 * Warms both pools up (JIT, key cache), then alternates baseline and gated rounds so drift on the
 * machine hits both. Returns calls per second of each.
 */
export async function measureRounds(
  plainClients: Caller[],
  gateClients: Caller[],
): Promise<{ base: number; gatedRate: number }> {
  await measure(plainClients, WARM_UP_MS);
  await measure(gateClients, WARM_UP_MS);
  let plainCalls = 0;
  let gateCalls = 0;
  for (let round = 0; round < ROUNDS; round++) {
    plainCalls += await measure(plainClients, ROUND_MS);
    gateCalls += await measure(gateClients, ROUND_MS);
  }
  const seconds = (ROUNDS * ROUND_MS) / 1000;
  return { base: plainCalls / seconds, gatedRate: gateCalls / seconds };
}

export async function mcpBench(): Promise<void> {
  const rows: Row[] = [];
  for (const mode of ["stateful", "stateless"] as const) {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { key } = await gate.createApp({ name: "bench", tools: ["echo"] });
    const gated = createMcpHandler({ gate, mode, server: buildServer });
    const plain = await listen(baseline(mode));
    const withGate = await listen(gated);
    const plainClients = await clients(`${plain.origin}/mcp`);
    const gateClients = await clients(`${withGate.origin}/mcp`, key);

    const { base, gatedRate } = await measureRounds(plainClients, gateClients);
    rows.push(
      {
        scenario: `${mode}: SDK alone`,
        "calls/s": Math.round(base),
        "% of SDK alone": "100 (baseline)",
      },
      {
        scenario: `${mode}: SDK + @mcpgate/mcp`,
        "calls/s": Math.round(gatedRate),
        "% of SDK alone": ((100 * gatedRate) / base).toFixed(1),
      },
    );

    await Promise.all([...plainClients, ...gateClients].map((client) => client.close()));
    await gated.close();
    for (const { server } of [plain, withGate]) {
      server.closeAllConnections();
      server.close();
    }
    await gate.close();
  }
  rows.push(...(await mcpV2Rows()));
  console.log(
    `\n## MCP tools/call round trips (${CLIENTS} clients, ${ROUNDS} × ${ROUND_MS} ms each)`,
  );
  console.table(rows);
}
