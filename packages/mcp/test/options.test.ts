import { createGate, MemoryStore } from "@mcpgate/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { createMcpHandler, MemoryEventStore, type McpHandlerOptions } from "../src/index.js";

const gate = createGate({ store: new MemoryStore(), lastUsed: false });
const valid: McpHandlerOptions = {
  gate,
  mode: "stateful",
  server: () => new McpServer({ name: "s", version: "1.0.0" }),
};

describe("createMcpHandler options", () => {
  it("returns a handler with close()", async () => {
    const handler = createMcpHandler(valid);
    expect(typeof handler).toBe("function");
    await handler.close();
  });

  it.each([
    ["gate", { ...valid, gate: {} }],
    ["server", { ...valid, server: "nope" }],
    ["mode", { ...valid, mode: "sessions" }],
    ["mode", { gate, server: valid.server }],
    ["guardrail", { ...valid, guardrail: 1 }],
    ["hostValidation.allowedHosts", { ...valid, hostValidation: { allowedHosts: [] } }],
    ["hostValidation", { ...valid, hostValidation: true }],
    ["path", { ...valid, path: "mcp" }],
    ["maxBodyBytes", { ...valid, maxBodyBytes: 0 }],
    ["maxSessions", { ...valid, maxSessions: 1.5 }],
    ["maxSessionsPerApp", { ...valid, maxSessions: 10, maxSessionsPerApp: 11 }],
    ["eventStore", { ...valid, eventStore: {} }],
    ["eventStore", { ...valid, mode: "stateless", eventStore: new MemoryEventStore() }],
    ["retryInterval", { ...valid, retryInterval: 1000 }],
    ["retryInterval", { ...valid, eventStore: new MemoryEventStore(), retryInterval: -1 }],
    ["sessionIdleTimeoutMs", { ...valid, sessionIdleTimeoutMs: 10 }],
    ["jsonResponse", { ...valid, jsonResponse: "yes" }],
    ["unknown", { ...valid, unknown: true }],
  ])("throws a TypeError naming %s", (field, options) => {
    expect(() => createMcpHandler(options as unknown as McpHandlerOptions)).toThrow(TypeError);
    expect(() => createMcpHandler(options as unknown as McpHandlerOptions)).toThrow(
      field === "unknown" ? /unknown/i : new RegExp(field.replace(".", "\\.")),
    );
  });

  it("does not mutate the caller's options", () => {
    const options = { ...valid };
    const before = { ...options };
    createMcpHandler(options);
    expect(options).toEqual(before);
  });

  it("refuses a path that is not the gate's basePath, naming both options (#13.4)", () => {
    const other = createGate({ store: new MemoryStore(), basePath: "/api/mcp", lastUsed: false });
    expect(() => createMcpHandler({ ...valid, path: "/api/mcp" })).toThrow(TypeError);
    expect(() => createMcpHandler({ ...valid, path: "/api/mcp" })).toThrow(/path.*basePath/);
    expect(() => createMcpHandler({ ...valid, gate: other })).toThrow(/"\/mcp".*basePath/);
    const matching = createMcpHandler({ ...valid, gate: other, path: "/api/mcp" });
    expect(typeof matching).toBe("function");
    expect(() => createMcpHandler({ ...valid, gate: other, path: "/api/mcp/" })).not.toThrow();
  });
});
