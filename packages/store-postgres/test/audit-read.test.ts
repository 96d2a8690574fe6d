/** The audit reader on a real PostgreSQL server: write order, the id cursor, failures. */
import { makeEvent } from "@mcpgate/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresAuditReader, createPostgresAuditSink } from "../src/index.js";
import { testDatabase, type TestDatabase } from "./pg-server.js";

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await testDatabase("audit_read");
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

async function write(prefix: string, appIds: string[]): Promise<void> {
  const sink = createPostgresAuditSink({ pool, tablePrefix: prefix });
  await sink.migrate();
  for (const appId of appIds) sink.listener(makeEvent({ type: "key.deleted", appId }));
  await sink.close();
}

const apps = (events: object[]) => events.map((event) => (event as { appId?: string }).appId);

describe("createPostgresAuditReader", () => {
  it("pages in write order and continues after its cursor without skipping or repeating", async () => {
    // 12 rows, so ids 2 and 10 differ in text order from number order.
    await write(
      "cur_",
      Array.from({ length: 12 }, (_, i) => `app_${i % 2 === 0 ? "even" : "odd"}_${i}`),
    );
    const reader = createPostgresAuditReader({ pool, tablePrefix: "cur_" });
    const newest = await reader.read({ limit: 3 });
    expect(apps(newest.events)).toEqual(["app_odd_9", "app_even_10", "app_odd_11"]);

    // Nothing matches, yet the cursor moves to "now": a follower starts after the current rows.
    const none = await reader.read({ appId: "app_new" });
    expect(none.events).toEqual([]);
    await write("cur_", ["app_new", "app_other", "app_new"]);
    const next = await reader.read({ appId: "app_new", afterId: none.lastId, limit: 1 });
    expect(apps(next.events)).toEqual(["app_new"]);
    const rest = await reader.read({ appId: "app_new", afterId: next.lastId });
    expect(apps(rest.events)).toEqual(["app_new"]);
    const after = await reader.read({ afterId: rest.lastId });
    expect(after).toEqual({ events: [], lastId: rest.lastId });
    await reader.close();
    expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]); // borrowed: left open
  });

  it("rejects bad options with a TypeError, a missing table with 42P01, an unreachable server with store_unavailable", async () => {
    expect(() => createPostgresAuditReader({ connectionString: "mysql://x" })).toThrow(TypeError);
    const reader = createPostgresAuditReader({ pool, tablePrefix: "none_" });
    await expect(reader.read({ afterId: "12x" })).rejects.toThrow(/afterId/);
    await expect(reader.read()).rejects.toMatchObject({ code: "42P01" });
    const offline = createPostgresAuditReader({
      connectionString: "postgresql://mcpgate:s3cret@127.0.0.1:1/audit",
    });
    const error: unknown = await offline.read().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "store_unavailable" });
    expect(String((error as Error).message)).not.toContain("s3cret");
    await offline.close();
  });
});
