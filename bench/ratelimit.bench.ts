/**
 * `pnpm bench ratelimit`: per-app rate limits across instances.
 * - accuracy: three processes on one PostgreSQL hammer one app for 2 s; allowed / limit (the
 *   documented bound is ± instances × lease);
 * - cost per call: the in-memory token bucket against the PostgreSQL limiter serving from its
 *   lease, both in the same loop (calls in batches of half a lease, 5 ms apart so the background
 *   top-up lands in between, as it does between requests); calls that had to wait for a query
 *   (the first of a window, or a top-up later than 5 ms on a loaded machine) are counted apart.
 * The server comes from MCPGATE_TEST_PG_URL or a throwaway cluster, as in the tests.
 */
import os from "node:os";
import { createMemoryRateLimiter, type RateLimitedApp, type RateLimiter } from "@mcpgate/core";
import { createPostgresRateLimiter } from "@mcpgate/store-postgres";
import pg from "pg";
import { hammerFromProcesses } from "../packages/store-postgres/test/hammer.js";
import { testDatabase } from "../packages/store-postgres/test/pg-server.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function accuracy(url: string): Promise<void> {
  const rows = [];
  for (const leaseSize of [20, 100]) {
    const order = {
      appId: `bench_${leaseSize}_${Date.now()}`,
      requests: 3_000,
      windowSeconds: 86_400,
      leaseSize,
      durationMs: 2_000,
    };
    const reports = await hammerFromProcesses(url, order, 3);
    const allowed = reports.reduce((sum, r) => sum + r.allowed, 0);
    const calls = reports.reduce((sum, r) => sum + r.allowed + r.refused, 0);
    const waited = reports.reduce((sum, r) => sum + r.waited, 0);
    rows.push({
      lease: leaseSize,
      limit: order.requests,
      allowed,
      "allowed / limit": (allowed / order.requests).toFixed(4),
      "bound (± 3 × lease)": `± ${3 * leaseSize}`,
      "calls made": calls,
      "calls that waited for a query": waited,
    });
  }
  console.log("\n## Accuracy: 3 processes, one PostgreSQL, one app (limit 3 000 per window), 2 s");
  console.table(rows);
}

/**
 * Mean ns per `take` answered from memory, over batches of `batch` calls with the background
 * top-up landing in between (a batch in which a call had to wait for a query is counted apart).
 */
async function costPerCall(limiter: RateLimiter, app: RateLimitedApp, batch: number) {
  const batches = 400;
  let ns = 0n;
  let timed = 0;
  let waited = 0;
  for (let b = -20; b < batches; b++) {
    let promise = false;
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) {
      const wait = limiter.take(app);
      if (typeof wait !== "number") {
        promise = true;
        waited++;
        await wait;
      }
    }
    const elapsed = process.hrtime.bigint() - start;
    if (b >= 0 && !promise) {
      ns += elapsed;
      timed += batch;
    }
    await sleep(5);
  }
  return { ns: Number(ns) / timed, waited, calls: (batches + 20) * batch };
}

async function cost(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    const app = (id: string): RateLimitedApp => ({
      id,
      policy: { rateLimit: { requests: 1_000_000, windowSeconds: 86_400 } },
    });
    const rows = [];
    for (const leaseSize of [20, 1_000]) {
      const batch = leaseSize / 2;
      const memory = await costPerCall(createMemoryRateLimiter(), app(`m${leaseSize}`), batch);
      const shared = await createPostgresRateLimiter({ pool, leaseSize });
      const postgres = await costPerCall(shared, app(`p${leaseSize}`), batch);
      for (const [name, r] of [
        ["memory token bucket", memory],
        [`PostgreSQL, lease ${leaseSize}`, postgres],
      ] as const) {
        rows.push({
          limiter: name,
          "batch of calls": batch,
          "mean per call from memory": `${r.ns.toFixed(0)} ns`,
          "× memory": (r.ns / memory.ns).toFixed(2),
          "calls that waited for a query": `${r.waited} of ${r.calls}`,
        });
      }
    }
    console.log("\n## Cost per call: take() from memory vs from a PostgreSQL lease");
    console.table(rows);
  } finally {
    await pool.end();
  }
}

export async function ratelimitBench(): Promise<void> {
  const database = await testDatabase("bench_ratelimit");
  try {
    console.log(
      `\nload average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    await accuracy(database.url);
    await cost(database.url);
  } finally {
    await database.drop();
  }
}
