/**
 * Revocation holds for requests already in flight: a key regenerated while the body is arriving,
 * while the server factory or a guardrail awaits, never runs a handler (issue #10, items 1–2).
 */
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { capabilitiesServer, createRuns } from "./capabilities-server.js";
import { ACCEPT, callTool, raw, rawSession, startServer, type Harness } from "./helpers.js";

/** Sends the headers now and the body when `sendBody` is called; resolves with status and text. */
function slowPost(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): { sendBody: () => void; response: Promise<{ status: number; text: string }> } {
  const payload = JSON.stringify(body);
  const request = http.request(url, {
    method: "POST",
    headers: {
      ...headers,
      accept: ACCEPT,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(payload)),
    },
  });
  request.flushHeaders();
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    request.once("error", reject);
    request.once("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.once("error", reject);
    });
  });
  return { sendBody: () => void request.end(payload), response };
}

const settle = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe.each(["stateful", "stateless"] as const)("%s: revocation in flight", (mode) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("headers sent, key regenerated, body sent: refused, and no handler runs", async () => {
    const runs = createRuns();
    h = await startServer({ mode, server: capabilitiesServer(runs) });
    const { app, key } = await h.gate.createApp({ name: "slow", tools: ["echo"] });
    const url = `${h.origin}/mcp/${key}`;
    const headers = await rawSession(url); // also warms the gate's cache: the headers pass at once

    const slow = slowPost(url, headers, callTool(1, "echo"));
    await settle(); // the headers were authenticated; the server now waits for the body
    await h.gate.regenerateKey(app.id);
    slow.sendBody();
    const { status, text } = await slow.response;

    expect(runs.total("tool:")).toBe(0);
    if (mode === "stateless") {
      expect(status).toBe(401);
      expect(JSON.parse(text)).toMatchObject({ error: { data: { error: "invalid_key" } } });
    } else {
      expect([401, 404]).toContain(status); // the session died with the key either way
    }
  });

  it("an initialize whose key was regenerated while its body arrived opens no session", async () => {
    h = await startServer({ mode, server: capabilitiesServer(createRuns()) });
    const { app, key } = await h.gate.createApp({ name: "slow-init" });
    const url = `${h.origin}/mcp/${key}`;
    await raw(url, { body: { jsonrpc: "2.0", id: 1, method: "ping" } }); // warm the cache
    const { INITIALIZE } = await import("./helpers.js");
    const slow = slowPost(url, {}, INITIALIZE);
    await settle();
    await h.gate.regenerateKey(app.id);
    slow.sendBody();
    expect((await slow.response).status).toBe(401);
  });

  it("a key regenerated while the server factory awaits: the call is refused, not run", async () => {
    const runs = createRuns();
    const factoryEntered = deferred();
    const releaseFactory = deferred();
    const build = capabilitiesServer(runs);
    let hold = false;
    h = await startServer({
      mode,
      server: async (app) => {
        if (hold) {
          factoryEntered.resolve();
          await releaseFactory.promise;
        }
        return build(app);
      },
    });
    const { app, key } = await h.gate.createApp({ name: "factory", tools: ["echo"] });
    const url = `${h.origin}/mcp/${key}`;
    if (mode === "stateful") {
      // The factory runs once per session, at initialize: hold that one.
      hold = true;
      const { INITIALIZE } = await import("./helpers.js");
      const pending = raw(url, { body: INITIALIZE });
      await factoryEntered.promise;
      await h.gate.regenerateKey(app.id);
      releaseFactory.resolve();
      const response = await pending;
      expect(response.messages[0]).toMatchObject({ error: { data: { error: "invalid_key" } } });
      return;
    }
    hold = true;
    const pending = raw(url, { body: callTool(1, "echo") });
    await factoryEntered.promise;
    await h.gate.regenerateKey(app.id);
    releaseFactory.resolve();
    const response = await pending;
    expect(response.messages[0]).toMatchObject({ error: { data: { error: "invalid_key" } } });
    expect(runs.total("tool:")).toBe(0);
  });

  it("a tools/call waiting in an async guardrail is not executed after regenerate", async () => {
    const runs = createRuns();
    const entered = deferred();
    const release = deferred();
    h = await startServer({
      mode,
      server: capabilitiesServer(runs),
      guardrail: async () => {
        entered.resolve();
        await release.promise;
      },
    });
    const { app, key } = await h.gate.createApp({ name: "guarded", tools: ["echo"] });
    const url = `${h.origin}/mcp/${key}`;
    const headers = await rawSession(url);
    const pending = raw(url, { headers, body: callTool(1, "echo") });
    await entered.promise;
    await h.gate.regenerateKey(app.id); // closes the session (stateful)
    release.resolve();
    const response = await pending;
    await settle(50);
    expect(runs.total("tool:")).toBe(0);
    if (mode === "stateless") {
      expect(response.messages[0]).toMatchObject({ error: { data: { error: "invalid_key" } } });
    }
  });
});
