/** Options of the store factories, validated once with zod; a bad one is a TypeError naming it. */
import { zodFieldError } from "@mcpgate/core";
import type { PGliteLike, PgPoolLike } from "./drivers.js";
import { z } from "zod";
import { isPostgresUrl } from "./connection-errors.js";

/**
 * How the change feed reconnects and checks its connection.
 *
 * @example
 * ```ts
 * await createPostgresStore({ connectionString, changeFeed: { reconnectMaxDelayMs: 2_000 } });
 * ```
 */
export interface ChangeFeedOptions {
  /** First reconnect delay after the listening connection drops. Default 100 ms. */
  reconnectInitialDelayMs?: number;
  /** Cap of the exponential backoff. Default 5 000 ms. */
  reconnectMaxDelayMs?: number;
  /** How often the listening connection is probed (`SELECT 1`) to notice a silent drop. Default 10 000 ms. */
  heartbeatMs?: number;
  /**
   * A probe not answered within this long counts as a dead connection: the feed reconnects and
   * resyncs. Applies whatever pool is used (a borrowed pool may have no `query_timeout`). Default
   * 5 000 ms, or `heartbeatMs` if that is shorter.
   */
  heartbeatTimeoutMs?: number;
}

/**
 * Options shared by {@link createPostgresStore} and {@link createPGliteStore}.
 *
 * @example
 * ```ts
 * const common: CommonStoreOptions = { tablePrefix: "tenant_a_", onError: (e, where) => log(where, e) };
 * ```
 */
export interface CommonStoreOptions {
  /**
   * Prefix of every table, index and channel name (`<prefix>mcpgate_apps`): lowercase letters,
   * digits and `_`, starting with a letter, at most 30 characters. Default `""`.
   */
  tablePrefix?: string;
  /** Run {@link PostgresStore.migrate} before resolving. Default `true`. */
  migrate?: boolean;
  /** LISTEN/NOTIFY change feed (`subscribe`). `false` turns it off. Default on. */
  changeFeed?: ChangeFeedOptions | false;
  /** Failures off the request path (change feed drops, bad notifications, idle pool errors). */
  onError?: (error: unknown, context: string) => void;
}

/**
 * Options of {@link createPostgresStore}: a `pg` pool you own, or a connection string.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = { pool: new pg.Pool({ connectionString }), tablePrefix: "app_" };
 * ```
 */
export type PostgresStoreOptions = CommonStoreOptions &
  (
    | {
        /** A `pg` Pool. The store borrows it (one client for LISTEN) and never ends it. */
        pool: PgPoolLike;
        connectionString?: never;
      }
    | {
        /** `postgresql://user:pass@host:port/db`; the store creates and ends its own pool. */
        connectionString: string;
        pool?: never;
        /** Pool size of the store's own pool. Default 10 (plus nothing: LISTEN uses one of them). */
        maxConnections?: number;
        /** Give up connecting after this long (the request then fails closed). Default 5 000 ms. */
        connectionTimeoutMs?: number;
        /** Client-side limit of any one query. Default 10 000 ms. */
        queryTimeoutMs?: number;
      }
  );

/**
 * Options of {@link createPGliteStore}: a data directory, or a PGlite instance you own.
 *
 * @example
 * ```ts
 * const options: PGliteStoreOptions = { dataDir: "./.mcpgate/db" };
 * ```
 */
export type PGliteStoreOptions = CommonStoreOptions &
  (
    | {
        /** Directory of the database (created if missing); the store opens and closes it. */
        dataDir: string;
        pglite?: never;
      }
    | {
        /** An open PGlite instance. The store never closes it. */
        pglite: PGliteLike;
        dataDir?: never;
      }
  );

/** A table prefix: lowercase letters, digits and `_`, starting with a letter, ≤ 30 characters. */
export const tablePrefixSchema = z
  .string()
  .regex(/^(?:[a-z][a-z0-9_]{0,29})?$/, "must match ^[a-z][a-z0-9_]{0,29}$ (or be empty)");

const common = {
  tablePrefix: tablePrefixSchema.default(""),
  migrate: z.boolean().default(true),
  changeFeed: z
    .union([
      z.literal(false),
      z
        .object({
          reconnectInitialDelayMs: z.number().int().min(1).max(60_000).default(100),
          reconnectMaxDelayMs: z.number().int().min(1).max(600_000).default(5_000),
          heartbeatMs: z.number().int().min(100).max(3_600_000).default(10_000),
          heartbeatTimeoutMs: z.number().int().min(50).max(600_000).optional(),
        })
        .strict(),
    ])
    .default({ reconnectInitialDelayMs: 100, reconnectMaxDelayMs: 5_000, heartbeatMs: 10_000 }),
  onError: z
    .custom<(error: unknown, context: string) => void>((v) => typeof v === "function")
    .optional(),
};

const isPool = (v: unknown): v is PgPoolLike =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as PgPoolLike).query === "function" &&
  typeof (v as PgPoolLike).connect === "function";

const isPGlite = (v: unknown): v is PGliteLike =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as PGliteLike).query === "function" &&
  typeof (v as PGliteLike).listen === "function";

const poolOptionsSchema = z
  .object({ ...common, pool: z.custom<PgPoolLike>(isPool, "must be a pg Pool") })
  .strict();
const connectionOptionsSchema = z
  .object({
    ...common,
    connectionString: z
      .string()
      .refine(isPostgresUrl, "must be a postgres:// or postgresql:// URL"),
    maxConnections: z.number().int().min(2).max(1000).default(10),
    connectionTimeoutMs: z.number().int().min(1).max(600_000).default(5_000),
    queryTimeoutMs: z.number().int().min(1).max(3_600_000).default(10_000),
  })
  .strict();
const dataDirOptionsSchema = z.object({ ...common, dataDir: z.string().min(1) }).strict();
const pgliteInstanceOptionsSchema = z
  .object({ ...common, pglite: z.custom<PGliteLike>(isPGlite, "must be a PGlite instance") })
  .strict();

export type ParsedPostgresOptions =
  z.infer<typeof poolOptionsSchema> | z.infer<typeof connectionOptionsSchema>;
export type ParsedPGliteOptions =
  z.infer<typeof dataDirOptionsSchema> | z.infer<typeof pgliteInstanceOptionsSchema>;

function has(options: unknown, key: string): boolean {
  return typeof options === "object" && options !== null && key in options;
}

/** Validates {@link PostgresStoreOptions}; the branch is chosen by which of `pool` / `connectionString` is present. */
export function parsePostgresOptions(options: unknown): ParsedPostgresOptions {
  const schema = has(options, "pool") ? poolOptionsSchema : connectionOptionsSchema;
  const result = schema.safeParse(options);
  if (!result.success) throw zodFieldError("PostgreSQL store options", result.error);
  return result.data;
}

/** Validates {@link PGliteStoreOptions}; the branch is chosen by which of `pglite` / `dataDir` is present. */
export function parsePGliteOptions(options: unknown): ParsedPGliteOptions {
  const schema = has(options, "pglite") ? pgliteInstanceOptionsSchema : dataDirOptionsSchema;
  const result = schema.safeParse(options);
  if (!result.success) throw zodFieldError("PGlite store options", result.error);
  return result.data;
}
