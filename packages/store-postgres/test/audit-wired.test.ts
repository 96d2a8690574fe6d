/**
 * The audit trail end to end on a real PostgreSQL server: apps in the PostgreSQL store, a gate
 * whose `events` bus feeds the PostgreSQL sink, a real MCP client calling tools over HTTP on
 * 127.0.0.1. Every event the wiring emits lands in the table; no row holds a key.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { containsKey, createEventBus, createGate } from "@mcpgate/core";
import { createMcpHandler } from "@mcpgate/mcp";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPostgresAuditSink, createPostgresStore } from "../src/index.js";
import { testDatabase, type TestDatabase } from "./pg-server.js";

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await testDatabase("wired");
  pool = new pg.Pool({ connectionString: database.url, max: 3 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

it("gate and MCP endpoint events reach the audit table, key ids only", async () => {
  const store = await createPostgresStore({ connectionString: database.url });
  const sink = createPostgresAuditSink({ pool, flushIntervalMs: 50 });
  await sink.migrate();
  const events = createEventBus();
  events.subscribe(sink.listener);
  const gate = createGate({ store, events, lastUsed: false });
  const mcp = createMcpHandler({
    gate,
    mode: "stateful",
    server: () => {
      const server = new McpServer({ name: "audited", version: "1.0.0" });
      server.registerTool("ping", {}, () => ({ content: [{ type: "text", text: "pong" }] }));
      server.registerTool("secret", {}, () => ({ content: [{ type: "text", text: "no" }] }));
      return server;
    },
  });
  const server = http.createServer((req, res) => void mcp(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    const { app, key } = await gate.createApp({ name: "trail", tools: ["ping"] });
    const client = new Client({ name: "auditor", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${origin}/mcp/${key}`)));
    await client.callTool({ name: "ping", arguments: {} });
    await expect(client.callTool({ name: "secret", arguments: {} })).rejects.toThrow();
    const bad = await fetch(`${origin}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.slice(0, -1)}${key.endsWith("a") ? "b" : "a"}` },
    });
    expect(bad.status).toBe(401);
    await gate.updateApp(app.id, { tools: ["ping", "secret"] });
    const { app: renewed } = await gate.regenerateKey(app.id);
    await gate.deleteApp(app.id);
    await client.close();

    await expect
      .poll(async () => {
        await events.drained();
        await sink.flush();
        return (await sink.query({ limit: 1000 })).map((row) => row.type);
      })
      .toEqual(
        expect.arrayContaining([
          "key.created",
          "auth.succeeded",
          "session.opened",
          "tool.called",
          "tool.refused",
          "auth.failed",
          "policy.changed",
          "key.regenerated",
          "session.closed",
          "key.deleted",
        ]),
      );
    const rows = await sink.query({ appId: app.id, limit: 1000 });
    const called = rows.find((row) => row.type === "tool.called");
    expect(called).toMatchObject({ appId: app.id, keyId: app.keyId, tool: "ping", outcome: "ok" });
    expect(rows.find((row) => row.type === "key.regenerated")).toMatchObject({
      keyId: renewed.keyId,
      previousKeyId: app.keyId,
      cause: "owner",
    });
    const { rows: raw } = await pool.query<{ event: unknown }>("SELECT event FROM mcpgate_audit");
    for (const row of raw) expect(containsKey(JSON.stringify(row.event))).toBe(false);
  } finally {
    await mcp.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await gate.close();
    await sink.close();
    await store.close();
  }
});
