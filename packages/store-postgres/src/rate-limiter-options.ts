/** Options of {@link createPostgresRateLimiter}, validated once with zod; a bad one is a TypeError naming it. */
import { zodFieldError } from "@mcpgate/core";
import { z } from "zod";
import type { PGliteLike, PgPoolLike } from "./drivers.js";
import { tablePrefixSchema } from "./options.js";
import type { PostgresStore } from "./sql-store.js";
import { connectionOf } from "./store-executors.js";

/**
 * Options of `createPostgresRateLimiter`: the store (or a `pg` pool, or a PGlite instance) to count
 * on, and how many calls each instance takes from the shared counter at a time.
 *
 * @example
 * ```ts
 * const options: PostgresRateLimiterOptions = { store, leaseSize: 20 };
 * ```
 */
export type PostgresRateLimiterOptions = {
  /**
   * Most calls an instance takes from the shared counter in one query (its lease), served from
   * memory afterwards. An app's lease is also at most a tenth of its `requests` (at least 1).
   * Larger: fewer queries; smaller: tighter limits across instances (see the bounds in the docs).
   * Default 20.
   */
  leaseSize?: number;
  /** Prefix of the table (`<prefix>mcpgate_rate_limits`). Default: the store's, else `""`. */
  tablePrefix?: string;
  /**
   * After a failed query, the limiter counts locally (one token bucket per app and instance, as
   * `createMemoryRateLimiter`) for this long before it asks PostgreSQL again. Default 1 000 ms.
   */
  retryAfterFailureMs?: number;
  /** Failed queries (the limiter then counts locally). Default: ignored. */
  onError?: (error: unknown, context: string) => void;
  /** Milliseconds clock for the local side (leases, fallback); for tests. Default `Date.now`. */
  clock?: () => number;
} & (
  | {
      /** A store from `createPostgresStore` or `createPGliteStore`: counts on its connection. */
      store: PostgresStore;
      pool?: never;
      pglite?: never;
    }
  | {
      /** A `pg` Pool; borrowed, never ended. */
      pool: PgPoolLike;
      store?: never;
      pglite?: never;
    }
  | {
      /** An open PGlite instance (one process); borrowed, never closed. */
      pglite: PGliteLike;
      store?: never;
      pool?: never;
    }
);

const common = {
  leaseSize: z.number().int().min(1).max(100_000).default(20),
  tablePrefix: tablePrefixSchema.optional(),
  retryAfterFailureMs: z.number().int().min(1).max(3_600_000).default(1_000),
  onError: z
    .custom<(error: unknown, context: string) => void>((v) => typeof v === "function")
    .default(() => () => {}),
  clock: z
    .custom<() => number>((v) => typeof v === "function", "must be a function")
    .default(() => Date.now),
};

const withPool = z
  .object({
    ...common,
    pool: z.custom<PgPoolLike>(
      (v) => typeof v === "object" && v !== null && typeof (v as PgPoolLike).connect === "function",
      "must be a pg Pool",
    ),
  })
  .strict();
const withPGlite = z
  .object({
    ...common,
    pglite: z.custom<PGliteLike>(
      (v) => typeof v === "object" && v !== null && typeof (v as PGliteLike).listen === "function",
      "must be a PGlite instance",
    ),
  })
  .strict();

const withStore = z
  .object({
    ...common,
    store: z.custom<PostgresStore>(
      (v) => connectionOf(v) !== undefined,
      "must be a store from createPostgresStore() or createPGliteStore()",
    ),
  })
  .strict();

export type ParsedRateLimiterOptions =
  z.infer<typeof withStore> | z.infer<typeof withPool> | z.infer<typeof withPGlite>;

/** Validates {@link PostgresRateLimiterOptions}; the branch is chosen by which of `store` / `pglite` / `pool` is present. */
export function parseRateLimiterOptions(options: unknown): ParsedRateLimiterOptions {
  const has = (key: string): boolean =>
    typeof options === "object" && options !== null && key in options;
  const schema = has("store") ? withStore : has("pglite") ? withPGlite : withPool;
  const result = schema.safeParse(options);
  if (!result.success) throw zodFieldError("PostgreSQL rate limiter options", result.error);
  return result.data;
}
