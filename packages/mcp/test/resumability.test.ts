/**
 * #10.11: resumable streams (SEP-1699, spec 2025-11-25). Events are stored and replayed after a
 * client's Last-Event-ID, only ever to the session (app, key generation) that produced them; the
 * in-memory store is bounded.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forgetScope } from "../src/event-store.js";
import { MemoryEventStore } from "../src/index.js";
import { ACCEPT, callTool, INITIALIZE, startServer, type Harness } from "./helpers.js";

const VERSION = "2025-11-25";

interface SseEvent {
  id?: string;
  retry?: string;
  data: string;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim().length > 0 && !block.startsWith(":"))
    .map((block) => {
      const event: SseEvent = { data: "" };
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, "");
        if (field === "id") event.id = value;
        else if (field === "retry") event.retry = value;
        else if (field === "data") event.data += value;
      }
      return event;
    });
}

/** POSTs and reads the whole SSE answer. */
async function post(url: string, headers: Record<string, string>, body: unknown) {
  const response = await fetch(url, {
    method: "POST",
    headers: { accept: ACCEPT, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { response, events: parseSse(await response.text()) };
}

/** Opens a session at protocol 2025-11-25; returns the headers its requests need. */
async function open(url: string): Promise<Record<string, string>> {
  const init = { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: VERSION } };
  const { response } = await post(url, {}, init);
  expect(response.status).toBe(200);
  const headers = {
    "mcp-session-id": response.headers.get("mcp-session-id") as string,
    "mcp-protocol-version": VERSION,
  };
  await post(url, headers, { jsonrpc: "2.0", method: "notifications/initialized" });
  return headers;
}

/** GET with Last-Event-ID: the status and the events replayed within `ms`. */
async function resume(url: string, headers: Record<string, string>, lastEventId: string, ms = 300) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { ...headers, accept: ACCEPT, "last-event-id": lastEventId },
    signal: controller.signal,
  });
  let text = "";
  if (response.status === 200) {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const timer = setTimeout(() => controller.abort(), ms);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    } catch {
      // aborted: the stream stays open by design
    }
    clearTimeout(timer);
  } else {
    text = await response.text();
  }
  return { status: response.status, events: parseSse(text), text };
}

describe("resumable streams", () => {
  let h: Harness;
  let alpha: { key: string; id: string };
  let beta: { key: string };

  beforeAll(async () => {
    h = await startServer({
      mode: "stateful",
      eventStore: new MemoryEventStore(),
      retryInterval: 1500,
    });
    const a = await h.gate.createApp({ name: "alpha", tools: ["echo"] });
    alpha = { key: a.key, id: a.app.id };
    beta = await h.gate.createApp({ name: "beta", tools: ["echo"] });
  });
  afterAll(async () => {
    await h.close();
  });

  /** A tools/call on a fresh alpha session: its stream's priming event id and the result. */
  async function callOnAlpha() {
    const url = `${h.origin}/mcp/${alpha.key}`;
    const session = await open(url);
    const { events } = await post(url, session, callTool(7, "echo", { text: "secret-ish" }));
    const priming = events[0] as SseEvent;
    return { url, session, priming, result: events[1] as SseEvent };
  }

  it("sends a priming event with the retry interval, then replays what followed it", async () => {
    const { url, session, priming, result } = await callOnAlpha();
    expect(priming.id).toMatch(/.+/);
    expect(priming.retry).toBe("1500");
    expect(priming.data).toBe("");
    expect(JSON.parse(result.data)).toMatchObject({
      id: 7,
      result: { content: [{ text: "alpha: secret-ish" }] },
    });

    const replay = await resume(url, session, priming.id as string);
    expect(replay.status).toBe(200);
    const replayed = replay.events.filter((e) => e.data.length > 0);
    expect(replayed.map((e) => JSON.parse(e.data) as JSONRPCMessage)).toEqual([
      JSON.parse(result.data),
    ]);
    expect(replayed[0]?.id).toBe(result.id);
  });

  it("replays nothing to another app's session, nor to another session of the same app", async () => {
    const { priming } = await callOnAlpha();
    const betaUrl = `${h.origin}/mcp/${beta.key}`;
    const betaReplay = await resume(betaUrl, await open(betaUrl), priming.id as string);
    expect(betaReplay.text).not.toContain("secret-ish");
    expect(betaReplay.status).toBe(400);

    const alphaUrl = `${h.origin}/mcp/${alpha.key}`;
    const otherSession = await resume(alphaUrl, await open(alphaUrl), priming.id as string);
    expect(otherSession.text).not.toContain("secret-ish");
    expect(otherSession.status).toBe(400);
  });

  it("drops a session's events from MemoryEventStore when the session ends", async () => {
    const store = new MemoryEventStore();
    const local = await startServer({ mode: "stateful", eventStore: store });
    const { key } = await local.gate.createApp({ name: "gamma", tools: ["echo"] });
    const url = `${local.origin}/mcp/${key}`;
    const session = await open(url);
    await post(url, session, callTool(1, "echo", { text: "x" }));
    expect(store.size).toBeGreaterThan(0);
    const deleted = await fetch(url, { method: "DELETE", headers: session });
    expect(deleted.status).toBe(200);
    expect(store.size).toBe(0);
    await local.close();
  });

  it("replays nothing after the key was regenerated", async () => {
    const { session, priming } = await callOnAlpha();
    const { key } = await h.gate.regenerateKey(alpha.id);
    alpha.key = key;
    const url = `${h.origin}/mcp/${key}`;
    const sameSession = await resume(url, session, priming.id as string);
    expect(sameSession.status).toBe(404); // the session died with the old key
    const fresh = await resume(url, await open(url), priming.id as string);
    expect(fresh.text).not.toContain("secret-ish");
    expect(fresh.status).toBe(400);
  });
});

describe("MemoryEventStore", () => {
  const message = (id: number): JSONRPCMessage => ({ jsonrpc: "2.0", id, result: {} });

  it("keeps at most maxEvents, dropping the oldest first", async () => {
    const store = new MemoryEventStore({ maxEvents: 3 });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await store.storeEvent(i % 2 ? "s1" : "s2", message(i)));
    expect(store.size).toBe(3);
    expect(await store.getStreamIdForEventId(ids[0] as string)).toBeUndefined();
    expect(await store.getStreamIdForEventId(ids[1] as string)).toBeUndefined();
    expect(await store.getStreamIdForEventId(ids[4] as string)).toBe("s2");
    const sent: unknown[] = [];
    await store.replayEventsAfter(ids[2] as string, {
      send: async (_id, m) => void sent.push(m),
    });
    expect(sent).toEqual([message(4)]);
    await expect(
      store.replayEventsAfter(ids[0] as string, { send: async () => {} }),
    ).rejects.toThrow();
  });

  it("skips priming events on replay and hands out unguessable ids", async () => {
    const store = new MemoryEventStore();
    const priming = await store.storeEvent("s", {} as JSONRPCMessage);
    await store.storeEvent("s", message(1));
    const sent: unknown[] = [];
    await store.replayEventsAfter(priming, { send: async (_id, m) => void sent.push(m) });
    expect(sent).toEqual([message(1)]);
    expect(priming).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it("keeps exactly the newest maxEvents live events, whatever sessions were forgotten meanwhile", async () => {
    // Model: the live events in the order stored; a closed session's events leave it at once.
    const steps = fc.array(
      fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }).map((s) => ({ store: s })) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 4 }).map((s) => ({ forget: s })) },
      ),
      { maxLength: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), steps, async (maxEvents, sequence) => {
        const store = new MemoryEventStore({ maxEvents });
        let live: { id: string; stream: string }[] = [];
        for (const step of sequence) {
          if ("store" in step) {
            const stream = `session${step.store}/stream`;
            live.push({ id: await store.storeEvent(stream, message(live.length)), stream });
            if (live.length > maxEvents) live.shift();
          } else {
            forgetScope(store, `session${step.forget}`);
            live = live.filter((event) => event.stream !== `session${step.forget}/stream`);
          }
          expect(store.size).toBe(live.length);
        }
        for (const event of live) {
          expect(await store.getStreamIdForEventId(event.id)).toBe(event.stream);
        }
      }),
    );
  });

  it("refuses a bad maxEvents", () => {
    expect(() => new MemoryEventStore({ maxEvents: 0 })).toThrow(TypeError);
  });
});
