/**
 * The v2 rows of `pnpm bench mcp`: `tools/call` round trips through the v2 SDK's own handler
 * (`createMcpHandler`, no auth) and through `@mcpgate/mcp/v2`, in both protocol eras: a v2 client
 * pinned to 2026-07-28 (stateless, one POST per call) and the 2025 era (the SDK's stateless legacy
 * serving on both sides, so the two run the same mode). Same harness as the 1.x rows.
 */
import type { Server } from "node:http";
import { createGate, MemoryStore } from "@mcpgate/core";
import { createMcpEndpoint } from "@mcpgate/mcp/v2";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { CLIENTS, listen, measureRounds, type Caller, type Row } from "./mcp.bench.js";

type Era = "modern" | "legacy";

function buildServer(): McpServer {
  const server = new McpServer({ name: "bench-v2", version: "1.0.0" });
  server.registerTool("echo", { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
    content: [{ type: "text", text }],
  }));
  return server;
}

async function clients(era: Era, url: string, key?: string): Promise<Client[]> {
  return Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
      const client = new Client(
        { name: "bench", version: "1.0.0" },
        era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {},
      );
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
      );
      if (era === "modern" && client.getNegotiatedProtocolVersion() !== "2026-07-28") {
        throw new Error("the modern rows must run 2026-07-28");
      }
      return client;
    }),
  );
}

const asCaller = (client: Client): Caller => ({
  callTool: (params) => client.callTool(params),
});

export async function mcpV2Rows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const era of ["modern", "legacy"] as const) {
    const label = era === "modern" ? "v2, 2026-07-28" : "v2, 2025 era";
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { key } = await gate.createApp({ name: "bench", tools: ["echo"] });
    const sdk = createMcpHandler(buildServer, { legacy: "stateless" });
    const gated = createMcpEndpoint({ gate, server: buildServer, legacy: "stateless" });
    const plainNode = toNodeHandler(sdk);
    const plain = await listen((req, res) => plainNode(req, res));
    const withGate = await listen((req, res) => gated.node(req, res));
    const plainClients = await clients(era, `${plain.origin}/mcp`);
    const gateClients = await clients(era, `${withGate.origin}/mcp`, key);

    const { base, gatedRate } = await measureRounds(
      plainClients.map(asCaller),
      gateClients.map(asCaller),
    );
    rows.push(
      {
        scenario: `${label}: SDK alone`,
        "calls/s": Math.round(base),
        "% of SDK alone": "100 (baseline)",
      },
      {
        scenario: `${label}: SDK + @mcpgate/mcp/v2`,
        "calls/s": Math.round(gatedRate),
        "% of SDK alone": ((100 * gatedRate) / base).toFixed(1),
      },
    );

    await Promise.all([...plainClients, ...gateClients].map((client) => client.close()));
    await Promise.all([sdk.close(), gated.close()]);
    for (const { server } of [plain, withGate] as { server: Server }[]) {
      server.closeAllConnections();
      server.close();
    }
    await gate.close();
  }
  return rows;
}
