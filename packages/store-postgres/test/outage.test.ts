/**
 * Fail closed, then recover: PostgreSQL (a cluster of this file's own, never the shared CI server)
 * is stopped in the middle of traffic and started again.
 */
import { createGate, isMcpgateError, StoreUnavailableError, type Gate } from "@mcpgate/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPostgresStore, type PostgresStore } from "../src/index.js";
import { startCluster, type Cluster } from "./pg-server.js";

let cluster: Cluster;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  cluster = await startCluster();
  process.on("unhandledRejection", onUnhandled);
});

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await cluster?.destroy();
});

async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface Outcome {
  phase: "up" | "stopping" | "down" | "starting" | "recovered";
  ok: boolean;
  code?: string;
  status: number;
}

it("stopping PostgreSQL mid-traffic: 503 for uncached keys, nothing half-written; recovery without restart", async () => {
  const errors: string[] = [];
  const options = {
    connectionString: cluster.url,
    connectionTimeoutMs: 1_000,
    changeFeed: { reconnectInitialDelayMs: 50, reconnectMaxDelayMs: 400 },
    onError: (_error: unknown, context: string) => void errors.push(context),
  };
  const store: PostgresStore = await createPostgresStore(options);
  const other: PostgresStore = await createPostgresStore(options);
  // `cold` caches nothing: every request reaches the database. `warm` caches for a minute.
  const cold: Gate = createGate({ store, lastUsed: false, cache: { ttlMs: 0 } });
  const warm: Gate = createGate({ store, lastUsed: false, cache: { ttlMs: 60_000 } });
  const admin: Gate = createGate({ store: other, lastUsed: false });
  try {
    const traffic = await cold.createApp({ name: "traffic" });
    const cached = await warm.createApp({ name: "cached" });
    const neverSeen = await admin.createApp({ name: "never-seen" });
    await warm.authenticate(cached.key);
    const appsBefore = (await admin.listApps()).length;

    let phase: Outcome["phase"] = "up";
    const outcomes: Outcome[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        const result = await cold.authenticateRequest({
          url: "/mcp",
          headers: { authorization: `Bearer ${traffic.key}` },
        });
        outcomes.push(
          result.ok
            ? { phase, ok: true, status: 200 }
            : { phase, ok: false, code: result.error.code, status: result.challenge.status },
        );
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();

    await until(() => outcomes.filter((o) => o.phase === "up").length >= 20);
    phase = "stopping";
    await cluster.stop();
    phase = "down";
    await until(() => outcomes.filter((o) => o.phase === "down").length >= 20);

    // While down: uncached keys fail closed, the cached one follows its TTL, writes are refused.
    await expect(warm.authenticate(neverSeen.key)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(warm.authenticate(cached.key)).resolves.toMatchObject({ id: cached.app.id });
    const write = await admin.createApp({ name: "during-outage" }).catch((e: unknown) => e);
    expect(isMcpgateError(write) && write.code).toBe("store_unavailable");
    const regenerate = await admin.regenerateKey(traffic.app.id).catch((e: unknown) => e);
    expect(isMcpgateError(regenerate) && regenerate.code).toBe("store_unavailable");
    await until(() => store.changeFeedState === "reconnecting");

    phase = "starting";
    await cluster.start();
    phase = "recovered";
    const startedAt = Date.now();
    await until(() => outcomes.some((o) => o.phase === "recovered" && o.ok));
    const recoveredAfterMs = Date.now() - startedAt;
    running = false;
    await loop;

    const down = outcomes.filter((o) => o.phase === "down");
    expect(down.length).toBeGreaterThanOrEqual(20);
    expect(down.filter((o) => o.ok)).toEqual([]);
    expect(new Set(down.map((o) => `${o.status} ${o.code}`))).toEqual(
      new Set(["503 store_unavailable"]),
    );
    expect(outcomes.filter((o) => o.phase === "up").every((o) => o.ok)).toBe(true);

    // Nothing half-written: the refused create left no row; the refused regenerate changed nothing.
    expect((await admin.listApps()).length).toBe(appsBefore);
    expect((await admin.getApp(traffic.app.id)).keyGeneration).toBe(1);

    // The change feed is back: a regenerate through the other store evicts the warm cache.
    await until(() => store.changeFeedState === "listening");
    await admin.regenerateKey(cached.app.id);
    await until(() =>
      warm.authenticate(cached.key).then(
        () => false,
        () => true,
      ),
    );
    expect(errors).toContain("changeFeed");
    const phases = ["up", "stopping", "down", "starting", "recovered"] as const;
    console.log(
      `outage (accepted/requests per phase): ${phases
        .map((p) => {
          const list = outcomes.filter((o) => o.phase === p);
          return `${p} ${list.filter((o) => o.ok).length}/${list.length}`;
        })
        .join(", ")}; traffic recovered ${recoveredAfterMs} ms after the server was back`,
    );
    expect(unhandled).toEqual([]);
  } finally {
    await Promise.all([cold.close(), warm.close(), admin.close()]);
    await Promise.all([store.close(), other.close()]);
  }
}, 90_000);
