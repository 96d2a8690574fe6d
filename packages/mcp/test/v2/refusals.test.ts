/** The v2 endpoint's refusals over real HTTP: the same answers as the 1.x endpoint. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raw } from "../helpers.js";
import { startServer, type Harness } from "./helpers.js";

describe("v2 endpoint refusals", () => {
  let h: Harness;
  let key: string;

  beforeAll(async () => {
    h = await startServer({ maxBodyBytes: 1024 });
    key = (await h.gate.createApp({ name: "alpha", tools: ["echo"] })).key;
  });
  afterAll(async () => {
    await h.close();
  });

  it("no key: 401 with a Bearer challenge and the key hint, and no server built", async () => {
    const before = h.factoryCalls.length;
    const response = await raw(`${h.origin}/mcp`, { body: { jsonrpc: "2.0", id: 1, method: "x" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
    expect(response.text).toMatch(/does not use OAuth/);
    expect(h.factoryCalls.length).toBe(before);
  });

  it("OAuth discovery probes get a quick 404 that says why", async () => {
    const response = await raw(`${h.origin}/.well-known/oauth-protected-resource/mcp`, {
      method: "GET",
    });
    expect(response.status).toBe(404);
    expect(response.text).toMatch(/oauth_not_supported/);
  });

  it("a foreign Host or Origin on a loopback bind: 403 before authentication", async () => {
    const origin = await raw(`${h.origin}/mcp/${key}`, {
      headers: { origin: "https://evil.example" },
      body: { jsonrpc: "2.0", id: 1, method: "tools/list" },
    });
    expect(origin.status).toBe(403);
    expect(origin.text).toMatch(/Invalid Origin header/);
  });

  it("an oversize body: 413, unread", async () => {
    const response = await raw(`${h.origin}/mcp/${key}`, { body: "x".repeat(4096) });
    expect(response.status).toBe(413);
  });

  it("a body that is not JSON: 400 parse error", async () => {
    const response = await raw(`${h.origin}/mcp/${key}`, { body: "{" });
    expect(response.status).toBe(400);
    expect(response.messages[0]).toMatchObject({ error: { code: -32700 } });
  });

  it("a key under another path is not an MCP URL: 404", async () => {
    const response = await raw(`${h.origin}/mcp/${key}/other`, { body: {} });
    expect(response.status).toBe(404);
  });

  it("after close(): 503 shutting_down with Retry-After", async () => {
    const closing = await startServer();
    const app = await closing.gate.createApp({ name: "c", tools: [] });
    await closing.endpoint.close();
    const response = await raw(`${closing.origin}/mcp/${app.key}`, { body: {} });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(response.text).toMatch(/shutting_down/);
    await closing.close();
  });
});
