/**
 * Audit events from the MCP endpoint, seen by a real subscriber of the gate's bus while real SDK
 * clients talk to a real server on 127.0.0.1: tool calls (ok, error), refusals (policy,
 * guardrail, rate limit), sessions opened and closed with their cause; never a key.
 */
import {
  containsKey,
  createEventBus,
  createGate,
  MemoryStore,
  ToolNotAllowedError,
  type McpgateEvent,
} from "@mcpgate/core";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { connectClient, startServer, textOf, type Harness } from "./helpers.js";

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function setup(mode: "stateful" | "stateless", listener?: () => Promise<void>) {
  const events = createEventBus();
  const seen: McpgateEvent[] = [];
  events.subscribe((event) => void seen.push(event));
  if (listener) events.subscribe(listener);
  const gate = createGate({ store: new MemoryStore(), lastUsed: false, events });
  const h = await startServer({
    mode,
    gate,
    guardrail: ({ arguments: args, tool }) => {
      if (args.text === "forbidden") throw new ToolNotAllowedError(tool, "No.");
    },
  });
  harnesses.push(h);
  const of = <T extends McpgateEvent["type"]>(type: T) =>
    seen.filter((event): event is Extract<McpgateEvent, { type: T }> => event.type === type);
  return { h, gate, events, seen, of };
}

function expectNoKey(events: readonly McpgateEvent[]): void {
  for (const event of events) expect(containsKey(JSON.stringify(event))).toBe(false);
}

describe.each(["stateful", "stateless"] as const)("%s: tool events", (mode) => {
  it("tool.called with duration and outcome; tool.refused with the reason", async () => {
    const { h, gate, events, seen, of } = await setup(mode);
    const { app, key } = await gate.createApp({
      name: "alpha",
      tools: ["echo"],
      rateLimit: { requests: 4, windowSeconds: 3600 },
    });
    const client = await connectClient(h.origin, key);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "hi" } }))).toBe(
      "alpha: hi",
    );
    const invalid = await client.callTool({ name: "echo", arguments: { text: 42 } });
    expect(invalid.isError).toBe(true);
    const forbidden = await client.callTool({ name: "echo", arguments: { text: "forbidden" } });
    expect(forbidden.isError).toBe(true);
    await expect(client.callTool({ name: "drop_tables", arguments: {} })).rejects.toThrow();
    await expect(client.callTool({ name: `evil_${key}`, arguments: {} })).rejects.toThrow();
    // Four metered calls so far (refused-by-policy calls are not metered): the fifth is limited.
    await client.callTool({ name: "echo", arguments: { text: "4" } });
    const limited = client.callTool({ name: "echo", arguments: { text: "5" } });
    await expect(limited).rejects.toThrow(/Rate limit/);
    await client.close();
    await events.drained();

    const principal = { appId: app.id, keyId: app.keyId };
    expect(of("tool.called")).toEqual([
      expect.objectContaining({ ...principal, tool: "echo", outcome: "ok", version: 1 }),
      expect.objectContaining({ ...principal, tool: "echo", outcome: "error" }),
      expect.objectContaining({ ...principal, tool: "echo", outcome: "ok" }),
    ]);
    for (const event of of("tool.called")) {
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
      expect(event.durationMs).toBeLessThan(10_000);
    }
    expect(of("tool.refused").map(({ tool, reason }) => [tool, reason])).toEqual([
      ["echo", "tool_not_allowed"],
      ["drop_tables", "tool_not_allowed"],
      [`evil_mgw_${key.slice(4, 12)}…`, "tool_not_allowed"],
      ["echo", "rate_limited"],
    ]);
    expect(of("auth.rate_limited")).toEqual([
      expect.objectContaining({ ...principal, retryAfterSeconds: expect.any(Number) }),
    ]);
    expect(of("auth.succeeded").length).toBeGreaterThan(0);
    expectNoKey(seen);
  });

  it("a subscriber that never settles holds up no tool call", async () => {
    let delivered = 0;
    const { h, gate } = await setup(mode, () => {
      delivered++;
      return new Promise<void>(() => {});
    });
    const { key } = await gate.createApp({ name: "beta", tools: ["echo"] });
    const client = await connectClient(h.origin, key);
    for (let i = 0; i < 5; i++) {
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: `${i}` } }))).toBe(
        `beta: ${i}`,
      );
    }
    await client.close();
    await expect.poll(() => delivered).toBeGreaterThan(5);
  });
});

describe("stateful: session events", () => {
  it("opened, then closed by the client, by a regeneration, a deletion and a shutdown", async () => {
    const { h, gate, events, seen, of } = await setup("stateful");
    const one = await gate.createApp({ name: "one", tools: ["echo"] });
    const two = await gate.createApp({ name: "two", tools: ["echo"] });

    const ended = await connectClient(h.origin, one.key);
    await (ended.transport as StreamableHTTPClientTransport).terminateSession();
    await ended.close();
    await connectClient(h.origin, one.key);
    await connectClient(h.origin, two.key, "header");
    const regenerated = await gate.regenerateKey(one.app.id);
    await connectClient(h.origin, regenerated.key);
    await expect.poll(() => of("session.closed").length).toBe(2);
    await gate.deleteApp(one.app.id);
    await expect.poll(() => of("session.closed").length).toBe(3);
    await h.handler.close();
    await events.drained();

    const oneAt = { appId: one.app.id, keyId: one.app.keyId };
    const oneLater = { appId: one.app.id, keyId: regenerated.app.keyId };
    const twoAt = { appId: two.app.id, keyId: two.app.keyId };
    expect(of("session.opened")).toEqual([
      expect.objectContaining(oneAt),
      expect.objectContaining(oneAt),
      expect.objectContaining(twoAt),
      expect.objectContaining(oneLater),
    ]);
    expect(of("session.closed")).toEqual([
      expect.objectContaining({ ...oneAt, cause: "client" }),
      expect.objectContaining({ ...oneAt, cause: "key_regenerated" }),
      expect.objectContaining({ ...oneLater, cause: "app_deleted" }),
      expect.objectContaining({ ...twoAt, cause: "shutdown" }),
    ]);
    expectNoKey(seen);
  });
});
