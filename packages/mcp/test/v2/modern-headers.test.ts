/**
 * MCP 2026-07-28 header–body validation and refusals from the validated headers, over raw HTTP:
 * requests a real v2 client made, replayed with their headers changed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { McpServer } from "@modelcontextprotocol/server";
import { encodeHeaderValue } from "../../src/header-value.js";
import { connectClient, MODERN, startServer, type Exchange, type Harness } from "./helpers.js";

describe("2026-07-28 mirrored headers", () => {
  let h: Harness;
  let key: string;
  /** A real modern tools/call exchange (headers and body), to replay altered. */
  let call: Exchange;
  let list: Exchange;

  beforeAll(async () => {
    h = await startServer();
    key = (await h.gate.createApp({ name: "alpha", tools: ["echo"] })).key;
    const exchanges: Exchange[] = [];
    const client = await connectClient(h.origin, key, "modern", "header", exchanges);
    await client.listTools();
    await client.callTool({ name: "echo", arguments: { text: "x" } });
    await client.close();
    call = exchanges.find((e) => e.headers["mcp-method"] === "tools/call") as Exchange;
    list = exchanges.find((e) => e.headers["mcp-method"] === "tools/list") as Exchange;
  });
  afterAll(async () => {
    await h.close();
  });

  async function replay(
    base: Exchange,
    headers: Record<string, string | undefined>,
    body?: unknown,
  ): Promise<{ status: number; json: { id?: unknown; error?: { code: number; data?: unknown } } }> {
    const merged: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...base.headers, ...headers })) {
      if (value !== undefined && name !== "content-length") merged[name] = value;
    }
    const response = await fetch(`${h.origin}/mcp`, {
      method: "POST",
      headers: merged,
      body: body === undefined ? base.body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as never };
  }

  it("the client really spoke 2026-07-28, with Mcp-Method and Mcp-Name", () => {
    expect(call.headers["mcp-protocol-version"]).toBe(MODERN);
    expect(call.headers["mcp-name"]).toBe("echo");
    expect(call.status).toBe(200);
  });

  it("a per-app tools/list carries cacheScope private", () => {
    const result = (JSON.parse(list.response) as { result: Record<string, unknown> }).result;
    expect(result.cacheScope).toBe("private");
    expect((result.tools as { name: string }[]).map((t) => t.name)).toEqual(["echo"]);
  });

  it("a per-app list stays private even when the server hints cacheScope public", async () => {
    const publicHint = await startServer({
      server: () => {
        const server = new McpServer(
          { name: "public", version: "1.0.0" },
          { cacheHints: { "tools/list": { ttlMs: 60_000, cacheScope: "public" } } },
        );
        server.registerTool("echo", {}, () => ({ content: [{ type: "text", text: "hi" }] }));
        return server;
      },
    });
    const app = await publicHint.gate.createApp({ name: "p", tools: ["echo"] });
    const exchanges: Exchange[] = [];
    const client = await connectClient(publicHint.origin, app.key, "modern", "path", exchanges);
    await client.listTools();
    await client.close();
    await publicHint.close();
    const listed = exchanges.find((e) => e.headers["mcp-method"] === "tools/list") as Exchange;
    const result = (JSON.parse(listed.response) as { result: Record<string, unknown> }).result;
    expect(result).toMatchObject({ cacheScope: "private", ttlMs: 60_000 });
  });

  it.each([
    ["Mcp-Method differs from the body", { "mcp-method": "tools/list" }],
    ["Mcp-Method is missing", { "mcp-method": undefined }],
    ["Mcp-Name differs from the body", { "mcp-name": "add" }],
    ["Mcp-Name is missing", { "mcp-name": undefined }],
    ["Mcp-Name is malformed Base64", { "mcp-name": "=?base64?ZWNo!!?=" }],
    ["Mcp-Name decodes to another name", { "mcp-name": encodeHeaderValue(" echo") }],
  ])("%s: 400 with JSON-RPC -32020, and no server is built", async (_, headers) => {
    const before = h.factoryCalls.length;
    const { status, json } = await replay(call, headers);
    expect(status).toBe(400);
    expect(json.error?.code).toBe(-32020);
    expect(h.factoryCalls.length).toBe(before);
  });

  it("a Base64-encoded Mcp-Name that matches is decoded and accepted", async () => {
    const before = h.factoryCalls.length;
    const { status, json } = await replay(call, {
      "mcp-name": `=?base64?${Buffer.from("echo").toString("base64")}?=`,
    });
    expect(status).toBe(200);
    expect(json.error).toBeUndefined();
    expect(h.factoryCalls.length).toBe(before + 1);
  });

  it("a call outside the app's policy is refused from the headers before the factory runs", async () => {
    const body = JSON.parse(call.body) as { params: { name: string } };
    body.params.name = "drop_tables";
    const before = h.factoryCalls.length;
    const { status, json } = await replay(call, { "mcp-name": "drop_tables" }, body);
    expect(status).toBe(200);
    expect(json.error).toMatchObject({ code: -32602, data: { error: "tool_not_allowed" } });
    expect(json.id).toBe((JSON.parse(call.body) as { id: unknown }).id);
    expect(h.factoryCalls.length).toBe(before);
  });

  it("subscriptions/listen for a resource outside the app's policy is refused before the SDK serves it", async () => {
    // The SDK answers listen requests itself, past the transport the isolation layer wraps: a
    // filter naming another app's resource would tell this app whenever that resource changes.
    const before = h.factoryCalls.length;
    const listen = {
      jsonrpc: "2.0",
      id: 77,
      method: "subscriptions/listen",
      params: { notifications: { resourceSubscriptions: ["file:///other-app/secrets.txt"] } },
    };
    const { status, json } = await replay(
      list,
      { "mcp-method": "subscriptions/listen", "mcp-name": undefined },
      listen,
    );
    expect(status).toBe(200);
    expect(json).toMatchObject({
      id: 77,
      error: { code: -32602, data: { error: "resource_not_allowed" } },
    });
    expect(h.factoryCalls.length).toBe(before);
  });

  it("mirrored headers of an older version decide nothing: the body is policed as on 1.x", async () => {
    const body = JSON.parse(call.body) as { params: { name: string } };
    body.params.name = "drop_tables";
    const { json } = await replay(
      call,
      { "mcp-protocol-version": "2025-06-18", "mcp-name": "echo" },
      body,
    );
    expect(JSON.stringify(json)).not.toContain("dropped");
  });
});
