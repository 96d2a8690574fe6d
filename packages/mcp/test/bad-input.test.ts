/** Malformed, oversized, misdirected requests: clear errors, and the server keeps serving. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  INITIALIZE,
  buildServer,
  connectClient,
  raw,
  rawSession,
  startServer,
  textOf,
  type Harness,
} from "./helpers.js";

describe.each(["stateful", "stateless"] as const)("%s bad input", (mode) => {
  let h: Harness;
  let key: string;
  let url: string;

  beforeAll(async () => {
    h = await startServer({ mode, maxBodyBytes: 64 * 1024 });
    key = (await h.gate.createApp({ name: "alpha", tools: ["echo"] })).key;
    url = `${h.origin}/mcp/${key}`;
  });
  afterAll(async () => {
    // Whatever came before, the endpoint still works end to end.
    const client = await connectClient(h.origin, key);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "still" } }))).toBe(
      "alpha: still",
    );
    await client.close();
    expect(h.errors).toEqual([]);
    await h.close();
  });

  it("answers a body that is not JSON with 400 -32700", async () => {
    const response = await raw(url, { body: "{not json" });
    expect(response.status).toBe(400);
    expect(response.messages[0]).toMatchObject({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700 },
    });
  });

  it("answers JSON that is not JSON-RPC with 400", async () => {
    const headers = await rawSession(url);
    for (const body of [
      { hello: "world" },
      42,
      "ping",
      { jsonrpc: "1.0", id: 1, method: "ping" },
    ]) {
      const response = await raw(url, { headers, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.messages[0]).toMatchObject({ jsonrpc: "2.0", error: {} });
    }
  });

  it("answers an oversized body with 413, declared or streamed", async () => {
    const big = JSON.stringify({ ...INITIALIZE, padding: "x".repeat(100 * 1024) });
    const declared = await raw(url, { body: big });
    expect(declared.status).toBe(413);
    expect(declared.messages[0]).toMatchObject({ error: { code: -32000 } });

    const encoder = new TextEncoder();
    const chunked = await fetch(url, {
      method: "POST",
      headers: {
        accept: "application/json, text/event-stream",
        "content-type": "application/json",
      },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode(big));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    await chunked.body?.cancel();
  });

  it("authenticates before reading any body", async () => {
    const big = "x".repeat(100 * 1024);
    const response = await raw(`${h.origin}/mcp`, { body: big });
    expect(response.status).toBe(401);
  });

  it("answers unsupported methods with 405 and Allow", async () => {
    for (const method of ["PUT", "PATCH", "OPTIONS"]) {
      const response = await raw(url, { method, body: method === "OPTIONS" ? undefined : "{}" });
      expect(response.status, method).toBe(405);
      expect(response.headers.get("allow")).toBe(
        mode === "stateful" ? "GET, POST, DELETE" : "POST",
      );
      expect(response.messages[0]).toMatchObject({ error: { message: "Method not allowed." } });
    }
  });

  it("answers a wrong Accept or Content-Type as the SDK does (406, 415)", async () => {
    const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
    const headers = await rawSession(url);
    expect(
      (await raw(url, { headers: { ...headers, accept: "text/html" }, body: ping })).status,
    ).toBe(406);
    expect(
      (await raw(url, { headers: { ...headers, "content-type": "text/plain" }, body: ping }))
        .status,
    ).toBe(415);
  });
});

describe("stateful sessions: bad input", () => {
  let h: Harness;
  let url: string;
  const ping = { jsonrpc: "2.0", id: 1, method: "ping" };

  beforeAll(async () => {
    h = await startServer({ mode: "stateful" });
    const { key } = await h.gate.createApp({ name: "alpha", tools: ["echo"] });
    url = `${h.origin}/mcp/${key}`;
  });
  afterAll(async () => {
    await h.close();
  });

  it("answers an unknown session id with the SDK's 404, on every method", async () => {
    const headers = { "mcp-session-id": "no-such-session", "mcp-protocol-version": "2025-06-18" };
    for (const method of ["POST", "GET", "DELETE"]) {
      const response = await raw(url, {
        method,
        headers,
        body: method === "POST" ? ping : undefined,
      });
      expect(response.status, method).toBe(404);
      expect(response.messages[0]).toEqual({
        jsonrpc: "2.0",
        error: { code: -32001, message: "Session not found" },
        id: null,
      });
    }
  });

  it("requires a session id for anything but initialize", async () => {
    for (const method of ["POST", "GET", "DELETE"]) {
      const response = await raw(url, { method, body: method === "POST" ? ping : undefined });
      expect(response.status, method).toBe(400);
      expect(response.messages[0]).toMatchObject({
        error: { message: "Bad Request: Mcp-Session-Id header is required" },
      });
    }
  });

  it("ends a session on DELETE; its id is then unknown", async () => {
    const headers = await rawSession(url);
    expect((await raw(url, { method: "DELETE", headers })).status).toBe(200);
    expect((await raw(url, { headers, body: ping })).status).toBe(404);
  });
});

describe.each(["stateful", "stateless"] as const)("%s: a failing server factory", (mode) => {
  it("answers 500 with a JSON-RPC body, reports the error, and keeps serving", async () => {
    let fail = true;
    const h = await startServer({
      mode,
      server: (app) => {
        if (fail) throw new Error("factory exploded");
        return buildServer(app);
      },
    });
    const { key } = await h.gate.createApp({ name: "alpha", tools: ["echo"] });
    const response = await raw(`${h.origin}/mcp/${key}`, { body: INITIALIZE });
    expect(response.status).toBe(500);
    expect(response.messages[0]).toEqual({
      jsonrpc: "2.0",
      error: { code: -32000, message: "Internal error." },
      id: null,
    });
    expect(response.text).not.toContain("exploded");
    expect(h.errors.map(String)).toEqual(["Error: factory exploded"]);
    fail = false;
    const client = await connectClient(h.origin, key);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "ok" } }))).toBe(
      "alpha: ok",
    );
    await client.close();
    await h.close();
  });
});
