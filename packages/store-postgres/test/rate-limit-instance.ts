/**
 * One instance hammering one app's rate limit through a PostgreSQL limiter, in its own process
 * (rate-limiter.test.ts and `pnpm bench ratelimit` start three). Waits for "go", takes as fast as
 * it can for `durationMs`, then reports what it was allowed.
 */
import pg from "pg";
import { createPostgresRateLimiter } from "../src/index.js";

/** What the parent sends: one app's limit and how long to hammer it. */
export interface HammerOrder {
  appId: string;
  requests: number;
  windowSeconds: number;
  leaseSize: number;
  durationMs: number;
}

/** What the instance reports. */
export interface HammerReport {
  allowed: number;
  refused: number;
  /** Calls that waited for a query (a promise) instead of being answered from memory. */
  waited: number;
}

const pool = new pg.Pool({ connectionString: process.env.MCPGATE_INSTANCE_PG_URL ?? "", max: 4 });

process.once("message", (order: HammerOrder) => {
  void hammer(order).then(
    (report) => process.send?.(report, () => void pool.end().then(() => process.disconnect())),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.send?.("ready");

async function hammer(order: HammerOrder): Promise<HammerReport> {
  const limiter = await createPostgresRateLimiter({ pool, leaseSize: order.leaseSize });
  const app = {
    id: order.appId,
    policy: { rateLimit: { requests: order.requests, windowSeconds: order.windowSeconds } },
  };
  const report: HammerReport = { allowed: 0, refused: 0, waited: 0 };
  const end = Date.now() + order.durationMs;
  for (let i = 0; Date.now() < end; i++) {
    let wait = limiter.take(app);
    if (typeof wait !== "number") {
      report.waited++;
      wait = await wait;
    }
    if (wait === 0) report.allowed++;
    else report.refused++;
    // Let background top-ups land.
    if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return report;
}
