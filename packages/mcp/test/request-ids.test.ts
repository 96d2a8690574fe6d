/**
 * The isolation layer gives each request an id of its own on the way to the server; everything
 * that refers to a request still works: progress notifications reach the right call, and a
 * client's cancellation aborts the right handler.
 */
import type { App } from "@mcpgate/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, startServer, type Harness } from "./helpers.js";

const aborted: string[] = [];

function server(_app: App): McpServer {
  const mcp = new McpServer({ name: "ids", version: "1.0.0" });
  mcp.registerTool("progress", {}, async (extra) => {
    const token = extra._meta?.progressToken;
    if (token !== undefined) {
      for (const progress of [1, 2]) {
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress, total: 2 },
        });
      }
    }
    return { content: [{ type: "text", text: String(extra.requestId) }] };
  });
  mcp.registerTool("wait", {}, async (extra) => {
    await new Promise<void>((resolve) => extra.signal.addEventListener("abort", () => resolve()));
    aborted.push(String(extra.requestId));
    return { content: [] };
  });
  return mcp;
}

describe.each(["stateful", "stateless"] as const)("%s: gate-owned request ids", (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({ mode, server });
  });
  afterAll(async () => {
    await h.close();
  });

  it("progress reaches the call that asked for it; handlers see a gate-owned id", async () => {
    const { key } = await h.gate.createApp({ name: "p", tools: ["progress"] });
    const client = await connectClient(h.origin, key);
    const seen: number[] = [];
    const result = await client.callTool({ name: "progress", arguments: {} }, undefined, {
      onprogress: ({ progress }) => void seen.push(progress),
    });
    expect(seen).toEqual([1, 2]);
    expect(result).toMatchObject({ content: [{ text: expect.stringMatching(/^mcpgate-\d+$/) }] });
    await client.close();
  });

  // Stateless: the cancellation arrives at another server instance, with or without the gate.
  it.runIf(mode === "stateful")(
    "a client's cancellation aborts the handler of that call",
    async () => {
      const { key } = await h.gate.createApp({ name: "c", tools: ["wait"] });
      const client = await connectClient(h.origin, key);
      const controller = new AbortController();
      const call = client.callTool({ name: "wait", arguments: {} }, undefined, {
        signal: controller.signal,
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = aborted.length;
      controller.abort("changed my mind");
      await expect(call).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(aborted.length).toBe(before + 1);
      await client.close();
    },
  );
});
