/** Rate limits count each call (tools/call, resources/read, prompts/get), not HTTP requests. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capabilitiesServer, createRuns } from "./capabilities-server.js";
import { callTool, connectClient, raw, rawSession, startServer, type Harness } from "./helpers.js";

describe.each(["stateful", "stateless"] as const)("%s per-call rate limit", (mode) => {
  let h: Harness;
  let now = 1_000_000;
  const runs = createRuns();

  beforeAll(async () => {
    h = await startServer({ mode, clock: () => now, server: capabilitiesServer(runs) });
  });
  afterAll(async () => {
    await h.close();
  });

  it("a batch of 100 calls with a limit of 1 runs 1; the others get a JSON-RPC error with retry information", async () => {
    const { key } = await h.gate.createApp({
      name: "batch",
      tools: ["echo"],
      rateLimit: { requests: 1, windowSeconds: 3600 },
    });
    const url = `${h.origin}/mcp/${key}`;
    const headers = await rawSession(url);
    const before = runs.total("tool:");
    const batch = Array.from({ length: 100 }, (_, i) => callTool(i + 1, "echo"));
    const response = await raw(url, { headers, body: batch });
    expect(response.status).toBe(200);
    expect(runs.total("tool:") - before).toBe(1);
    expect(response.messages).toHaveLength(100);
    const limited = response.messages.filter((m) => "error" in m);
    expect(limited).toHaveLength(99);
    for (const message of limited) {
      expect(message).toMatchObject({
        error: { code: -32000, data: { error: "rate_limited", retryAfterSeconds: 3600 } },
      });
    }
    expect(response.messages.filter((m) => "result" in m)).toHaveLength(1);
  });

  it("counts tools/call, resources/read and prompts/get per app, not pings, lists or HTTP requests; tokens come back with time", async () => {
    const limited = await h.gate.createApp({
      name: "limited",
      tools: ["echo"],
      resources: ["note://public"],
      prompts: ["greet"],
      rateLimit: { requests: 3, windowSeconds: 60 },
    });
    const free = await h.gate.createApp({ name: "free", tools: ["echo"] });
    const client = await connectClient(h.origin, limited.key);
    for (let i = 0; i < 5; i++) await client.ping();
    await client.listTools();
    await client.listResources();
    await client.listPrompts();
    await client.callTool({ name: "echo", arguments: {} });
    await client.readResource({ uri: "note://public" });
    await client.getPrompt({ name: "greet", arguments: { who: "x" } });
    await expect(client.callTool({ name: "echo", arguments: {} })).rejects.toMatchObject({
      code: -32000,
      data: { error: "rate_limited", retryAfterSeconds: 20 },
    });
    await expect(client.readResource({ uri: "note://public" })).rejects.toMatchObject({
      data: { error: "rate_limited" },
    });
    await expect(
      client.getPrompt({ name: "greet", arguments: { who: "x" } }),
    ).rejects.toMatchObject({ data: { error: "rate_limited" } });
    await client.ping(); // the session itself keeps working

    const other = await connectClient(h.origin, free.key);
    await expect(other.callTool({ name: "echo", arguments: {} })).resolves.toMatchObject({
      content: [{ text: "echo" }],
    });
    await other.close();

    now += 20_000;
    await expect(client.callTool({ name: "echo", arguments: {} })).resolves.toMatchObject({
      content: [{ text: "echo" }],
    });
    await client.close();
  });
});
