import { describe, expect, it } from "vitest";
import { ClosedError, MemoryStore, createGate, type Gate } from "../src/index.js";
import { outcome } from "./helpers.js";

describe("gate.close()", () => {
  it("refuses all new work with a coded error; requests get 503 closed with Retry-After", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a" });
    await gate.authenticate(key);
    await gate.close();

    const refused: Array<(g: Gate) => Promise<unknown>> = [
      (g) => g.authenticate(key),
      (g) => g.createApp({ name: "b" }),
      (g) => g.getApp(app.id),
      (g) => g.listApps(),
      (g) => g.updateApp(app.id, { name: "c" }),
      (g) => g.regenerateKey(app.id),
      (g) => g.deleteApp(app.id),
    ];
    for (const call of refused) {
      const error = await outcome(call(gate));
      expect(error).toBeInstanceOf(ClosedError);
      expect(error).toMatchObject({ code: "closed" });
    }
    const result = await gate.authenticateRequest({ url: `/mcp/${key}` });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("closed");
      expect(result.challenge.status).toBe(503);
      expect(result.challenge.headers["retry-after"]).toBe("1");
      expect(result.challenge.body.error).toBe("closed");
    }
    // Pure helpers keep working.
    expect(gate.cleanUrl(`/mcp/${key}`)).toBe("/mcp");
  });

  it("is idempotent and flushes last-used once", async () => {
    const store = new MemoryStore();
    let touches = 0;
    const touch = store.touch.bind(store);
    store.touch = (id, at) => (touches++, touch(id, at));
    const gate = createGate({ store, lastUsed: { flushIntervalMs: 60_000 } });
    const { key } = await gate.createApp({ name: "a" });
    await gate.authenticate(key);
    const first = gate.close();
    expect(gate.close()).toBe(first);
    await first;
    await gate.close();
    expect(touches).toBe(1);
  });

  it("stops change notifications", async () => {
    const store = new MemoryStore();
    const writer = createGate({ store, lastUsed: false });
    const gate = createGate({ store, lastUsed: false });
    const seen: string[] = [];
    gate.onChange((event) => seen.push(event.type));
    const { app } = await writer.createApp({ name: "a" });
    await gate.close();
    gate.onChange((event) => seen.push(`late:${event.type}`));
    await writer.regenerateKey(app.id);
    expect(seen).toEqual([]);
  });
});
