/**
 * Per-app rate limits shared by every instance through PostgreSQL: one counter row per app and
 * fixed window, spent in leases. An instance takes up to `lease` calls with one UPSERT … RETURNING,
 * serves them from memory, and tops its lease up in the background once half of it is spent, so a
 * call waits for a query only when its instance holds nothing for the app.
 *
 * Bounds, per app and window of `windowSeconds` (aligned on the database clock):
 * - leases granted never add up to more than `requests`; the only over-admission is a lease's
 *   leftover spent in the milliseconds after the window ended (before that instance notices):
 *   at most instances × lease;
 * - leases not spent strand their calls until the window ends: at most instances × lease refused
 *   too early.
 * When PostgreSQL fails, each instance counts on its own (in-memory token buckets, the limit per
 * instance, as without this limiter) and asks again after `retryAfterFailureMs`.
 */
import { createMemoryRateLimiter, type RateLimitedApp, type RateLimiter } from "@mcpgate/core";
import { pgExecutor, pgliteExecutor, quoteIdentifier, type SqlExecutor } from "./executor.js";
import {
  parseRateLimiterOptions,
  type ParsedRateLimiterOptions,
  type PostgresRateLimiterOptions,
} from "./rate-limiter-options.js";
import { connectionOf, type StoreConnection } from "./store-executors.js";

/**
 * A {@link RateLimiter} whose counts every instance shares, as {@link createPostgresRateLimiter}
 * returns it.
 *
 * @example
 * ```ts
 * const limiter: PostgresRateLimiter = await createPostgresRateLimiter({ store });
 * const mcp = createMcpHandler({ gate, mode: "stateless", server, rateLimiter: limiter });
 * ```
 */
export interface PostgresRateLimiter extends RateLimiter {
  /** `"shared"` while PostgreSQL answers, `"local"` while it counts per instance after a failure. */
  readonly mode: "shared" | "local";
}

/** What this instance holds for one app in the current window. */
interface Lease {
  readonly requests: number;
  readonly windowMs: number;
  /** Calls this instance may still allow in the window, from memory. */
  tokens: number;
  /** Start of the window on the database clock (ms). */
  windowStart: number;
  /** End of the window on the local clock. */
  endsAt: number;
  /** The shared counter is spent for this window: refuse until `endsAt` without asking. */
  exhausted: boolean;
  refilling: Promise<void> | undefined;
}

interface CounterRow {
  demand: string | number;
  window_start: string | number;
  now_ms: string | number;
}

const CLEANUP_EVERY_MS = 60_000;

class SqlRateLimiter implements PostgresRateLimiter {
  readonly #executor: SqlExecutor;
  readonly #table: string;
  readonly #settings: ParsedRateLimiterOptions;
  readonly #leases = new Map<string, Lease>();
  readonly #fallback: RateLimiter;
  #unavailableUntil = -Infinity;
  #lastCleanup = -Infinity;

  constructor(executor: SqlExecutor, table: string, settings: ParsedRateLimiterOptions) {
    this.#executor = executor;
    this.#table = table;
    this.#settings = settings;
    this.#fallback = createMemoryRateLimiter({ clock: settings.clock });
  }

  get mode(): "shared" | "local" {
    return this.#settings.clock() < this.#unavailableUntil ? "local" : "shared";
  }

  take(app: RateLimitedApp): number | Promise<number> {
    const limit = app.policy.rateLimit;
    if (limit === null) return 0;
    const now = this.#settings.clock();
    if (now < this.#unavailableUntil) return this.#fallback.take(app);
    const windowMs = Math.max(1, Math.round(limit.windowSeconds * 1000));
    let lease = this.#leases.get(app.id);
    if (lease === undefined || lease.requests !== limit.requests || lease.windowMs !== windowMs) {
      lease = {
        requests: limit.requests,
        windowMs,
        tokens: 0,
        windowStart: -1,
        endsAt: -Infinity,
        exhausted: false,
        refilling: undefined,
      };
      this.#leases.set(app.id, lease);
    }
    if (now >= lease.endsAt) {
      lease.tokens = 0;
      lease.exhausted = false;
    }
    if (lease.tokens >= 1) {
      lease.tokens -= 1;
      if (!lease.exhausted && lease.tokens <= this.#lowWater(lease)) void this.#refill(app, lease);
      return 0;
    }
    if (lease.exhausted) return Math.max(0.001, (lease.endsAt - now) / 1000);
    return this.#refill(app, lease).then(() => this.take(app));
  }

  forget(appId: string): void {
    this.#leases.delete(appId);
    this.#fallback.forget(appId);
  }

  #leaseSize(lease: Lease): number {
    return Math.max(1, Math.min(this.#settings.leaseSize, Math.floor(lease.requests / 10)));
  }

  #lowWater(lease: Lease): number {
    return Math.floor(this.#leaseSize(lease) / 2);
  }

  /** One top-up query per app at a time; callers that need it share it. Never rejects. */
  #refill(app: RateLimitedApp, lease: Lease): Promise<void> {
    lease.refilling ??= this.#topUp(app.id, lease).finally(() => {
      lease.refilling = undefined;
    });
    return lease.refilling;
  }

  async #topUp(appId: string, lease: Lease): Promise<void> {
    // Never hold more than one lease: spent at a window's edge, that is the over-admission bound.
    const wanted = Math.max(1, this.#leaseSize(lease) - lease.tokens);
    let row: CounterRow | undefined;
    try {
      [row] = await this.#executor.query<CounterRow>(
        `INSERT INTO ${this.#table} AS t (app_id, window_ms, window_start, demand)
         SELECT $1, $2::bigint, (n.ms / $2::bigint) * $2::bigint, $3::bigint
           FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms) AS n
         ON CONFLICT (app_id, window_ms, window_start)
           DO UPDATE SET demand = t.demand + EXCLUDED.demand
         RETURNING t.demand, t.window_start,
           (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms`,
        [appId, lease.windowMs, wanted],
      );
      if (row === undefined) throw new Error("rate limiter: the UPSERT returned no row");
    } catch (error) {
      this.#unavailableUntil = this.#settings.clock() + this.#settings.retryAfterFailureMs;
      this.#settings.onError(error, "rate limiter");
      return;
    }
    const demand = Number(row.demand);
    const windowStart = Number(row.window_start);
    // `demand` counts every call asked for, granted or not: what was left before this query is
    // requests − (demand − wanted).
    const granted = Math.max(0, Math.min(wanted, lease.requests - (demand - wanted)));
    const local = this.#settings.clock();
    if (windowStart !== lease.windowStart) {
      lease.windowStart = windowStart;
      lease.tokens = 0;
    }
    lease.endsAt = local + (windowStart + lease.windowMs - Number(row.now_ms));
    lease.tokens += granted;
    lease.exhausted = granted < wanted;
    if (local - this.#lastCleanup >= CLEANUP_EVERY_MS) this.#cleanUp(local);
  }

  /** Drops counters of windows that ended a while ago (any instance may do it; all is idempotent). */
  #cleanUp(local: number): void {
    this.#lastCleanup = local;
    this.#executor
      .query(
        `DELETE FROM ${this.#table}
          WHERE window_start + window_ms < (extract(epoch FROM clock_timestamp()) * 1000)::bigint - $1::bigint`,
        [CLEANUP_EVERY_MS],
      )
      .catch((error: unknown) => this.#settings.onError(error, "rate limiter cleanup"));
  }
}

/**
 * Creates the counter table if missing (idempotent, safe from several instances at once).
 * It is UNLOGGED: counts need not survive a database crash, and skipping the WAL keeps each lease cheap.
 */
async function createTable(executor: SqlExecutor, prefix: string, table: string): Promise<void> {
  await executor.transaction(async (query) => {
    await query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${prefix}mcpgate_migrate`]);
    await query(`CREATE UNLOGGED TABLE IF NOT EXISTS ${table} (
      app_id text NOT NULL,
      window_ms bigint NOT NULL,
      window_start bigint NOT NULL,
      demand bigint NOT NULL,
      PRIMARY KEY (app_id, window_ms, window_start)
    )`);
  });
}

/**
 * Per-app rate limits (`policy.rateLimit`) held across every instance that shares one PostgreSQL
 * (or, in one process, one PGlite), counted on the store's connection (or a pool you pass): at most `requests` calls per app per fixed window of
 * `windowSeconds` on the database clock, give or take one lease per instance at a window's edge.
 * Pass it to `createMcpHandler({ rateLimiter })`. Calls are served from a lease held in memory
 * (`take` answers synchronously); an instance waits for a query only when it holds nothing for an
 * app. When PostgreSQL fails, each instance counts on its own until it answers again (the
 * endpoint stays up; `onError` hears about it).
 *
 * Creates its table (`<prefix>mcpgate_rate_limits`, UNLOGGED) if missing.
 *
 * @throws TypeError when an option is invalid (the message names the field).
 * @throws Error from the driver when the table cannot be created (the database is unreachable).
 * @example
 * ```ts
 * import { createPostgresRateLimiter, createPostgresStore } from "@mcpgate/store-postgres";
 *
 * const store = await createPostgresStore({ connectionString: process.env.DATABASE_URL! });
 * const rateLimiter = await createPostgresRateLimiter({ store, leaseSize: 20 });
 * ```
 */
export async function createPostgresRateLimiter(
  options: PostgresRateLimiterOptions,
): Promise<PostgresRateLimiter> {
  const settings = parseRateLimiterOptions(options);
  let executor: SqlExecutor;
  let prefix = settings.tablePrefix ?? "";
  if ("store" in settings) {
    const connection = connectionOf(settings.store) as StoreConnection;
    executor = connection.executor;
    prefix = settings.tablePrefix ?? connection.tablePrefix;
  } else if ("pool" in settings) {
    executor = pgExecutor(settings.pool, {
      owned: false,
      heartbeatMs: 10_000,
      heartbeatTimeoutMs: 5_000,
    });
  } else {
    executor = pgliteExecutor(settings.pglite, { owned: false });
  }
  const table = quoteIdentifier(`${prefix}mcpgate_rate_limits`);
  await createTable(executor, prefix, table);
  return new SqlRateLimiter(executor, table, settings);
}
