/**
 * createPostgresRateLimiter on real PostgreSQL: one counter shared by every instance, served from
 * leases in memory; three processes hammering one app stay within the documented bound; a dead
 * database makes each instance count on its own instead of failing the endpoint.
 */
import { randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import type { RateLimitedApp } from "@mcpgate/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPostgresRateLimiter,
  createPostgresStore,
  type PostgresRateLimiter,
} from "../src/index.js";
import { startCluster, testDatabase, type Cluster, type TestDatabase } from "./pg-server.js";
import { hammerFromProcesses, type HammerOrder } from "./hammer.js";

let database: TestDatabase;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  database = await testDatabase("ratelimit");
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await database?.drop();
});

function pool(url = database.url): pg.Pool {
  const created = new pg.Pool({ connectionString: url, max: 4 });
  created.on("error", () => {});
  pools.push(created);
  return created;
}

function app(requests: number, windowSeconds = 86_400): RateLimitedApp {
  return { id: `app_${randomUUID()}`, policy: { rateLimit: { requests, windowSeconds } } };
}

async function settle(limiter: PostgresRateLimiter, subject: RateLimitedApp): Promise<number> {
  const wait = limiter.take(subject);
  return typeof wait === "number" ? wait : await wait;
}

describe("createPostgresRateLimiter", () => {
  it("two instances on one database share one limit, exactly when both spend their leases", async () => {
    const [a, b] = await Promise.all([
      createPostgresRateLimiter({ pool: pool(), leaseSize: 7 }),
      createPostgresRateLimiter({ pool: pool(), leaseSize: 7 }),
    ]);
    const subject = app(100);
    let allowed = 0;
    for (let i = 0; i < 400; i++) if ((await settle(i % 2 ? a : b, subject)) === 0) allowed++;
    expect(allowed).toBe(100);
    const refusal = await settle(a, subject);
    expect(refusal).toBeGreaterThan(0);
    expect(refusal).toBeLessThanOrEqual(86_400);
  });

  it("serves calls from its lease: a promise only when the instance holds nothing for the app", async () => {
    const limiter = await createPostgresRateLimiter({ pool: pool(), leaseSize: 20 });
    const subject = app(10_000);
    let promises = 0;
    for (let i = 0; i < 1000; i++) {
      const wait = limiter.take(subject);
      if (typeof wait !== "number") {
        promises++;
        expect(await wait).toBe(0);
      } else expect(wait).toBe(0);
      // ~5 calls per millisecond for one app: top-ups (a query round-trip) land in time.
      if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    // Without top-ups ahead of time it would be one in 20 (50); on an idle machine it is 1.
    expect(promises).toBeLessThanOrEqual(25);
    expect(limiter.mode).toBe("shared");
  });

  it("refuses from memory once the window is spent (no query per refused call); null limits pass", async () => {
    const executed: string[] = [];
    const counting = pool();
    const spy = new Proxy(counting, {
      get(target, property, receiver) {
        if (property === "query") {
          return (text: string, values?: unknown[]) => {
            executed.push(text);
            return target.query(text, values);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === "function" ? (value as () => unknown).bind(target) : value;
      },
    });
    const limiter = await createPostgresRateLimiter({ pool: spy, leaseSize: 5 });
    const subject = app(10);
    for (let i = 0; i < 10; i++) expect(await settle(limiter, subject)).toBe(0);
    expect(await settle(limiter, subject)).toBeGreaterThan(0);
    const before = executed.length;
    for (let i = 0; i < 1000; i++) expect(limiter.take(subject)).toBeGreaterThan(0);
    expect(executed.length).toBe(before);
    expect(limiter.take({ id: "free", policy: { rateLimit: null } })).toBe(0);
  });

  it("forget drops the lease; a changed limit starts a fresh count", async () => {
    const limiter = await createPostgresRateLimiter({ pool: pool(), leaseSize: 1 });
    const subject = app(2);
    expect(await settle(limiter, subject)).toBe(0);
    expect(await settle(limiter, subject)).toBe(0);
    expect(await settle(limiter, subject)).toBeGreaterThan(0);
    limiter.forget(subject.id);
    expect(await settle(limiter, subject)).toBeGreaterThan(0); // the shared count remains
    const otherWindow = { ...subject, policy: { rateLimit: { requests: 2, windowSeconds: 3600 } } };
    expect(await settle(limiter, otherWindow)).toBe(0);
  });

  it("{ store } counts on the store's connection, under the store's table prefix", async () => {
    const store = await createPostgresStore({
      connectionString: database.url,
      tablePrefix: "limited_",
      changeFeed: false,
    });
    try {
      const limiter = await createPostgresRateLimiter({ store, leaseSize: 2 });
      const subject = app(3);
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await settle(limiter, subject));
      expect(results.filter((wait) => wait === 0)).toHaveLength(3);
      const rows = await pool().query<{ demand: string }>(
        "SELECT demand FROM limited_mcpgate_rate_limits WHERE app_id = $1",
        [subject.id],
      );
      expect(rows.rows).toHaveLength(1);
    } finally {
      await store.close();
    }
    await expect(createPostgresRateLimiter({ store: {} as never })).rejects.toThrow(/store/);
  });

  it("works on PGlite", async () => {
    const db = await PGlite.create();
    try {
      const limiter = await createPostgresRateLimiter({ pglite: db, leaseSize: 3 });
      const subject = app(5);
      const results = [];
      for (let i = 0; i < 8; i++) results.push(await settle(limiter, subject));
      expect(results.filter((wait) => wait === 0)).toHaveLength(5);
    } finally {
      await db.close();
    }
  });

  it("rejects bad options with a TypeError naming the field", async () => {
    await expect(createPostgresRateLimiter({ pool: pool(), leaseSize: 0 })).rejects.toThrow(
      /leaseSize/,
    );
    await expect(createPostgresRateLimiter({ pool: {} as never })).rejects.toThrow(TypeError);
    await expect(
      createPostgresRateLimiter({ pool: pool(), tablePrefix: "Bad-Prefix" }),
    ).rejects.toThrow(/tablePrefix/);
  });
});

describe("PostgreSQL down", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  it("counts locally (the limit per instance) while it fails, reports it, and shares again after", async () => {
    const errors: string[] = [];
    const connection = new pg.Pool({
      connectionString: cluster.url,
      max: 2,
      connectionTimeoutMillis: 1_000,
    });
    connection.on("error", () => {});
    pools.push(connection);
    const limiter = await createPostgresRateLimiter({
      pool: connection,
      leaseSize: 1,
      retryAfterFailureMs: 300,
      onError: (_error, context) => errors.push(context),
    });
    const subject = app(3);
    expect(await settle(limiter, subject)).toBe(0);
    await cluster.stop();
    // The top-up after the first call fails: the instance falls back to its own bucket of 3.
    const outcomes: number[] = [];
    for (let i = 0; i < 5; i++) outcomes.push(await settle(limiter, subject));
    expect(limiter.mode).toBe("local");
    expect(errors).toContain("rate limiter");
    expect(outcomes.filter((wait) => wait === 0).length).toBeLessThanOrEqual(4);
    expect(outcomes.at(-1)).toBeGreaterThan(0);
    await cluster.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Shared again: the database still holds this window's count (1 granted, 1 prefetched).
    const after = await settle(limiter, subject);
    expect(limiter.mode).toBe("shared");
    expect(after).toBeGreaterThanOrEqual(0);
  }, 60_000);
});

describe("three processes hammering one app", () => {
  it("allow the limit, within ± instances × lease", async () => {
    const order: HammerOrder = {
      appId: `app_${randomUUID()}`,
      requests: 3_000,
      windowSeconds: 86_400,
      leaseSize: 20,
      durationMs: 1_500,
    };
    const reports = await hammerFromProcesses(database.url, order, 3);
    const allowed = reports.reduce((sum, r) => sum + r.allowed, 0);
    const windows = await pool().query<{ n: string }>(
      "SELECT count(*) AS n FROM mcpgate_rate_limits WHERE app_id = $1",
      [order.appId],
    );
    const limit = order.requests * Number(windows.rows[0]?.n ?? 1);
    console.log(
      `3 processes, limit ${limit}, lease ${order.leaseSize}: allowed ${allowed} ` +
        `(${(allowed / limit).toFixed(4)}× the limit); ` +
        reports.map((r) => `${r.allowed} allowed / ${r.waited} waited`).join(", "),
    );
    expect(allowed).toBeLessThanOrEqual(limit + 3 * order.leaseSize);
    expect(allowed).toBeGreaterThanOrEqual(limit - 3 * order.leaseSize);
    for (const report of reports) expect(report.refused).toBeGreaterThan(0);
  }, 60_000);
});
