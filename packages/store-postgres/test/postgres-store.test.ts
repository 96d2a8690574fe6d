import { createGate, InvalidKeyError, type StoreEvent } from "@mcpgate/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore, SCHEMA_VERSION } from "../src/index.js";
import { pgDump, testDatabase, type TestDatabase } from "./pg-server.js";

let database: TestDatabase;
let admin: pg.Pool;

beforeAll(async () => {
  database = await testDatabase("store");
  admin = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await admin?.end();
  await database?.drop();
});

async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("options", () => {
  it("rejects bad options with a TypeError naming the field, before connecting", async () => {
    await expect(
      createPostgresStore({ connectionString: database.url, tablePrefix: "Bad-Prefix" }),
    ).rejects.toThrow(/tablePrefix/);
    await expect(createPostgresStore({ connectionString: "", tablePrefix: "ok_" })).rejects.toThrow(
      TypeError,
    );
    await expect(
      // @ts-expect-error both a pool and a connection string
      createPostgresStore({ pool: admin, connectionString: database.url }),
    ).rejects.toThrow(/connectionString/);
    await expect(
      createPostgresStore({
        connectionString: database.url,
        changeFeed: { heartbeatMs: 1 },
      }),
    ).rejects.toThrow(/changeFeed\.heartbeatMs/);
  });

  it("refuses a borrowed pool of one connection while the change feed needs one for LISTEN", async () => {
    const tiny = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      await expect(createPostgresStore({ pool: tiny })).rejects.toThrow(/pool: needs max ≥ 2/);
      const store = await createPostgresStore({
        pool: tiny,
        changeFeed: false,
        tablePrefix: "tiny_",
      });
      await store.close();
    } finally {
      await tiny.end();
    }
  });

  it("rejects when the server cannot be reached (fail closed at startup)", async () => {
    await expect(
      createPostgresStore({
        connectionString: "postgresql://postgres@127.0.0.1:1/postgres",
        connectionTimeoutMs: 2000,
      }),
    ).rejects.toThrow();
  });
});

describe("migrate", () => {
  it("is versioned, idempotent and safe to run from several instances at once", async () => {
    const stores = await Promise.all(
      Array.from({ length: 4 }, () =>
        createPostgresStore({ pool: admin, tablePrefix: "mig_", changeFeed: false }),
      ),
    );
    try {
      expect(await Promise.all(stores.map((s) => s.migrate()))).toEqual(
        Array.from({ length: 4 }, () => SCHEMA_VERSION),
      );
      const { rows } = await admin.query(
        `SELECT version FROM mig_mcpgate_schema_version ORDER BY version`,
      );
      expect(rows).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
      const { rows: indexes } = await admin.query(
        `SELECT indexdef FROM pg_indexes WHERE tablename = 'mig_mcpgate_apps' ORDER BY indexname`,
      );
      expect(indexes.map((r: { indexdef: string }) => r.indexdef).join("\n")).toMatch(
        /CREATE UNIQUE INDEX mig_mcpgate_apps_key_id_key ON public\.mig_mcpgate_apps USING btree \(key_id\)/,
      );
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("upgrades a version-1 table in place: old rows keep working, with fail-closed policy defaults", async () => {
    // The version-1 schema, as release 0.1 created it, holding one app.
    await admin.query(`CREATE TABLE v1_mcpgate_apps (
      id text PRIMARY KEY, name text NOT NULL, key_id text NOT NULL, key_hash text NOT NULL,
      key_generation integer NOT NULL, created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL, key_issued_at timestamptz NOT NULL,
      last_used_at timestamptz, policy jsonb NOT NULL, metadata jsonb NOT NULL)`);
    await admin.query(`CREATE TABLE v1_mcpgate_schema_version (
      version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    await admin.query(`INSERT INTO v1_mcpgate_schema_version (version) VALUES (1)`);
    const source = await createPostgresStore({ pool: admin, tablePrefix: "v1src_" });
    const gate = createGate({ store: source, lastUsed: false });
    const { app, key } = await gate.createApp({ name: "old", tools: ["search"] });
    await gate.close();
    await source.close();
    await admin.query(
      `INSERT INTO v1_mcpgate_apps SELECT id, name, key_id, key_hash, key_generation, created_at,
         updated_at, key_issued_at, last_used_at, '{"tools":["search"],"scopes":[],"rateLimit":null}'::jsonb,
         metadata FROM v1src_mcpgate_apps`,
    );

    const store = await createPostgresStore({ pool: admin, tablePrefix: "v1_" });
    const upgraded = createGate({ store, lastUsed: false });
    try {
      expect(await store.migrate()).toBe(SCHEMA_VERSION);
      const record = await store.getById(app.id);
      expect(record).toMatchObject({ ownerId: null, keyCheck: "" });
      expect(record?.policy).toEqual({
        tools: ["search"],
        resources: [],
        prompts: [],
        scopes: [],
        rateLimit: null,
      });
      await expect(upgraded.authenticate(key)).resolves.toMatchObject({ id: app.id });
      const { key: next } = await upgraded.regenerateKey(app.id);
      expect((await store.getById(app.id))?.keyCheck).toMatch(/^[0-9a-f]{4}$/);
      await expect(upgraded.authenticate(next)).resolves.toMatchObject({ keyGeneration: 2 });
    } finally {
      await upgraded.close();
      await store.close();
    }
  });

  it("upgrades a version-2 table in place: old keys never expire, new ones can", async () => {
    // The version-2 schema, as release 0.2 created it (version 1 plus owners and check tags).
    await admin.query(`CREATE TABLE v2_mcpgate_apps (
      id text PRIMARY KEY, name text NOT NULL, key_id text NOT NULL, key_hash text NOT NULL,
      key_generation integer NOT NULL CHECK (key_generation >= 1),
      created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
      key_issued_at timestamptz NOT NULL, last_used_at timestamptz, policy jsonb NOT NULL,
      metadata jsonb NOT NULL, owner_id text, key_check text NOT NULL DEFAULT '')`);
    await admin.query(`CREATE UNIQUE INDEX v2_mcpgate_apps_key_id_key ON v2_mcpgate_apps (key_id)`);
    await admin.query(`CREATE TABLE v2_mcpgate_schema_version (
      version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    await admin.query(`INSERT INTO v2_mcpgate_schema_version (version) VALUES (1), (2)`);
    const source = await createPostgresStore({ pool: admin, tablePrefix: "v2src_" });
    const gate = createGate({ store: source, lastUsed: false });
    const { app, key } = await gate.createApp({ name: "old", ownerId: "team", tools: ["search"] });
    await gate.close();
    await source.close();
    await admin.query(
      `INSERT INTO v2_mcpgate_apps SELECT id, name, key_id, key_hash, key_generation, created_at,
         updated_at, key_issued_at, last_used_at, policy, metadata, owner_id, key_check
         FROM v2src_mcpgate_apps`,
    );

    const store = await createPostgresStore({ pool: admin, tablePrefix: "v2_" });
    const upgraded = createGate({ store, lastUsed: false });
    try {
      expect(await store.migrate()).toBe(SCHEMA_VERSION);
      const record = await store.getById(app.id);
      expect(record).toMatchObject({ ownerId: "team", keyExpiresAt: null });
      await expect(upgraded.authenticate(key)).resolves.toMatchObject({ keyExpiresAt: null });
      const { key: next, app: renewed } = await upgraded.regenerateKey(app.id, {
        expiresInDays: 30,
      });
      expect((await store.getById(app.id))?.keyExpiresAt).toEqual(renewed.keyExpiresAt);
      await expect(upgraded.authenticate(next)).resolves.toMatchObject({ keyGeneration: 2 });

      // Another instance whose clock is past the expiry refuses the key it reads from the table.
      const expiresAt = renewed.keyExpiresAt?.getTime() ?? 0;
      const later = createGate({ store, lastUsed: false, clock: () => expiresAt });
      await expect(later.authenticate(next)).rejects.toMatchObject({ code: "key_expired" });
      await later.close();
    } finally {
      await upgraded.close();
      await store.close();
    }
  });

  it("refuses a database whose schema is newer than this package", async () => {
    const store = await createPostgresStore({ pool: admin, tablePrefix: "newer_" });
    await store.close();
    await admin.query(`INSERT INTO newer_mcpgate_schema_version (version) VALUES (99)`);
    await expect(createPostgresStore({ pool: admin, tablePrefix: "newer_" })).rejects.toThrow(
      /version 99/,
    );
  });

  it("borrowed pools are left open by close()", async () => {
    const store = await createPostgresStore({ pool: admin, tablePrefix: "borrow_" });
    await store.close();
    expect((await admin.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });
});

describe("stored state", () => {
  it("pg_dump after creating and regenerating apps holds key ids and hashes, never a key", async () => {
    const store = await createPostgresStore({
      connectionString: database.url,
      tablePrefix: "dump_",
    });
    const gate = createGate({ store, lastUsed: false });
    const keys: string[] = [];
    const keyIds: string[] = [];
    try {
      for (const name of ["alpha", "beta", "gamma"]) {
        const created = await gate.createApp({ name, tools: ["search"] });
        keys.push(created.key);
        await gate.authenticate(created.key);
        const regenerated = await gate.regenerateKey(created.app.id);
        keys.push(regenerated.key);
        keyIds.push(regenerated.app.keyId);
      }
    } finally {
      await gate.close();
      await store.close();
    }
    const dump = await pgDump(database.url);
    for (const keyId of keyIds) expect(dump).toContain(keyId);
    expect(dump).toContain("$argon2id$");
    for (const key of keys) {
      expect(dump).not.toContain(key);
      expect(dump).not.toContain(key.slice(12)); // the secret part after the key id
    }
  });
});

describe("change feed", () => {
  it("carries regenerations between two stores: the other gate rejects the old key", async () => {
    const a = await createPostgresStore({ connectionString: database.url, tablePrefix: "feed_" });
    const b = await createPostgresStore({ connectionString: database.url, tablePrefix: "feed_" });
    const gateA = createGate({ store: a, lastUsed: false, cache: { ttlMs: 60_000 } });
    const gateB = createGate({ store: b, lastUsed: false, cache: { ttlMs: 60_000 } });
    try {
      const { app, key } = await gateA.createApp({ name: "shared" });
      await gateB.authenticate(key);
      await gateA.regenerateKey(app.id);
      // With a 60 s TTL only the notification can make B reject the key this soon.
      await until(() =>
        gateB.authenticate(key).then(
          () => false,
          (e) => e instanceof InvalidKeyError,
        ),
      );
    } finally {
      await Promise.all([gateA.close(), gateB.close()]);
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("reconnects after the listening connection is killed and resyncs what it missed", async () => {
    const errors: string[] = [];
    const a = await createPostgresStore({
      connectionString: database.url,
      tablePrefix: "resync_",
      // A slow first retry leaves a window in which notifications are certainly missed.
      changeFeed: { reconnectInitialDelayMs: 1500, reconnectMaxDelayMs: 3000 },
      onError: (_error, context) => errors.push(context),
    });
    const b = await createPostgresStore({ connectionString: database.url, tablePrefix: "resync_" });
    const gateA = createGate({ store: a, lastUsed: false, cache: { ttlMs: 60_000 } });
    const gateB = createGate({ store: b, lastUsed: false });
    const events: StoreEvent[] = [];
    const unsubscribe = a.subscribe?.((event) => events.push(event));
    try {
      const kept = await gateB.createApp({ name: "kept" });
      const regenerated = await gateB.createApp({ name: "regenerated" });
      const deleted = await gateB.createApp({ name: "deleted" });
      for (const { key } of [kept, regenerated, deleted]) await gateA.authenticate(key);
      expect(a.changeFeedState).toBe("listening");

      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query = 'LISTEN "resync_mcpgate_changes"'
            AND pid <> pg_backend_pid()`,
      );
      expect(rowCount).toBe(2); // A's and B's listening connections
      await until(() => a.changeFeedState === "reconnecting");
      await gateB.regenerateKey(regenerated.app.id);
      await gateB.deleteApp(deleted.app.id);
      // The notifications went nowhere: A still serves the old keys from its cache …
      await expect(gateA.authenticate(regenerated.key)).resolves.toMatchObject({
        id: regenerated.app.id,
      });
      // … until the feed is back and the resync has evicted them.
      await until(() => a.changeFeedState === "listening");
      await until(() => events.length >= 3);
      expect(events).toEqual(
        expect.arrayContaining([
          { type: "updated", appId: kept.app.id },
          { type: "key_replaced", appId: regenerated.app.id },
          { type: "deleted", appId: deleted.app.id },
        ]),
      );
      await expect(gateA.authenticate(regenerated.key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(gateA.authenticate(deleted.key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(gateA.authenticate(kept.key)).resolves.toMatchObject({ id: kept.app.id });
      expect(errors).toContain("changeFeed");

      // And live notifications flow again.
      events.length = 0;
      await gateB.updateApp(kept.app.id, { name: "renamed" });
      await until(() => events.some((e) => e.type === "updated" && e.appId === kept.app.id));
    } finally {
      unsubscribe?.();
      await Promise.all([gateA.close(), gateB.close()]);
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("changeFeed: false offers no subscribe", async () => {
    const store = await createPostgresStore({
      connectionString: database.url,
      tablePrefix: "nofeed_",
      changeFeed: false,
    });
    try {
      expect(store.subscribe).toBeUndefined();
      expect(store.changeFeedState).toBe("off");
    } finally {
      await store.close();
    }
  });
});
