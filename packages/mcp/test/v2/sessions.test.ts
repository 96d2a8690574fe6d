/**
 * 2025-era sessions on the v2 endpoint (`legacy: "stateful"`): bound to the app and key
 * generation as on 1.x, served to v2 and SDK 1.x clients alike; revocation in flight.
 */
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolNotAllowedError } from "@mcpgate/core";
import { ACCEPT, INITIALIZE } from "../helpers.js";
import { buildServer, connectClient, startServer, textOf, type Harness } from "./helpers.js";

describe("legacy sessions on the v2 endpoint", () => {
  let h: Harness;
  let alphaKey: string;
  let betaKey: string;

  beforeAll(async () => {
    h = await startServer({
      guardrail: ({ tool, arguments: args }) => {
        if (tool === "echo" && args.text === "forbidden") {
          throw new ToolNotAllowedError(tool, "No forbidden words.");
        }
      },
    });
    alphaKey = (await h.gate.createApp({ name: "alpha", tools: ["echo", "inspect"] })).key;
    betaKey = (await h.gate.createApp({ name: "beta", tools: ["add"] })).key;
  });
  afterAll(async () => {
    await h.close();
  });

  async function post(key: string, body: unknown, sessionId?: string): Promise<Response> {
    return fetch(`${h.origin}/mcp`, {
      method: "POST",
      headers: {
        accept: ACCEPT,
        "content-type": "application/json",
        authorization: `Bearer ${key}`,
        "mcp-protocol-version": "2025-06-18",
        ...(sessionId === undefined ? {} : { "mcp-session-id": sessionId }),
      },
      body: JSON.stringify(body),
    });
  }

  it("a session opened with app A's key answers 404 to app B's key, like an unknown one", async () => {
    const opened = await post(alphaKey, INITIALIZE);
    expect(opened.status).toBe(200);
    const sessionId = opened.headers.get("mcp-session-id") as string;
    expect(sessionId).toBeTruthy();
    await opened.body?.cancel();
    const list = { jsonrpc: "2.0", id: 1, method: "tools/list" };
    const foreign = await post(betaKey, list, sessionId);
    const unknown = await post(betaKey, list, "00000000-0000-4000-8000-000000000000");
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual(await unknown.json());
  });

  it("an SDK 1.x client is served in the legacy era, isolated", async () => {
    const client = new ClientV1({ name: "v1", version: "1.0.0" });
    await client.connect(new TransportV1(new URL(`${h.origin}/mcp/${betaKey}`)));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["add"]);
    expect(textOf(await client.callTool({ name: "add", arguments: { a: 1, b: 2 } }))).toBe("3");
    await expect(client.callTool({ name: "echo", arguments: { text: "x" } })).rejects.toThrow(
      /not available to this app/,
    );
    await client.close();
  });

  it.each(["legacy", "modern"] as const)(
    "guardrails refuse with their message (%s)",
    async (era) => {
      const client = await connectClient(h.origin, alphaKey, era);
      const refused = await client.callTool({ name: "echo", arguments: { text: "forbidden" } });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toBe("No forbidden words.");
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: "ok" } }))).toBe(
        "alpha: ok",
      );
      await client.close();
    },
  );

  it.each(["legacy", "modern"] as const)(
    "regenerating the key refuses the next request with 401 (%s)",
    async (era) => {
      const { key, app } = await h.gate.createApp({ name: `gamma-${era}`, tools: ["echo"] });
      const client = await connectClient(h.origin, key, era);
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: "a" } }))).toBe(
        `gamma-${era}: a`,
      );
      await h.gate.regenerateKey(app.id);
      await expect(client.callTool({ name: "echo", arguments: { text: "b" } })).rejects.toThrow();
      const direct = await post(key, { jsonrpc: "2.0", id: 9, method: "tools/list" });
      expect(direct.status).toBe(401);
      expect(direct.headers.get("www-authenticate")).toMatch(/invalid_token/);
      await client.close().catch(() => undefined);
    },
  );

  it("a call waiting in the guardrail when its key is regenerated is answered (invalid_key), never run", async () => {
    let entered!: () => void;
    const inGuardrail = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const held = await startServer({
      guardrail: async () => {
        entered();
        await released;
      },
      server: (app) => {
        const server = buildServer(app);
        server.registerTool("record", {}, () => {
          ran.push(app.name);
          return { content: [{ type: "text", text: "ran" }] };
        });
        return server;
      },
    });
    try {
      const { key, app } = await held.gate.createApp({ name: "held", tools: ["record"] });
      const client = await connectClient(held.origin, key, "legacy");
      const call = client.callTool({ name: "record", arguments: {} });
      const outcome = call.then(
        () => "answered with a result",
        (error: unknown) => String(error),
      );
      await inGuardrail;
      await held.gate.regenerateKey(app.id); // closes the session
      release();
      // Without the answer the client would wait for its own request timeout (60 s).
      expect(await outcome).toMatch(/API key|invalid/i);
      expect(ran).toEqual([]);
      await client.close().catch(() => undefined);
    } finally {
      release();
      await held.close();
    }
  });
});
