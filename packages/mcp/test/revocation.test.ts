/** Regenerating or deleting an app: old key refused, sessions and streams closed, new key works. */
import { createGate, MemoryStore } from "@mcpgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCEPT,
  connectClient,
  raw,
  rawSession,
  startServer,
  textOf,
  type Harness,
} from "./helpers.js";

/** Opens the session's GET stream and resolves when the server ends it. */
async function openStream(
  url: string,
  headers: Record<string, string>,
): Promise<{ ended: Promise<void> }> {
  const response = await fetch(url, { headers: { ...headers, accept: ACCEPT } });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const ended = (async () => {
    for (;;) if ((await reader.read()).done) return;
  })();
  return { ended };
}

const ping = { jsonrpc: "2.0", id: 1, method: "ping" };

describe("stateful revocation", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startServer({ mode: "stateful" });
  });
  afterAll(async () => {
    await h.close();
  });

  it("regenerate: the old key is refused, its session and GET stream close, the new key works", async () => {
    const { app, key: oldKey } = await h.gate.createApp({ name: "alpha", tools: ["echo"] });
    const client = await connectClient(h.origin, oldKey);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "1" } }))).toBe(
      "alpha: 1",
    );
    const url = `${h.origin}/mcp/${oldKey}`;
    const session = await rawSession(url);
    const stream = await openStream(url, session);

    const { key: newKey } = await h.gate.regenerateKey(app.id);
    await stream.ended; // closed by the server, not by a timeout

    await expect(client.listTools()).rejects.toMatchObject({ code: 401 });
    const old = await raw(url, { headers: session, body: ping });
    expect(old.status).toBe(401);
    // The old session id with the new key: an unknown session.
    const reused = await raw(`${h.origin}/mcp/${newKey}`, { headers: session, body: ping });
    expect(reused.status).toBe(404);
    expect(reused.messages[0]).toMatchObject({
      error: { code: -32001, message: "Session not found" },
    });

    const fresh = await connectClient(h.origin, newKey, "header");
    expect(textOf(await fresh.callTool({ name: "echo", arguments: { text: "2" } }))).toBe(
      "alpha: 2",
    );
    await fresh.close();
    await client.close();
  });

  it("delete: the key is refused and its session and GET stream close", async () => {
    const { app, key } = await h.gate.createApp({ name: "doomed", tools: ["echo"] });
    const client = await connectClient(h.origin, key, "header");
    const url = `${h.origin}/mcp/${key}`;
    const session = await rawSession(url);
    const stream = await openStream(url, session);

    await h.gate.deleteApp(app.id);
    await stream.ended;

    await expect(client.callTool({ name: "echo", arguments: { text: "x" } })).rejects.toMatchObject(
      { code: 401 },
    );
    expect((await raw(url, { headers: session, body: ping })).status).toBe(401);
    await client.close();
  });

  it("refuses a session of an older key generation even when no change event arrives", async () => {
    // Another instance regenerates the key and its change event is lost: the request-time check
    // (session generation vs. the authenticated app's) still holds.
    const store = new MemoryStore({ changeFeed: false });
    const admin = createGate({ store, lastUsed: false });
    const local = await startServer({
      mode: "stateful",
      gate: createGate({ store, lastUsed: false, cache: { ttlMs: 0 } }),
    });
    const { app, key } = await admin.createApp({ name: "quiet", tools: ["echo"] });
    const session = await rawSession(`${local.origin}/mcp/${key}`);
    const { key: newKey } = await admin.regenerateKey(app.id);
    const reused = await raw(`${local.origin}/mcp/${newKey}`, { headers: session, body: ping });
    expect(reused.status).toBe(404);
    expect((await raw(`${local.origin}/mcp/${key}`, { headers: session, body: ping })).status).toBe(
      401,
    );
    await local.close();
    await admin.close();
  });

  it("closes a session idle for longer than sessionIdleTimeoutMs", async () => {
    let now = 0;
    const local = await startServer({
      mode: "stateful",
      clock: () => now,
      sessionIdleTimeoutMs: 60_000,
    });
    const { key } = await local.gate.createApp({ name: "idle", tools: ["echo"] });
    const url = `${local.origin}/mcp/${key}`;
    const session = await rawSession(url);
    now += 59_000;
    expect((await raw(url, { headers: session, body: ping })).status).toBe(200);
    now += 59_000; // each request renews the session
    expect((await raw(url, { headers: session, body: ping })).status).toBe(200);
    now += 61_000;
    expect((await raw(url, { headers: session, body: ping })).status).toBe(404);
    await local.close();
  });

  it("close() ends every session", async () => {
    const local = await startServer({ mode: "stateful" });
    const { key } = await local.gate.createApp({ name: "a", tools: ["echo"] });
    const url = `${local.origin}/mcp/${key}`;
    const session = await rawSession(url);
    const stream = await openStream(url, session);
    await local.handler.close();
    await stream.ended;
    expect((await raw(url, { headers: session, body: ping })).status).toBe(503);
    await local.close();
  });
});

describe("stateless revocation", () => {
  it("regenerate: the old key is refused at once, the new key works", async () => {
    const h = await startServer({ mode: "stateless" });
    const { app, key: oldKey } = await h.gate.createApp({ name: "alpha", tools: ["echo"] });
    const client = await connectClient(h.origin, oldKey);
    expect((await client.listTools()).tools).toHaveLength(1);
    const { key: newKey } = await h.gate.regenerateKey(app.id);
    await expect(client.listTools()).rejects.toMatchObject({ code: 401 });
    const fresh = await connectClient(h.origin, newKey);
    expect((await fresh.listTools()).tools).toHaveLength(1);
    await h.gate.deleteApp(app.id);
    await expect(fresh.listTools()).rejects.toMatchObject({ code: 401 });
    await client.close();
    await fresh.close();
    await h.close();
  });
});
