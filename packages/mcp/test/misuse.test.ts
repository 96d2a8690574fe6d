/**
 * A newcomer's mistakes get a clear answer, not a hang or a bare 500 (issue #13, items 1–2): the
 * handler behind a body parser, a factory that throws or returns one server twice, and a default
 * `onError` that reports once per cause with keys redacted.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createGate, generateKey, MemoryStore } from "@mcpgate/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import express from "express";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDefaultErrorReport } from "../src/error-report.js";
import { createMcpHandler, type McpHandlerOptions } from "../src/index.js";
import {
  buildServer,
  callTool,
  INITIALIZE,
  raw,
  rawSession,
  startServer,
  type Harness,
} from "./helpers.js";

async function listen(
  app: http.RequestListener,
): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.each(["stateful", "stateless"] as const)("%s behind a body parser", (mode) => {
  it("uses req.body that express.json() parsed, even when it is not passed", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const mcp = createMcpHandler({ gate, mode, server: buildServer, onError: () => {} });
    const app = express();
    app.use(express.json());
    app.all(["/mcp", "/mcp/*key"], (req, res) => void mcp(req, res)); // body not passed
    const server = await listen(app);
    const { key } = await gate.createApp({ name: "express", tools: ["echo"] });
    const url = `${server.origin}/mcp/${key}`;
    const headers = await rawSession(url);
    const response = await raw(url, { headers, body: callTool(1, "echo", { text: "hi" }) });
    expect(response.messages[0]).toMatchObject({ result: { content: [{ text: "express: hi" }] } });
    await mcp.close();
    await server.close();
    await gate.close();
  });

  it("fails fast with body_already_read when something consumed the body and parsed nothing", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const errors: unknown[] = [];
    const mcp = createMcpHandler({
      gate,
      mode,
      server: buildServer,
      onError: (e) => errors.push(e),
    });
    const server = await listen((req, res) => {
      req.resume(); // a middleware that reads the body and keeps it to itself
      req.once("end", () => void mcp(req, res));
    });
    const { key } = await gate.createApp({ name: "drained" });
    const response = await raw(`${server.origin}/mcp/${key}`, {
      body: { jsonrpc: "2.0", id: 1, method: "ping" },
    });
    expect(response.status).toBe(500);
    expect(response.messages[0]).toMatchObject({ error: { data: { error: "body_already_read" } } });
    expect(JSON.stringify(response.messages[0])).toContain("mcp(req, res, req.body)");
    expect(errors).toHaveLength(1);
    await mcp.close();
    await server.close();
    await gate.close();
  });
});

describe("a broken server factory", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("returning the same McpServer twice: 500 that says a new server is needed per session", async () => {
    const shared = new McpServer({ name: "shared", version: "1.0.0" });
    h = await startServer({ mode: "stateful", server: () => shared });
    const { key } = await h.gate.createApp({ name: "reuse" });
    const url = `${h.origin}/mcp/${key}`;
    expect((await raw(url, { body: INITIALIZE })).status).toBe(200);
    const second = await raw(url, { body: INITIALIZE });
    expect(second.status).toBe(500);
    expect(second.messages[0]).toMatchObject({
      error: {
        message: expect.stringContaining("must return a new McpServer per session") as string,
        data: { error: "server_reused" },
      },
    });
    expect(h.errors).toHaveLength(1);
  });

  it("throwing: 500 with server_factory_failed, never the thrown message", async () => {
    h = await startServer({
      mode: "stateless",
      server: () => {
        throw new Error("db password is hunter2");
      },
    });
    const { key } = await h.gate.createApp({ name: "throws" });
    const response = await raw(`${h.origin}/mcp/${key}`, { body: callTool(1, "echo") });
    expect(response.status).toBe(500);
    expect(response.messages[0]).toMatchObject({
      error: { data: { error: "server_factory_failed" } },
    });
    expect(response.text).not.toContain("hunter2");
    expect(h.errors).toHaveLength(1);
  });

  it("without onError: reported on console.error once per cause, keys redacted", async () => {
    const key = generateKey();
    const lines: string[] = [];
    const spy = vi
      .spyOn(console, "error")
      .mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      const gate = createGate({ store: new MemoryStore(), lastUsed: false });
      const options: McpHandlerOptions = {
        gate,
        mode: "stateless",
        server: () => {
          throw new Error(`cannot open ${key}`);
        },
      };
      const mcp = createMcpHandler(options);
      const server = await listen((req, res) => void mcp(req, res));
      const { key: appKey } = await gate.createApp({ name: "logged" });
      for (let i = 0; i < 3; i++) {
        await raw(`${server.origin}/mcp/${appKey}`, { body: callTool(i, "echo") });
      }
      await mcp.close();
      await server.close();
      await gate.close();
    } finally {
      spy.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("options.server");
    expect(lines[0]).toContain("cannot open mgw_");
    expect(lines[0]).not.toContain(key);
  });
});

describe("createDefaultErrorReport", () => {
  it("writes each distinct cause once", () => {
    const lines: string[] = [];
    const report = createDefaultErrorReport((line) => lines.push(line));
    report(new Error("a"), "request");
    report(new Error("a"), "request");
    report(new Error("b"), "request");
    report("plain", "guardrail");
    expect(lines.map((line) => line.split("\n")[0])).toEqual([
      "[@mcpgate/mcp] request: Error: a",
      "[@mcpgate/mcp] request: Error: b",
      "[@mcpgate/mcp] guardrail: non-Error value: plain",
    ]);
  });
});
