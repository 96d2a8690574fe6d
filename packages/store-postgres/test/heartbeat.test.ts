/**
 * A LISTEN connection that dies silently (a frozen network path, no error, no FIN) on a borrowed
 * pool without `query_timeout`: the heartbeat's own timeout notices it, the feed reconnects, and the
 * resync reports what was missed, instead of "listening" forever while revocations wait the TTL.
 */
import { createGate, type StoreEvent } from "@mcpgate/core";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPostgresStore, type PostgresStore } from "../src/index.js";
import { startFrozenProxy, type FrozenProxy } from "./frozen-proxy.js";
import { testDatabase, type TestDatabase } from "./pg-server.js";
import { until } from "./wait.js";

let database: TestDatabase;
let proxy: FrozenProxy;

beforeAll(async () => {
  database = await testDatabase("heartbeat");
  proxy = await startFrozenProxy(database.url);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await database?.drop();
});

it("a silently dead LISTEN connection on a borrowed pool without query_timeout is detected, replaced and resynced", async () => {
  // The user's pool: no query_timeout, no keepAlive. Idle clients close fast, so when the network
  // path freezes only the LISTEN connection is open through the proxy.
  const pool = new pg.Pool({ connectionString: proxy.url, max: 4, idleTimeoutMillis: 100 });
  pool.on("error", () => {});
  const errors: string[] = [];
  const store: PostgresStore = await createPostgresStore({
    pool,
    tablePrefix: "hb_",
    changeFeed: { heartbeatMs: 200, heartbeatTimeoutMs: 600, reconnectInitialDelayMs: 50 },
    onError: (error) => void errors.push(String(error)),
  });
  const admin: PostgresStore = await createPostgresStore({
    connectionString: database.url,
    tablePrefix: "hb_",
    changeFeed: false,
  });
  const gate = createGate({ store, lastUsed: false, cache: { ttlMs: 60_000 } });
  const adminGate = createGate({ store: admin, lastUsed: false });
  const events: StoreEvent[] = [];
  const unsubscribe = store.subscribe?.((event) => events.push(event));
  try {
    const { app, key } = await adminGate.createApp({ name: "watched" });
    await gate.authenticate(key);
    await until(() => proxy.openConnections() === 1, 10_000, "only the LISTEN connection open");
    expect(store.changeFeedState).toBe("listening");

    proxy.freezeOpen();
    const frozenAt = Date.now();
    await adminGate.regenerateKey(app.id); // its NOTIFY is lost on the frozen connection

    await until(
      () => events.some((e) => e.appId === app.id && e.type === "key_replaced"),
      15_000,
      "the missed regeneration is reported",
    );
    const detectedMs = Date.now() - frozenAt;
    await until(() => store.changeFeedState === "listening", 10_000, "listening again");
    expect(errors.some((e) => /heartbeat: no answer within 600 ms/.test(e))).toBe(true);
    await expect(gate.authenticate(key)).rejects.toMatchObject({ code: "invalid_key" });
    console.log(`silent LISTEN drop detected and resynced after ${detectedMs} ms`);
  } finally {
    unsubscribe?.();
    await Promise.all([gate.close(), adminGate.close()]);
    await Promise.all([store.close(), admin.close()]);
    await pool.end();
  }
}, 120_000);
