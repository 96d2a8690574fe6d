/** The audit sink on a real PostgreSQL server. */
import { createEventBus, makeEvent, type McpgateEvent } from "@mcpgate/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresAuditSink } from "../src/index.js";
import { testDatabase, type TestDatabase } from "./pg-server.js";

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await testDatabase("audit");
  pool = new pg.Pool({ connectionString: database.url, max: 3 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const day = 86_400_000;

describe("createPostgresAuditSink", () => {
  it("migrates idempotently, with its own table and the (app_id, at) and (at) indexes", async () => {
    const sink = createPostgresAuditSink({ pool, tablePrefix: "idem_" });
    await sink.migrate();
    await sink.migrate();
    const { rows } = await pool.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'idem_mcpgate_audit' ORDER BY indexname",
    );
    expect(rows.map((row) => row.indexname)).toEqual([
      "idem_mcpgate_audit_app_at",
      "idem_mcpgate_audit_at",
      "idem_mcpgate_audit_pkey",
    ]);
    await sink.close();
  });

  it("appends events from the bus in batches and reads them back by app, type and time", async () => {
    const sink = createPostgresAuditSink({ pool, tablePrefix: "q_", maxBatch: 7 });
    await sink.migrate();
    const bus = createEventBus();
    bus.subscribe(sink.listener);
    const start = Date.UTC(2026, 10, 30, 8);
    for (let i = 0; i < 30; i++) {
      bus.emit(
        makeEvent(
          i % 3 === 0
            ? { type: "auth.failed", reason: "invalid_key", keyId: "abcdefgh", source: "header" }
            : { type: "auth.succeeded", appId: `app-${i % 2}`, keyId: "abcdefgh", source: "path" },
          start + i * 1000,
        ),
      );
    }
    await bus.drained();
    await sink.flush();
    const all = await sink.query({ limit: 1000 });
    expect(all).toHaveLength(30);
    expect(all[0]?.at).toBe(new Date(start + 29_000).toISOString());
    const app1 = await sink.query({ appId: "app-1" });
    expect(app1.every((e) => e.type === "auth.succeeded" && e.appId === "app-1")).toBe(true);
    expect(app1).toHaveLength(10);
    const failed = await sink.query({ type: "auth.failed", since: new Date(start + 10_000) });
    expect(failed.map((e: McpgateEvent) => e.at)).toEqual(
      [27, 24, 21, 18, 15, 12].map((s) => new Date(start + s * 1000).toISOString()),
    );
    const window = await sink.query({
      since: new Date(start),
      until: new Date(start + 3000),
      limit: 2,
    });
    expect(window.map((e) => e.at)).toEqual(
      [2, 1].map((s) => new Date(start + s * 1000).toISOString()),
    );
    await expect(sink.query({ limit: 5000 })).rejects.toThrow(TypeError);
    await sink.close();
  });

  it("deletes events older than the retention period", async () => {
    const sink = createPostgresAuditSink({ pool, tablePrefix: "ret_", retentionDays: 7 });
    await sink.migrate();
    const now = Date.now();
    sink.listener(makeEvent({ type: "key.deleted", appId: "old" }, now - 8 * day));
    sink.listener(makeEvent({ type: "key.deleted", appId: "new" }, now - 6 * day));
    await sink.flush();
    expect(await sink.purge()).toBe(1);
    expect((await sink.query()).map((e) => (e as { appId: string }).appId)).toEqual(["new"]);
    await sink.close();
  });

  it("never throws into the bus: a full buffer drops and counts, a failing write is reported", async () => {
    const errors: string[] = [];
    const sink = createPostgresAuditSink({
      pool,
      tablePrefix: "missing_",
      maxBuffer: 3,
      onError: (_error, context) => errors.push(context),
    });
    // No migrate(): the table does not exist, so the write fails.
    for (let i = 0; i < 5; i++) sink.listener(makeEvent({ type: "key.deleted", appId: `a${i}` }));
    expect(sink.dropped).toBe(2);
    await sink.close();
    expect(errors).toEqual(["audit write"]);
  });

  it("rejects bad options when created", () => {
    expect(() => createPostgresAuditSink({ pool, tablePrefix: "Bad" })).toThrow(/tablePrefix/);
    expect(() => createPostgresAuditSink({ pool, retentionDays: 0 })).toThrow(/retentionDays/);
  });
});
