/** The v2 endpoint with real v2 clients in both eras: auth, isolation, key stripping. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectClient,
  MODERN,
  startServer,
  textOf,
  versionsSeen,
  type Era,
  type Harness,
} from "./helpers.js";

describe.each(["legacy", "modern"] as const)("v2 endpoint, %s era", (era: Era) => {
  let h: Harness;
  let alphaKey: string;
  let betaKey: string;

  beforeAll(async () => {
    h = await startServer();
    alphaKey = (await h.gate.createApp({ name: "alpha", tools: ["echo", "inspect"] })).key;
    betaKey = (await h.gate.createApp({ name: "beta", tools: ["add"] })).key;
  });
  afterAll(async () => {
    await h.close();
  });

  it("speaks the era on the wire", async () => {
    const from = h.seen.length;
    const client = await connectClient(h.origin, alphaKey, era);
    await client.listTools();
    const versions = versionsSeen(h, from);
    if (era === "modern") expect(versions.every((v) => v === MODERN)).toBe(true);
    else expect(versions).not.toContain(MODERN);
    await client.close();
  });

  it("each app lists and calls only its own tools, with the key in the path or a header", async () => {
    const alpha = await connectClient(h.origin, alphaKey, era);
    const beta = await connectClient(h.origin, betaKey, era, "header");
    expect((await alpha.listTools()).tools.map((t) => t.name)).toEqual(["echo", "inspect"]);
    expect((await beta.listTools()).tools.map((t) => t.name)).toEqual(["add"]);
    expect(textOf(await alpha.callTool({ name: "echo", arguments: { text: "x" } }))).toBe(
      "alpha: x",
    );
    expect(textOf(await beta.callTool({ name: "add", arguments: { a: 2, b: 3 } }))).toBe("5");
    await expect(alpha.callTool({ name: "add", arguments: { a: 1, b: 1 } })).rejects.toThrow(
      /not available to this app/,
    );
    await expect(beta.callTool({ name: "drop_tables", arguments: {} })).rejects.toThrow(
      /not available to this app/,
    );
    await alpha.close();
    await beta.close();
  });

  it("the tool handler sees the app's authInfo and a request without the key", async () => {
    const alpha = await connectClient(h.origin, alphaKey, era);
    const seen = JSON.parse(textOf(await alpha.callTool({ name: "inspect", arguments: {} }))) as {
      authInfo: { token: string; clientId: string };
      url: string;
      headers: Record<string, string>;
    };
    const everything = JSON.stringify(seen);
    expect(everything).not.toContain(alphaKey.slice(4));
    expect(seen.authInfo.token).toBe(alphaKey.slice(4, 12));
    expect(new URL(seen.url).pathname).toBe("/mcp");
    expect(seen.headers.authorization).toBeUndefined();
    const factory = JSON.stringify(h.factoryCalls.map((call) => call.context.requestInfo?.url));
    expect(factory).not.toContain(alphaKey.slice(4));
    await alpha.close();
  });

  it("a wrong key gets the 401 challenge", async () => {
    await expect(connectClient(h.origin, `mgw_${"x".repeat(32)}`, era)).rejects.toThrow();
  });
});
