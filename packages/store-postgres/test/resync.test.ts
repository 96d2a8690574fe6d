/**
 * A notification lost while the LISTEN connection was down, and the new key already looked up by
 * this instance before the feed came back: the resync must still say `key_replaced` (so MCP sessions
 * opened with the old key are closed), not `updated`.
 */
import { createGate, type StoreEvent } from "@mcpgate/core";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPostgresStore, type PostgresStore } from "../src/index.js";
import { testDatabase, type TestDatabase } from "./pg-server.js";
import { until } from "./wait.js";

let database: TestDatabase;
let admin: pg.Pool;

beforeAll(async () => {
  database = await testDatabase("resync");
  admin = new pg.Pool({ connectionString: database.url, max: 1 });
}, 120_000);

afterAll(async () => {
  await admin?.end();
  await database?.drop();
});

it("resync after a lost NOTIFY reports key_replaced even when the new key was looked up meanwhile; deleted and updated exactly", async () => {
  const store: PostgresStore = await createPostgresStore({
    connectionString: database.url,
    tablePrefix: "rs_",
    // A slow first reconnect: the outage window in which the NOTIFYs are lost.
    changeFeed: { reconnectInitialDelayMs: 3_000, reconnectMaxDelayMs: 3_000 },
  });
  const other: PostgresStore = await createPostgresStore({
    connectionString: database.url,
    tablePrefix: "rs_",
    changeFeed: false,
  });
  const gate = createGate({ store, lastUsed: false });
  const adminGate = createGate({ store: other, lastUsed: false });
  const events: StoreEvent[] = [];
  const unsubscribe = gate.onChange((event) => events.push(event));
  try {
    const regenerated = await adminGate.createApp({ name: "regenerated" });
    const renamed = await adminGate.createApp({ name: "renamed" });
    const deleted = await adminGate.createApp({ name: "deleted" });
    for (const { key } of [regenerated, renamed, deleted]) await gate.authenticate(key);

    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'LISTEN %rs_mcpgate%'`,
    );
    expect(rows.length).toBe(1);
    await until(() => store.changeFeedState === "reconnecting", 10_000, "feed down");

    const { key: newKey } = await adminGate.regenerateKey(regenerated.app.id);
    await adminGate.updateApp(renamed.app.id, { name: "renamed again" });
    await adminGate.deleteApp(deleted.app.id);
    // This instance looks the new key up before the feed is back.
    await expect(gate.authenticate(newKey)).resolves.toMatchObject({ keyGeneration: 2 });
    expect(store.changeFeedState).toBe("reconnecting");

    await until(() => events.length >= 3, 20_000, "resync events");
    expect(new Map(events.map((e) => [e.appId, e.type]))).toEqual(
      new Map([
        [regenerated.app.id, "key_replaced"],
        [renamed.app.id, "updated"],
        [deleted.app.id, "deleted"],
      ]),
    );
    await expect(gate.authenticate(regenerated.key)).rejects.toMatchObject({ code: "invalid_key" });
  } finally {
    unsubscribe();
    await Promise.all([gate.close(), adminGate.close()]);
    await Promise.all([store.close(), other.close()]);
  }
}, 120_000);
