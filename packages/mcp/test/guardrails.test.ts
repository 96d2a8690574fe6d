/** The guardrail hook, as an SDK client experiences it (rate limits: rate-limit.test.ts). */
import { ToolNotAllowedError, type App } from "@mcpgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, startServer, textOf, type Harness } from "./helpers.js";
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
