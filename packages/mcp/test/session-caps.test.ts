/**
 * #10.8: sessions are capped per app and globally. A full cap evicts the least recently used idle
 * session; a cap full of busy sessions refuses with a clear, coded error; one app cannot take the
 * sessions every other app needs.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ACCEPT, INITIALIZE, raw, rawSession, startServer, type Harness } from "./helpers.js";

const ping = { jsonrpc: "2.0", id: 1, method: "ping" };

/** Holds the session's GET stream open (a busy session), until `close()`. */
async function holdStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { ...headers, accept: ACCEPT },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  return { close: () => controller.abort() };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("per-app session cap", () => {
  it("evicts the app's least recently used idle session", async () => {
    h = await startServer({ mode: "stateful", maxSessions: 10, maxSessionsPerApp: 2 });
    const { key } = await h.gate.createApp({ name: "a", tools: [] });
    const url = `${h.origin}/mcp/${key}`;
    const first = await rawSession(url);
    const second = await rawSession(url);
    expect((await raw(url, { headers: first, body: ping })).status).toBe(200); // first is newer now
    const third = await rawSession(url);
    expect((await raw(url, { headers: second, body: ping })).status).toBe(404); // evicted
    expect((await raw(url, { headers: first, body: ping })).status).toBe(200);
    expect((await raw(url, { headers: third, body: ping })).status).toBe(200);
  });

  it("refuses with 429 and a coded error naming the cap when every session is busy", async () => {
    h = await startServer({ mode: "stateful", maxSessions: 10, maxSessionsPerApp: 2 });
    const { key } = await h.gate.createApp({ name: "a", tools: [] });
    const url = `${h.origin}/mcp/${key}`;
    const streams = [
      await holdStream(url, await rawSession(url)),
      await holdStream(url, await rawSession(url)),
    ];
    const refused = await raw(url, { body: INITIALIZE });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(refused.messages[0]).toMatchObject({
      error: {
        data: { error: "too_many_sessions" },
        message: expect.stringMatching(/maxSessionsPerApp/),
      },
    });
    streams[0]?.close();
    // Once the server has seen the stream close, that session is idle and gets evicted.
    let status = 0;
    for (let tries = 0; tries < 50 && status !== 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (await raw(url, { body: INITIALIZE })).status;
    }
    expect(status).toBe(200);
    streams[1]?.close();
  });
});

describe("global session cap", () => {
  it("one app with every session busy cannot lock another app out", async () => {
    h = await startServer({ mode: "stateful", maxSessions: 3, maxSessionsPerApp: 2 });
    const greedy = await h.gate.createApp({ name: "greedy", tools: [] });
    const other = await h.gate.createApp({ name: "other", tools: [] });
    const greedyUrl = `${h.origin}/mcp/${greedy.key}`;
    const streams = [
      await holdStream(greedyUrl, await rawSession(greedyUrl)),
      await holdStream(greedyUrl, await rawSession(greedyUrl)),
    ];
    expect((await raw(greedyUrl, { body: INITIALIZE })).status).toBe(429);
    const otherUrl = `${h.origin}/mcp/${other.key}`;
    const mine = await rawSession(otherUrl);
    expect((await raw(otherUrl, { headers: mine, body: ping })).status).toBe(200);
    for (const stream of streams) stream.close();
  });

  it("evicts the idle sessions of the app holding the most, then refuses with 503", async () => {
    h = await startServer({ mode: "stateful", maxSessions: 3, maxSessionsPerApp: 2 });
    const big = await h.gate.createApp({ name: "big", tools: [] });
    const small = await h.gate.createApp({ name: "small", tools: [] });
    const third = await h.gate.createApp({ name: "third", tools: [] });
    const url = (key: string) => `${h?.origin}/mcp/${key}`;
    const smallSession = await rawSession(url(small.key));
    const bigSessions = [await rawSession(url(big.key)), await rawSession(url(big.key))];
    await rawSession(url(third.key)); // global cap full: evicts big's least recently used
    expect((await raw(url(big.key), { headers: bigSessions[0], body: ping })).status).toBe(404);
    expect((await raw(url(small.key), { headers: smallSession, body: ping })).status).toBe(200);

    const busy = [
      await holdStream(url(small.key), smallSession),
      await holdStream(url(big.key), bigSessions[1] as Record<string, string>),
    ];
    const thirdSession = await rawSession(url(third.key)); // evicts the only idle one (third's first)
    busy.push(await holdStream(url(third.key), thirdSession));
    const refused = await raw(url(third.key), { body: INITIALIZE });
    expect(refused.status).toBe(503);
    expect(refused.messages[0]).toMatchObject({ error: { data: { error: "too_many_sessions" } } });
    for (const stream of busy) stream.close();
  });
});
