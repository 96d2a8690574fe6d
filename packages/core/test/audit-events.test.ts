/**
 * Audit events wired into the gate, seen by a real subscriber over real HTTP on 127.0.0.1: every
 * event type the gate emits, with its documented fields, never the key; a subscriber that never
 * settles or throws slows and breaks nothing; an unobserved gate builds nothing.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  containsKey,
  createEventBus,
  createGate,
  MemoryStore,
  type EventBus,
  type Gate,
  type GateOptions,
  type McpgateEvent,
} from "../src/index.js";
import { countingHasher, sameIdOtherSecret } from "./helpers.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A node:http server answering 200 or the gate's challenge status. */
async function serve(gate: Gate): Promise<string> {
  const server: Server = createServer((req, res) => {
    void gate.authenticateRequest(req).then((auth) => {
      res.statusCode = auth.ok ? 200 : auth.challenge.status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function setup(options: Partial<GateOptions> = {}) {
  const events = createEventBus();
  const seen: McpgateEvent[] = [];
  events.subscribe((event) => void seen.push(event));
  const gate = createGate({ store: new MemoryStore(), events, lastUsed: false, ...options });
  closers.push(() => gate.close());
  const url = await serve(gate);
  const get = async (path: string, headers: Record<string, string> = {}) =>
    (await fetch(`${url}${path}`, { headers })).status;
  return { gate, events, seen, get };
}

/** No event, in any field, holds a key in any encoding core's scanner knows. */
function expectNoKey(events: readonly McpgateEvent[]): void {
  for (const event of events) expect(containsKey(JSON.stringify(event))).toBe(false);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("gate events: authentication", () => {
  it("reports success and each refusal with reason, key id, source; never the key", async () => {
    const { gate, events, seen, get } = await setup();
    const { app, key } = await gate.createApp({ name: "audited" });
    const wrong = sameIdOtherSecret(key);

    expect(await get(`/mcp/${key}`)).toBe(200);
    expect(await get("/mcp", { authorization: `Bearer ${key}` })).toBe(200);
    expect(await get("/mcp", { authorization: `Bearer ${wrong}` })).toBe(401);
    expect(await get("/mcp")).toBe(401);
    expect(await get("/mcp", { authorization: "Bearer mgw_short" })).toBe(401);
    expect(await get(`/mcp/${key}`, { authorization: `Bearer ${wrong}` })).toBe(400);
    await events.drained();

    const auth = seen.filter((event) => event.type.startsWith("auth."));
    expect(auth).toEqual([
      {
        type: "auth.succeeded",
        version: 1,
        at: expect.stringMatching(ISO),
        appId: app.id,
        keyId: app.keyId,
        source: "path",
      },
      {
        type: "auth.succeeded",
        version: 1,
        at: expect.stringMatching(ISO),
        appId: app.id,
        keyId: app.keyId,
        source: "header",
      },
      {
        type: "auth.failed",
        version: 1,
        at: expect.stringMatching(ISO),
        reason: "invalid_key",
        keyId: app.keyId,
        source: "header",
      },
      {
        type: "auth.failed",
        version: 1,
        at: expect.stringMatching(ISO),
        reason: "missing_credentials",
      },
      { type: "auth.failed", version: 1, at: expect.stringMatching(ISO), reason: "malformed_key" },
      {
        type: "auth.failed",
        version: 1,
        at: expect.stringMatching(ISO),
        reason: "conflicting_credentials",
      },
    ]);
    expect(auth.some((event) => "clientAddress" in event)).toBe(false);
    expectNoKey(seen);
  });

  it('records the client address only when configured ("socket" or a function)', async () => {
    const socket = await setup({ clientAddress: "socket" });
    const { key } = await socket.gate.createApp({ name: "a" });
    await socket.get(`/mcp/${key}`); // a store read (cold)
    await socket.get(`/mcp/${key}`); // the cache (an audited gate's hot path)
    const custom = await setup({
      clientAddress: (request) => {
        const forwarded = request.rawHeaders?.indexOf("X-Forwarded-For") ?? -1;
        return forwarded === -1 ? undefined : request.rawHeaders?.[forwarded + 1];
      },
    });
    await custom.get("/mcp", { "X-Forwarded-For": "203.0.113.7" });
    await Promise.all([socket.events.drained(), custom.events.drained()]);
    for (const event of socket.seen.slice(-2)) {
      expect(event).toMatchObject({
        type: "auth.succeeded",
        source: "path",
        clientAddress: "127.0.0.1",
      });
    }
    expect(custom.seen.at(-1)).toMatchObject({ type: "auth.failed", clientAddress: "203.0.113.7" });
  });

  it("reports overloaded when the Argon2 queue is full", async () => {
    const counting = countingHasher();
    const { gate, events, seen, get } = await setup({
      hasher: counting.hasher,
      verification: { concurrency: 1, maxQueue: 0 },
    });
    const one = await gate.createApp({ name: "one" });
    const two = await gate.createApp({ name: "two" });
    const release = counting.hold();
    const first = get(`/mcp/${one.key}`);
    await expect.poll(() => counting.calls.verify).toBe(1);
    expect(await get(`/mcp/${two.key}`)).toBe(503);
    release();
    expect(await first).toBe(200);
    await events.drained();
    expect(seen.filter((event) => event.type === "auth.overloaded")).toEqual([
      expect.objectContaining({ keyId: two.app.keyId, retryAfterSeconds: 1, source: "path" }),
    ]);
  });
});

describe("gate events: lifecycle", () => {
  it("reports created, policy changed (fields), regenerated (owner), deleted", async () => {
    const { gate, events, seen } = await setup();
    const { app, key } = await gate.createApp({ name: "life", ownerId: "team-7" });
    await gate.updateApp(app.id, {
      tools: ["search"],
      rateLimit: { requests: 5, windowSeconds: 1 },
    });
    const { app: regenerated, key: newKey } = await gate.regenerateKey(app.id);
    await gate.deleteApp(app.id);
    await gate.deleteApp(app.id); // nothing deleted: nothing reported
    await events.drained();
    expect(seen).toEqual([
      {
        type: "key.created",
        version: 1,
        at: expect.stringMatching(ISO),
        appId: app.id,
        keyId: app.keyId,
        ownerId: "team-7",
      },
      {
        type: "policy.changed",
        version: 1,
        at: expect.stringMatching(ISO),
        appId: app.id,
        fields: ["tools", "rateLimit"],
      },
      {
        type: "key.regenerated",
        version: 1,
        at: expect.stringMatching(ISO),
        appId: app.id,
        keyId: regenerated.keyId,
        previousKeyId: app.keyId,
        cause: "owner",
      },
      { type: "key.deleted", version: 1, at: expect.stringMatching(ISO), appId: app.id },
    ]);
    expectNoKey(seen);
    expect(JSON.stringify(seen)).not.toContain(key.slice(12));
    expect(JSON.stringify(seen)).not.toContain(newKey.slice(12));
  });
});

describe("gate events: delivery never touches a request", () => {
  it("a subscriber that never settles and one that throws: every request still completes", async () => {
    const events = createEventBus();
    let delivered = 0;
    events.subscribe(() => {
      delivered++;
      return new Promise<void>(() => {});
    });
    events.subscribe(() => {
      throw new Error("subscriber bug");
    });
    const gate = createGate({ store: new MemoryStore(), events, lastUsed: false });
    closers.push(() => gate.close());
    const url = await serve(gate);
    const { key } = await gate.createApp({ name: "busy" });
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(i % 2 === 0 ? `${url}/mcp/${key}` : `${url}/mcp`).then((r) => r.status),
      ),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(25);
    expect(statuses.filter((status) => status === 401)).toHaveLength(25);
    await events.drained();
    expect(delivered).toBe(51); // key.created + 50 requests
  });

  it("builds no event while nobody subscribes", async () => {
    const real = createEventBus();
    let emitted = 0;
    let subscribed = false;
    const bus: EventBus = {
      get hasSubscribers() {
        return subscribed;
      },
      dropped: 0,
      pending: 0,
      subscribe: (listener) => real.subscribe(listener),
      emit: (event) => {
        emitted++;
        real.emit(event);
      },
      drained: () => real.drained(),
    };
    const gate = createGate({ store: new MemoryStore(), events: bus, lastUsed: false });
    closers.push(() => gate.close());
    const url = await serve(gate);
    const { key } = await gate.createApp({ name: "quiet" });
    await fetch(`${url}/mcp/${key}`);
    await fetch(`${url}/mcp`);
    expect(emitted).toBe(0);
    subscribed = true;
    await fetch(`${url}/mcp/${key}`);
    expect(emitted).toBe(1);
  });

  it("rejects an events option that is not a bus", () => {
    expect(() => createGate({ store: new MemoryStore(), events: {} as EventBus })).toThrow(
      /events/,
    );
    expect(() =>
      createGate({ store: new MemoryStore(), clientAddress: "header" as "socket" }),
    ).toThrow(/clientAddress/);
  });
});
