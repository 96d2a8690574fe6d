/**
 * A real node:http server on 127.0.0.1 serving the v2 endpoint, and real v2 clients
 * (`@modelcontextprotocol/client`) in either era, with every request's headers recorded.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore, type App, type Gate } from "@mcpgate/core";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { McpServer, type McpRequestContext } from "@modelcontextprotocol/server";
import { z } from "zod";
import {
  createMcpEndpoint,
  type McpEndpoint,
  type McpEndpointOptions,
} from "../../src/v2/index.js";

export const MODERN = "2026-07-28";
export type Era = "legacy" | "modern";

/** What the factory was called with, for assertions (the key must appear nowhere). */
export interface FactoryCall {
  app: App;
  context: McpRequestContext;
}

/** One server per request/session with every tool; `inspect` reports what a handler can see. */
export function buildServer(app: App): McpServer {
  const server = new McpServer({ name: "test-server", version: "1.0.0" });
  server.registerTool("echo", { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
    content: [{ type: "text", text: `${app.name}: ${text}` }],
  }));
  server.registerTool(
    "add",
    { inputSchema: z.object({ a: z.number(), b: z.number() }) },
    ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }] }),
  );
  server.registerTool("inspect", {}, (ctx) => ({
    content: [
      {
        type: "text",
        text: JSON.stringify({
          authInfo: ctx.http?.authInfo,
          url: ctx.http?.req?.url,
          headers: ctx.http?.req ? Object.fromEntries(ctx.http.req.headers) : undefined,
        }),
      },
    ],
  }));
  server.registerTool("drop_tables", {}, () => ({ content: [{ type: "text", text: "dropped" }] }));
  return server;
}

export interface Harness {
  gate: Gate;
  endpoint: McpEndpoint;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  errors: unknown[];
  factoryCalls: FactoryCall[];
  /** Headers of every HTTP request the server received, in order. */
  seen: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function startServer(options: Partial<McpEndpointOptions> = {}): Promise<Harness> {
  const gate = options.gate ?? createGate({ store: new MemoryStore(), lastUsed: false });
  const errors: unknown[] = [];
  const factoryCalls: FactoryCall[] = [];
  const seen: http.IncomingHttpHeaders[] = [];
  const endpoint = createMcpEndpoint({
    gate,
    server: (app, context) => {
      factoryCalls.push({ app, context });
      return buildServer(app);
    },
    onError: (error) => errors.push(error),
    ...options,
  });
  const server = http.createServer((req, res) => {
    seen.push({ ...req.headers });
    void endpoint.node(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    gate,
    endpoint,
    origin: `http://127.0.0.1:${port}`,
    errors,
    factoryCalls,
    seen,
    async close() {
      await endpoint.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gate.close();
    },
  };
}

/** One exchange as the client's transport made it. */
export interface Exchange {
  headers: Record<string, string>;
  body: string;
  status: number;
  response: string;
}

/** A fetch that records every exchange (request headers and body, response text) in `into`. */
export function recordingFetch(into: Exchange[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.method === "POST" ? await request.clone().text() : "";
    const response = await fetch(request);
    const type = response.headers.get("content-type") ?? "";
    // SSE streams stay open: record only JSON answers.
    const text = type.includes("json") ? await response.clone().text() : "";
    into.push({
      headers: Object.fromEntries(request.headers),
      body,
      status: response.status,
      response: text,
    });
    return response;
  };
}

/** A connected v2 client in `era`, with the key in the URL path or in a Bearer header. */
export async function connectClient(
  origin: string,
  key: string,
  era: Era,
  via: "path" | "header" = "path",
  exchanges?: Exchange[],
): Promise<Client> {
  const recording = exchanges === undefined ? {} : { fetch: recordingFetch(exchanges) };
  const transport =
    via === "path"
      ? new StreamableHTTPClientTransport(new URL(`${origin}/mcp/${key}`), recording)
      : new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
          requestInit: { headers: { Authorization: `Bearer ${key}` } },
          ...recording,
        });
  const client = new Client(
    { name: "test-client", version: "1.0.0" },
    era === "modern" ? { versionNegotiation: { mode: { pin: MODERN } } } : {},
  );
  await client.connect(transport);
  return client;
}

export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((part) => part.text ?? "").join("");
}

/** The `MCP-Protocol-Version` values the server saw on POSTs since `from`. */
export function versionsSeen(h: Harness, from = 0): string[] {
  return h.seen.slice(from).map((headers) => String(headers["mcp-protocol-version"] ?? "none"));
}
