/** The SDK client against a real server: both key positions, tools, what handlers see. */
import { generateKey } from "@mcpgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, raw, rawSession, startServer, textOf, type Harness } from "./helpers.js";

describe.each(["stateful", "stateless"] as const)("%s endpoint", (mode) => {
  let h: Harness;
  let key: string;
  let appId: string;

  beforeAll(async () => {
    h = await startServer({ mode });
    const issued = await h.gate.createApp({ name: "alpha", tools: ["echo", "inspect"] });
    key = issued.key;
    appId = issued.app.id;
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(["path", "header"] as const)(
    "connects with the key in the %s, lists and calls its tools",
    async (via) => {
      const client = await connectClient(h.origin, key, via);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(["echo", "inspect"]);
      const result = await client.callTool({ name: "echo", arguments: { text: "hi" } });
      expect(textOf(result)).toBe("alpha: hi");
      await client.close();
    },
  );

  it.each(["path", "header"] as const)(
    "hands the app to tool handlers as authInfo and never the key (key in the %s)",
    async (via) => {
      const client = await connectClient(h.origin, key, via);
      const seen = textOf(await client.callTool({ name: "inspect", arguments: {} }));
      await client.close();
      expect(seen).not.toContain(key);
      expect(seen).not.toContain(key.slice(12)); // not even the secret part
      const { authInfo, requestInfo } = JSON.parse(seen) as {
        authInfo: {
          token: string;
          clientId: string;
          expiresAt: number;
          extra: { app: { id: string } };
        };
        requestInfo: { url: string; headers: Record<string, string> };
      };
      expect(authInfo.clientId).toBe(appId);
      expect(authInfo.extra.app.id).toBe(appId);
      expect(authInfo.token).toBe(key.slice(4, 12));
      expect(typeof authInfo.expiresAt).toBe("number");
      expect(new URL(requestInfo.url).pathname).toBe("/mcp");
      expect(requestInfo.headers).not.toHaveProperty("authorization");
    },
  );

  it("refuses a request without a key with a JSON-RPC 401 and no OAuth hints", async () => {
    const response = await raw(`${h.origin}/mcp`, {
      body: { jsonrpc: "2.0", id: 1, method: "ping" },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="mcpgate"');
    expect(response.text).not.toContain("resource_metadata");
    expect(response.messages[0]).toMatchObject({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, data: { error: "missing_credentials" } },
    });
  });

  it("refuses an unknown key with 401 invalid_token, in the path and in the header alike", async () => {
    const unknown = generateKey();
    const inPath = await raw(`${h.origin}/mcp/${unknown}`, {
      body: { jsonrpc: "2.0", id: 1, method: "ping" },
    });
    const inHeader = await raw(`${h.origin}/mcp`, {
      headers: { authorization: `Bearer ${unknown}` },
      body: { jsonrpc: "2.0", id: 1, method: "ping" },
    });
    for (const response of [inPath, inHeader]) {
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
      expect(response.messages[0]).toMatchObject({ error: { data: { error: "invalid_key" } } });
    }
    expect(inPath.text).toBe(inHeader.text);
  });

  it("answers OAuth discovery with a fast 404, without authentication", async () => {
    for (const path of [
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-authorization-server",
      "/mcp/.well-known/oauth-protected-resource",
    ]) {
      const response = await raw(`${h.origin}${path}`, { method: "GET" });
      expect(response.status, path).toBe(404);
    }
  });

  it("answers other paths with 404 before authenticating", async () => {
    const response = await raw(`${h.origin}/admin`, { body: {} });
    expect(response.status).toBe(404);
    const below = await raw(`${h.origin}/mcp/${key}/extra`, {
      body: { jsonrpc: "2.0", id: 1, method: "ping" },
    });
    expect(below.status).toBe(404);
  });

  it("answers ping through a hand-made session", async () => {
    const headers = await rawSession(`${h.origin}/mcp/${key}`);
    const pong = await raw(`${h.origin}/mcp/${key}`, {
      headers,
      body: { jsonrpc: "2.0", id: 7, method: "ping" },
    });
    expect(pong.status).toBe(200);
    expect(pong.messages).toEqual([{ jsonrpc: "2.0", id: 7, result: {} }]);
  });
});
