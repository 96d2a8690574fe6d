/**
 * Isolation holds for every message shape: batches with duplicate ids, the same id on concurrent
 * requests, notifications (issue #10, item 4). Lists are filtered per request, not by matching
 * response ids.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_TOOLS, raw, rawSession, startServer, type Harness } from "./helpers.js";

const list = (id: number | string) => ({ jsonrpc: "2.0", id, method: "tools/list" });

function toolNames(message: Record<string, unknown>): string[] | undefined {
  const tools = (message.result as { tools?: { name: string }[] } | undefined)?.tools;
  return tools?.map((tool) => tool.name);
}

describe.each([
  ["stateful", false],
  ["stateful", true],
  ["stateless", false],
  ["stateless", true],
] as const)("%s (jsonResponse: %s): duplicate ids", (mode, jsonResponse) => {
  let h: Harness;
  let url: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    h = await startServer({ mode, jsonResponse });
    const { key } = await h.gate.createApp({ name: "one-tool", tools: ["echo"] });
    url = `${h.origin}/mcp/${key}`;
    headers = await rawSession(url);
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    ["[tools/list#7, unknown#7]", [list(7), { jsonrpc: "2.0", id: 7, method: "no/such" }]],
    ["[tools/list#9, tools/list#9]", [list(9), list(9)]],
    ["[ping#3, tools/list#3]", [{ jsonrpc: "2.0", id: 3, method: "ping" }, list(3)]],
    [
      "[tools/list#'a', tools/call#'a' of a hidden tool]",
      [
        list("a"),
        { jsonrpc: "2.0", id: "a", method: "tools/call", params: { name: "drop_tables" } },
      ],
    ],
  ])("%s never lists a tool outside the policy", async (_name, batch) => {
    const response = await raw(url, { headers, body: batch });
    const lists = response.messages.map(toolNames).filter((names) => names !== undefined);
    for (const names of lists) expect(names).toEqual(["echo"]);
    expect(response.text).not.toContain('drop_tables"}]'); // no listing of it anywhere
    for (const hidden of ALL_TOOLS.filter((t) => t !== "echo")) {
      expect(lists.flat()).not.toContain(hidden);
    }
  });

  it("concurrent requests with the same id are each filtered", async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        raw(url, {
          headers,
          body: i % 2 === 0 ? list(1) : { jsonrpc: "2.0", id: 1, method: "ping" },
        }),
      ),
    );
    const lists = responses.flatMap((r) => r.messages.map(toolNames)).filter(Boolean);
    expect(lists.length).toBeGreaterThan(0);
    for (const names of lists) expect(names).toEqual(["echo"]);
  });
});

describe("isolation layer: every response leaving the server, duplicate ids or not", () => {
  it("answers each request once, with the client's id, and filters every list", async () => {
    const { createGate, MemoryStore, toAuthInfo } = await import("@mcpgate/core");
    const { InMemoryTransport } = await import("@modelcontextprotocol/sdk/inMemory.js");
    const { buildServer } = await import("./helpers.js");
    const { isolate, PolicyWatchers } = await import("../src/isolation.js");
    const { createMemoryRateLimiter } = await import("@mcpgate/core");

    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { key } = await gate.createApp({ name: "one-tool", tools: ["echo"] });
    const app = await gate.authenticate(key);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = buildServer(app);
    await server.connect(serverSide);
    isolate(serverSide, {
      gate,
      guardrail: undefined,
      rateLimiter: createMemoryRateLimiter(),
      onError: () => {},
      watchers: new PolicyWatchers(),
      appId: app.id,
    });
    const received: Record<string, unknown>[] = [];
    clientSide.onmessage = (message) => void received.push(message as Record<string, unknown>);
    await clientSide.start();
    const authInfo = toAuthInfo(app);
    const messages = [
      list(9),
      list(9),
      list(7),
      { jsonrpc: "2.0", id: 7, method: "no/such" },
      { jsonrpc: "2.0", id: 3, method: "ping" },
      list(3),
    ];
    for (const message of messages) await clientSide.send(message as never, { authInfo });
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(received.map((m) => m.id).sort()).toEqual([3, 3, 7, 7, 9, 9]);
    const lists = received.map(toolNames).filter((names) => names !== undefined);
    expect(lists).toEqual([["echo"], ["echo"], ["echo"], ["echo"]]);
    await server.close();
    await gate.close();
  });
});
