import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MemoryStore,
  createGate,
  isPromptAllowed,
  isResourceAllowed,
  isToolAllowed,
  withPolicyDefaults,
} from "../src/index.js";
import { keyCheckTag } from "../src/digest.js";

describe("owners and pages", () => {
  it("apps carry their owner; listApps and listAppsPage filter by it", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const a = await gate.createApp({ name: "a", ownerId: "team_a" });
    const b = await gate.createApp({ name: "b", ownerId: "team_b" });
    const none = await gate.createApp({ name: "none" });
    expect([a.app.ownerId, b.app.ownerId, none.app.ownerId]).toEqual(["team_a", "team_b", null]);
    expect((await gate.listApps({ ownerId: "team_a" })).map((x) => x.name)).toEqual(["a"]);
    expect((await gate.listApps()).map((x) => x.name)).toEqual(["a", "b", "none"]);
    const page = await gate.listAppsPage({ ownerId: "team_b" });
    expect(page).toEqual({ apps: [b.app], nextCursor: null });
    await gate.close();
  });

  it("listAppsPage walks every app exactly once, in order, whatever the page size", async () => {
    let now = Date.UTC(2026, 0, 1);
    // Several apps share a millisecond, so the cursor must break ties by id.
    const gate = createGate({
      store: new MemoryStore(),
      lastUsed: false,
      clock: () => Math.floor((now += 0.4)),
    });
    for (let i = 0; i < 23; i++) await gate.createApp({ name: `app ${i}`, ownerId: "o" });
    const all = (await gate.listApps()).map((app) => app.id);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 }), async (limit) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await gate.listAppsPage(
            cursor === undefined ? { limit } : { limit, cursor },
          );
          expect(page.apps.length).toBeLessThanOrEqual(limit);
          seen.push(...page.apps.map((app) => app.id));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(seen).toEqual(all);
      }),
      { numRuns: 30 },
    );
    await gate.close();
  });

  it("refuses a forged cursor, a bad limit and an empty owner with a TypeError", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    await expect(gate.listAppsPage({ cursor: "not-a-cursor" })).rejects.toThrow(TypeError);
    await expect(
      gate.listAppsPage({ cursor: Buffer.from("[1]").toString("base64url") }),
    ).rejects.toThrow(/cursor/);
    await expect(gate.listAppsPage({ limit: 0 })).rejects.toThrow(/limit/);
    await expect(gate.listApps({ ownerId: "" })).rejects.toThrow(/ownerId/);
    await expect(gate.createApp({ name: "x", ownerId: "bad\nowner" })).rejects.toThrow(/ownerId/);
    await gate.close();
  });
});

describe("policy", () => {
  it("resources and prompts default to none (fail closed) and are validated", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app } = await gate.createApp({ name: "x", tools: "*" });
    expect(app.policy).toMatchObject({ tools: "*", resources: [], prompts: [] });
    await expect(gate.createApp({ name: "x", resources: ["ok", "bad\u0000"] })).rejects.toThrow(
      /resources\.1/,
    );
    await expect(gate.createApp({ name: "x", prompts: [""] })).rejects.toThrow(/prompts\.0/);
    await gate.close();
  });

  it("updateApp replaces only the fields it is given", async () => {
    const store = new MemoryStore();
    const gate = createGate({ store, lastUsed: false });
    const { app } = await gate.createApp({
      name: "x",
      tools: ["a", "b"],
      resources: ["file:///a"],
      prompts: ["p"],
      rateLimit: { requests: 5, windowSeconds: 1 },
    });
    const updated = await gate.updateApp(app.id, { prompts: "*" });
    expect(updated.policy).toEqual({ ...app.policy, prompts: "*" });
    await gate.close();
  });

  it("a stored policy from before resources and prompts allows none of them", () => {
    expect(withPolicyDefaults({ tools: ["a"], scopes: ["s"], rateLimit: null })).toEqual({
      tools: ["a"],
      resources: [],
      prompts: [],
      scopes: ["s"],
      rateLimit: null,
    });
  });

  it("allow-lists: exact names, URI templates as registered, and wildcards", () => {
    const policy = withPolicyDefaults({
      tools: ["search"],
      resources: ["file:///readme.md", "notes://{id}"],
      prompts: ["summarise"],
    });
    expect(isToolAllowed(policy, "search")).toBe(true);
    expect(isToolAllowed(policy, "Search")).toBe(false);
    expect(isResourceAllowed(policy, "file:///readme.md")).toBe(true);
    expect(isResourceAllowed(policy, "file:///other.md")).toBe(false);
    expect(isResourceAllowed(policy, "notes://42", "notes://{id}")).toBe(true);
    expect(isResourceAllowed(policy, "notes://42")).toBe(false);
    expect(isResourceAllowed(policy, "notes://42", "other://{id}")).toBe(false);
    expect(isPromptAllowed(policy, "summarise")).toBe(true);
    expect(isPromptAllowed(policy, "other")).toBe(false);
    const open = withPolicyDefaults({ tools: "*", resources: "*", prompts: "*" });
    expect(isResourceAllowed(open, "anything://x") && isPromptAllowed(open, "any")).toBe(true);
  });
});

describe("key check tag", () => {
  it("is stored with every issued key and matches keyCheckTag of that key", async () => {
    const store = new MemoryStore();
    const gate = createGate({ store, lastUsed: false });
    const { app, key } = await gate.createApp({ name: "x" });
    expect((await store.getById(app.id))?.keyCheck).toBe(keyCheckTag(key));
    const { key: next } = await gate.regenerateKey(app.id);
    expect((await store.getById(app.id))?.keyCheck).toBe(keyCheckTag(next));
    await gate.close();
  });

  it("is 16 bits: four lowercase hex digits", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), (key) => {
        expect(keyCheckTag(key)).toMatch(/^[0-9a-f]{4}$/);
      }),
    );
  });
});
