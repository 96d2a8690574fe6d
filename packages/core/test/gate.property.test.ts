/**
 * Model-based: any interleaving of createApp / regenerateKey / deleteApp / authenticate, some of
 * them concurrent, leaves exactly one valid key per live app and none for deleted apps; and no
 * plaintext key appears in the store, the cache or any principal handed out.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryStore, createGate, type App } from "../src/index.js";
import { cachedAppsOf } from "../src/gate.js";

type Op =
  | { kind: "create" }
  | { kind: "regenerate"; app: number }
  | { kind: "delete"; app: number }
  | { kind: "authenticate"; app: number; old: boolean }
  | { kind: "concurrent"; app: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: "create" as const }),
  fc.record({ kind: fc.constant("regenerate" as const), app: fc.nat(3) }),
  fc.record({ kind: fc.constant("delete" as const), app: fc.nat(3) }),
  fc.record({ kind: fc.constant("authenticate" as const), app: fc.nat(3), old: fc.boolean() }),
  fc.record({ kind: fc.constant("concurrent" as const), app: fc.nat(3) }),
);

interface ModelApp {
  id: string;
  current: string;
  retired: string[];
  deleted: boolean;
}

describe("gate lifecycle under arbitrary interleavings", () => {
  it("exactly one valid key per live app, none for deleted apps, no plaintext anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        const store = new MemoryStore();
        const gate = createGate({ store, lastUsed: false });
        const peer = createGate({ store, lastUsed: false });
        const apps: ModelApp[] = [];
        const principals: App[] = [];
        const pick = (i: number) => apps[i % Math.max(apps.length, 1)];

        for (const step of ops) {
          const target = step.kind === "create" ? undefined : pick(step.app);
          if (step.kind === "create") {
            const { app, key } = await gate.createApp({ name: `app${apps.length}` });
            apps.push({ id: app.id, current: key, retired: [], deleted: false });
          } else if (!target) {
            continue;
          } else if (step.kind === "regenerate" && !target.deleted) {
            const { key } = await gate.regenerateKey(target.id);
            target.retired.push(target.current);
            target.current = key;
          } else if (step.kind === "delete") {
            await gate.deleteApp(target.id);
            target.deleted = true;
          } else if (step.kind === "authenticate") {
            const key = step.old ? (target.retired.at(-1) ?? target.current) : target.current;
            const outcome = await peer.authenticate(key).then(
              (a) => (principals.push(a), a.id),
              () => "rejected",
            );
            const valid = !target.deleted && key === target.current;
            expect(outcome).toBe(valid ? target.id : "rejected");
          } else if (step.kind === "concurrent" && !target.deleted) {
            // Authenticate with the current key while it is being regenerated.
            const before = target.current;
            const [regenerated] = await Promise.all([
              gate.regenerateKey(target.id),
              peer.authenticate(before).catch(() => undefined),
            ]);
            target.retired.push(before);
            target.current = regenerated.key;
          }
        }

        for (const app of apps) {
          for (const key of app.retired)
            await expect(peer.authenticate(key)).rejects.toMatchObject({ code: "invalid_key" });
          if (app.deleted)
            await expect(peer.authenticate(app.current)).rejects.toMatchObject({
              code: "invalid_key",
            });
          else principals.push(await peer.authenticate(app.current));
        }

        const dump = JSON.stringify([
          await store.list(),
          cachedAppsOf(gate),
          cachedAppsOf(peer),
          principals,
        ]);
        for (const app of apps) {
          for (const key of [app.current, ...app.retired])
            expect(dump).not.toContain(key.slice(12));
        }
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
