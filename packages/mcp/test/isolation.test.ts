/** Per-app tool isolation at the protocol level, and sessions bound to the app that opened them. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ALL_TOOLS,
  callTool,
  connectClient,
  raw,
  rawSession,
  startServer,
  textOf,
  type Harness,
} from "./helpers.js";

describe.each(["stateful", "stateless"] as const)("%s isolation", (mode) => {
  let h: Harness;
  let alphaKey: string;
  let betaKey: string;

  beforeAll(async () => {
    h = await startServer({ mode });
    alphaKey = (await h.gate.createApp({ name: "alpha", tools: ["echo"] })).key;
    betaKey = (await h.gate.createApp({ name: "beta", tools: ["add"] })).key;
  });
  afterAll(async () => {
    await h.close();
  });

  it("each app lists and calls only its own tools, though the factory registered all", async () => {
    const alpha = await connectClient(h.origin, alphaKey);
    const beta = await connectClient(h.origin, betaKey, "header");
    expect((await alpha.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    expect((await beta.listTools()).tools.map((t) => t.name)).toEqual(["add"]);
    expect(textOf(await alpha.callTool({ name: "echo", arguments: { text: "x" } }))).toBe(
      "alpha: x",
    );
    expect(textOf(await beta.callTool({ name: "add", arguments: { a: 2, b: 3 } }))).toBe("5");
    await expect(alpha.callTool({ name: "add", arguments: { a: 1, b: 1 } })).rejects.toThrow(
      /not available to this app/,
    );
    await expect(beta.callTool({ name: "echo", arguments: { text: "x" } })).rejects.toThrow(
      /not available to this app/,
    );
    await alpha.close();
    await beta.close();
  });

  it("refuses a hand-crafted tools/call of a registered tool outside the policy", async () => {
    const url = `${h.origin}/mcp/${alphaKey}`;
    const headers = await rawSession(url);
    for (const [id, tool] of ALL_TOOLS.filter((t) => t !== "echo").entries()) {
      const response = await raw(url, { headers, body: callTool(id + 1, tool) });
      expect(response.status).toBe(200);
      expect(response.messages).toEqual([
        {
          jsonrpc: "2.0",
          id: id + 1,
          error: {
            code: -32602,
            message: `Tool "${tool}" is not available to this app.`,
            data: { error: "tool_not_allowed" },
          },
        },
      ]);
    }
  });

  it("filters a batch message by message", async () => {
    const url = `${h.origin}/mcp/${alphaKey}`;
    const headers = await rawSession(url);
    const response = await raw(url, {
      headers,
      body: [callTool(1, "drop_tables"), callTool(2, "echo", { text: "ok" })],
    });
    const byId = new Map(response.messages.map((m) => [m.id, m]));
    expect(byId.get(1)).toMatchObject({ error: { data: { error: "tool_not_allowed" } } });
    expect(byId.get(2)).toMatchObject({ result: { content: [{ text: "alpha: ok" }] } });
  });

  it("applies a policy update to the next request", async () => {
    const { app, key } = await h.gate.createApp({ name: "gamma", tools: ["echo"] });
    const client = await connectClient(h.origin, key);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    await h.gate.updateApp(app.id, { tools: ["echo", "add"] });
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(["add", "echo"]);
    expect(textOf(await client.callTool({ name: "add", arguments: { a: 1, b: 2 } }))).toBe("3");
    await client.close();
  });
});

describe("stateful sessions are bound to the app", () => {
  let h: Harness;
  let alphaKey: string;
  let betaKey: string;

  beforeAll(async () => {
    h = await startServer({ mode: "stateful" });
    alphaKey = (await h.gate.createApp({ name: "alpha", tools: ["echo"] })).key;
    betaKey = (await h.gate.createApp({ name: "beta", tools: ["echo"] })).key;
  });
  afterAll(async () => {
    await h.close();
  });

  it("answers app A's session id presented with app B's key exactly like an unknown session", async () => {
    const alphaSession = await rawSession(`${h.origin}/mcp/${alphaKey}`);
    const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
    const stolen = await raw(`${h.origin}/mcp/${betaKey}`, { headers: alphaSession, body: ping });
    const unknown = await raw(`${h.origin}/mcp/${betaKey}`, {
      headers: { ...alphaSession, "mcp-session-id": crypto.randomUUID() },
      body: ping,
    });
    expect(stolen.status).toBe(404);
    expect(stolen.text).toBe(unknown.text);
    expect(stolen.headers.get("content-type")).toBe(unknown.headers.get("content-type"));
    expect(unknown.messages[0]).toEqual({
      jsonrpc: "2.0",
      error: { code: -32001, message: "Session not found" },
      id: null,
    });
    for (const method of ["GET", "DELETE"]) {
      const response = await raw(`${h.origin}/mcp/${betaKey}`, { method, headers: alphaSession });
      expect(response.status, method).toBe(404);
    }
    // The session itself is untouched: its own key still uses it.
    const own = await raw(`${h.origin}/mcp/${alphaKey}`, { headers: alphaSession, body: ping });
    expect(own.messages).toEqual([{ jsonrpc: "2.0", id: 1, result: {} }]);
  });

  it("never accepts a session id without a key", async () => {
    const session = await rawSession(`${h.origin}/mcp/${alphaKey}`);
    const response = await raw(`${h.origin}/mcp`, {
      headers: session,
      body: { jsonrpc: "2.0", id: 1, method: "ping" },
    });
    expect(response.status).toBe(401);
  });
});
