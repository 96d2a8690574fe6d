/** The guardrail hook and the per-app rate limit, as an SDK client experiences them. */
import { ToolNotAllowedError, type App } from "@mcpgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, raw, rawSession, startServer, textOf, type Harness } from "./helpers.js";
import type { ToolCall } from "../src/index.js";

describe.each(["stateful", "stateless"] as const)("%s guardrail", (mode) => {
  let h: Harness;
  let key: string;
  const seen: ToolCall[] = [];

  beforeAll(async () => {
    h = await startServer({
      mode,
      guardrail: async ({ app, tool, arguments: args }) => {
        seen.push({ app, tool, arguments: args });
        await Promise.resolve();
        if (args.text === "forbidden") throw new ToolNotAllowedError(tool, "No forbidden words.");
        if (args.text === "bug") throw new Error("internal detail: db password is hunter2");
      },
    });
    key = (await h.gate.createApp({ name: "alpha", tools: ["echo"] })).key;
  });
  afterAll(async () => {
    await h.close();
  });

  it("runs before each allowed call with the app, tool and arguments", async () => {
    const client = await connectClient(h.origin, key);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "fine" } }))).toBe(
      "alpha: fine",
    );
    const last = seen.at(-1) as ToolCall;
    expect(last.tool).toBe("echo");
    expect(last.arguments).toEqual({ text: "fine" });
    expect((last.app as App).name).toBe("alpha");
    await client.close();
  });

  it("refuses with the guardrail's message as a tool error the client sees", async () => {
    const client = await connectClient(h.origin, key);
    const refused = await client.callTool({ name: "echo", arguments: { text: "forbidden" } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe("No forbidden words.");
    // The server keeps serving the same session.
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "ok" } }))).toBe(
      "alpha: ok",
    );
    await client.close();
  });

  it("refuses on any other failure without showing its message, and reports it", async () => {
    const client = await connectClient(h.origin, key);
    const refused = await client.callTool({ name: "echo", arguments: { text: "bug" } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe("The tool call was refused.");
    expect(h.errors.map(String).join()).toContain("hunter2");
    await client.close();
  });

  it("is not consulted for a tool outside the policy", async () => {
    const before = seen.length;
    const client = await connectClient(h.origin, key);
    await expect(client.callTool({ name: "drop_tables", arguments: {} })).rejects.toThrow(
      /not available/,
    );
    expect(seen.length).toBe(before);
    await client.close();
  });
});

describe.each(["stateful", "stateless"] as const)("%s rate limit", (mode) => {
  let h: Harness;
  let now = 1_000_000;

  beforeAll(async () => {
    h = await startServer({ mode, clock: () => now });
  });
  afterAll(async () => {
    await h.close();
  });

  it("answers 429 with Retry-After and a JSON-RPC body once the bucket is empty, per app", async () => {
    const limited = await h.gate.createApp({
      name: "limited",
      tools: ["echo"],
      rateLimit: { requests: 6, windowSeconds: 60 },
    });
    const free = await h.gate.createApp({ name: "free", tools: ["echo"] });
    const client = await connectClient(h.origin, limited.key);
    // Whatever the handshake took, exhaust the bucket, then the client sees an error.
    let error: unknown;
    for (let i = 0; i < 10 && error === undefined; i++) {
      error = await client.callTool({ name: "echo", arguments: { text: "x" } }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
    }
    expect(error).toMatchObject({ code: 429 });

    const url = `${h.origin}/mcp/${limited.key}`;
    const response = await raw(url, { body: { jsonrpc: "2.0", id: 1, method: "ping" } });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("10"); // one token per 10 s
    expect(response.messages[0]).toMatchObject({ error: { data: { error: "rate_limited" } } });

    // Another app is not affected.
    const other = await connectClient(h.origin, free.key);
    expect(textOf(await other.callTool({ name: "echo", arguments: { text: "y" } }))).toBe(
      "free: y",
    );
    await other.close();

    // Tokens come back with time.
    now += 60_000;
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "z" } }))).toBe(
      "limited: z",
    );
    await client.close();
  });

  it("keeps serving after rate limiting a hand-made session", async () => {
    const { key } = await h.gate.createApp({
      name: "burst",
      tools: ["echo"],
      rateLimit: { requests: 3, windowSeconds: 1 },
    });
    const url = `${h.origin}/mcp/${key}`;
    const headers = await rawSession(url); // initialize + initialized: 2 tokens
    const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
    expect((await raw(url, { headers, body: ping })).status).toBe(200);
    expect((await raw(url, { headers, body: ping })).status).toBe(429);
    now += 1000;
    expect((await raw(url, { headers, body: ping })).status).toBe(200);
  });
});
