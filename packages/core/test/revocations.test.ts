/** gate.isCurrent: the cheap "is this principal still valid" check adapters make after each await. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryStore, createGate } from "../src/index.js";
import { countingHasher } from "./helpers.js";

describe("gate.isCurrent", () => {
  it("holds for an authenticated app until its key is regenerated", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a", tools: ["echo"] });
    const principal = await gate.authenticate(key);
    expect(gate.isCurrent(principal)).toBe(true);

    await gate.updateApp(app.id, { tools: ["echo", "add"] }); // a policy change is no revocation
    expect(gate.isCurrent(principal)).toBe(true);

    const { key: newKey } = await gate.regenerateKey(app.id);
    expect(gate.isCurrent(principal)).toBe(false);
    const renewed = await gate.authenticate(newKey);
    expect(gate.isCurrent(renewed)).toBe(true);

    await gate.deleteApp(app.id);
    expect(gate.isCurrent(renewed)).toBe(false);
    await gate.close();
  });

  it("is false for app objects the gate never authenticated (fail closed)", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const { app } = await gate.createApp({ name: "a" });
    expect(gate.isCurrent(app)).toBe(false);
    expect(gate.isCurrent(await gate.getApp(app.id))).toBe(false);
    await gate.close();
  });

  it("is false for the result of a verification that was running when the key was regenerated", async () => {
    const counting = countingHasher();
    const gate = createGate({ store: new MemoryStore(), hasher: counting.hasher, lastUsed: false });
    const { app, key } = await gate.createApp({ name: "a" });
    const release = counting.hold();
    const pending = gate.authenticateRequest({
      url: "/mcp",
      headers: { authorization: `Bearer ${key}` },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await gate.regenerateKey(app.id);
    release();
    const result = await pending;
    // Whether or not the authenticator still admits it, no adapter may run a handler for it.
    expect(!result.ok || !gate.isCurrent(result.app)).toBe(true);
    await gate.close();
  });

  it("follows the store's change feed: another gate's regenerate revokes here", async () => {
    const store = new MemoryStore();
    const here = createGate({ store, lastUsed: false });
    const there = createGate({ store, lastUsed: false });
    const { app, key } = await there.createApp({ name: "a" });
    const principal = await here.authenticate(key);
    expect(here.isCurrent(principal)).toBe(true);
    await there.regenerateKey(app.id);
    expect(here.isCurrent(principal)).toBe(false);
    await Promise.all([here.close(), there.close()]);
  });

  it("law: a principal is current exactly when no revocation of its app happened since its authentication began", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const apps = await Promise.all(
      ["a", "b"].map(async (name) => {
        const issued = await gate.createApp({ name });
        return { id: issued.app.id, key: issued.key };
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ app: fc.integer({ min: 0, max: 1 }), regenerate: fc.boolean() }), {
          maxLength: 12,
        }),
        async (steps) => {
          const held: {
            principal: Awaited<ReturnType<typeof gate.authenticate>>;
            app: number;
            at: number;
          }[] = [];
          const revokedAt = [0, 0];
          let clock = 0;
          for (const step of steps) {
            const target = apps[step.app] as { id: string; key: string };
            clock++;
            if (step.regenerate) {
              target.key = (await gate.regenerateKey(target.id)).key;
              revokedAt[step.app] = clock;
            } else {
              held.push({
                principal: await gate.authenticate(target.key),
                app: step.app,
                at: clock,
              });
            }
            for (const h of held) {
              expect(gate.isCurrent(h.principal)).toBe((revokedAt[h.app] as number) < h.at);
            }
          }
        },
      ),
      { numRuns: 15 },
    );
    await gate.close();
  });
});
