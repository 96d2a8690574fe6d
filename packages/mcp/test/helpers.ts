/** A real node:http server on 127.0.0.1 serving @mcpgate/mcp, and real SDK clients for it. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore, type App, type Gate } from "@mcpgate/core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { createMcpHandler, type McpHandler, type McpHandlerOptions } from "../src/index.js";

/** Every tool the factory registers, whatever the app: the policy decides what is visible. */
export const ALL_TOOLS = ["echo", "inspect", "add", "drop_tables"];

/** One server per app with every tool; `inspect` reports what a handler can see. */
export function buildServer(app: App): McpServer {
  const server = new McpServer({ name: "test-server", version: "1.0.0" });
  server.registerTool("echo", { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: "text", text: `${app.name}: ${text}` }],
  }));
  server.registerTool("add", { inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({
    content: [{ type: "text", text: String(a + b) }],
  }));
  server.registerTool("inspect", {}, (extra) => ({
    content: [
      {
        type: "text",
        text: JSON.stringify({
          authInfo: extra.authInfo,
          requestInfo: { url: extra.requestInfo?.url?.href, headers: extra.requestInfo?.headers },
        }),
      },
    ],
  }));
  server.registerTool("drop_tables", {}, () => ({ content: [{ type: "text", text: "dropped" }] }));
  return server;
}

export interface Harness {
  gate: Gate;
  handler: McpHandler;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  errors: unknown[];
  close(): Promise<void>;
}

export async function startServer(
  options: Partial<McpHandlerOptions> & { mode: "stateful" | "stateless" },
): Promise<Harness> {
  const gate = options.gate ?? createGate({ store: new MemoryStore(), lastUsed: false });
  const errors: unknown[] = [];
  const handler = createMcpHandler({
    gate,
    server: buildServer,
    onError: (error) => errors.push(error),
    ...options,
  });
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    gate,
    handler,
    origin: `http://127.0.0.1:${port}`,
    errors,
    async close() {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gate.close();
    },
  };
}

/** A connected SDK client, with the key in the URL path or in a Bearer header. */
export async function connectClient(
  origin: string,
  key: string,
  via: "path" | "header" = "path",
): Promise<Client> {
  const transport =
    via === "path"
      ? new StreamableHTTPClientTransport(new URL(`${origin}/mcp/${key}`))
      : new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
          requestInit: { headers: { Authorization: `Bearer ${key}` } },
        });
  const client = new Client({ name: "test-client", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((part) => part.text ?? "").join("");
}

export const ACCEPT = "application/json, text/event-stream";

export interface RawResponse {
  status: number;
  headers: Headers;
  /** JSON-RPC messages from a JSON body or from SSE `data:` lines. */
  messages: Record<string, unknown>[];
  text: string;
}

/** A hand-crafted HTTP request, reading JSON or SSE bodies alike. */
export async function raw(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<RawResponse> {
  const response = await fetch(url, {
    method: init.method ?? "POST",
    headers: { accept: ACCEPT, "content-type": "application/json", ...init.headers },
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === "string"
          ? init.body
          : JSON.stringify(init.body),
  });
  const text = await response.text();
  let messages: Record<string, unknown>[] = [];
  if (response.headers.get("content-type")?.includes("text/event-stream")) {
    messages = text
      .split("\n")
      .filter((line) => line.startsWith("data: ") && line.length > 6)
      .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
  } else if (text.length > 0) {
    const parsed = JSON.parse(text) as Record<string, unknown> | Record<string, unknown>[];
    messages = Array.isArray(parsed) ? parsed : [parsed];
  }
  return { status: response.status, headers: response.headers, messages, text };
}

export const INITIALIZE = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "1.0.0" },
  },
};

/** Opens a session by hand; returns the headers later requests of that session need. */
export async function rawSession(url: string, key?: string): Promise<Record<string, string>> {
  const auth: Record<string, string> = key === undefined ? {} : { authorization: `Bearer ${key}` };
  const init = await raw(url, { headers: auth, body: INITIALIZE });
  if (init.status !== 200) throw new Error(`initialize failed: ${init.status} ${init.text}`);
  const headers: Record<string, string> = { ...auth, "mcp-protocol-version": "2025-06-18" };
  const sessionId = init.headers.get("mcp-session-id");
  if (sessionId !== null) headers["mcp-session-id"] = sessionId;
  await raw(url, { headers, body: { jsonrpc: "2.0", method: "notifications/initialized" } });
  return headers;
}

export function callTool(id: number, name: string, args: Record<string, unknown> = {}): object {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } };
}
