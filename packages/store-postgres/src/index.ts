/**
 * `@mcpgate/store-postgres`: the MCPGate `Store` on PostgreSQL (`pg`) or, with the same SQL, on
 * PGlite (an embedded database in a directory). Regenerations and deletions reach every instance
 * through LISTEN/NOTIFY.
 */
import type { PGliteLike, PgPoolLike } from "./drivers.js";
import { pgExecutor, pgliteExecutor, type SqlExecutor } from "./executor.js";
import {
  parsePGliteOptions,
  parsePostgresOptions,
  type PGliteStoreOptions,
  type PostgresStoreOptions,
} from "./options.js";
import { leaseDirectory } from "./pglite-directory.js";
import { connectionFailure } from "./connection-errors.js";
import { schemaNames } from "./schema.js";
import { SqlStore, type PostgresStore } from "./sql-store.js";
import { rememberConnection } from "./store-executors.js";

export type { ChangeFeedState } from "./change-feed.js";
export type {
  ChangeFeedOptions,
  CommonStoreOptions,
  PGliteStoreOptions,
  PostgresStoreOptions,
} from "./options.js";
export { SCHEMA_VERSION } from "./schema.js";
export type { PostgresStore } from "./sql-store.js";

async function open(
  executor: SqlExecutor,
  options: {
    tablePrefix: string;
    migrate: boolean;
    changeFeed: ConstructorParameters<typeof SqlStore>[0]["changeFeed"];
    onError?: ((error: unknown, context: string) => void) | undefined;
  },
): Promise<PostgresStore> {
  const store = new SqlStore({
    executor,
    names: schemaNames(options.tablePrefix),
    changeFeed: options.changeFeed,
    onError: options.onError ?? (() => {}),
  });
  try {
    if (options.migrate) await store.migrate();
    await store.start();
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  rememberConnection(store, { executor, tablePrefix: options.tablePrefix });
  return store;
}

/**
 * Opens a store on PostgreSQL: migrates the schema (unless `migrate: false`) and starts the
 * LISTEN/NOTIFY change feed.
 *
 * @throws TypeError when an option is invalid (the message names the field), including a
 *   `connectionString` that is not a `postgres://` or `postgresql://` URL.
 * @throws StoreUnavailableError (`store_unavailable`) when the database cannot be reached or
 *   refuses the connection; the message says why (password redacted), `cause` is pg's error.
 * @example
 * ```ts
 * import { createGate } from "@mcpgate/core";
 * import { createPostgresStore } from "@mcpgate/store-postgres";
 *
 * const store = await createPostgresStore({ connectionString: process.env.DATABASE_URL! });
 * const gate = createGate({ store });
 * // … on shutdown:
 * await gate.close();
 * await store.close();
 * ```
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const settings = parsePostgresOptions(options);
  const heartbeatMs = settings.changeFeed === false ? 10_000 : settings.changeFeed.heartbeatMs;
  const heartbeatTimeoutMs =
    (settings.changeFeed === false ? undefined : settings.changeFeed.heartbeatTimeoutMs) ??
    Math.min(heartbeatMs, 5_000);
  const onError = settings.onError ?? (() => {});
  let pool: PgPoolLike;
  let owned: boolean;
  if ("pool" in settings) {
    pool = settings.pool;
    owned = false;
    // LISTEN holds one client for good: a pool of one would leave nothing for queries.
    if (settings.changeFeed !== false && pool.options.max < 2) {
      throw new TypeError(
        "Invalid PostgreSQL store options: pool: needs max ≥ 2 (one connection LISTENs), or set changeFeed: false",
      );
    }
  } else {
    const pg = await import("pg");
    const { Pool: PgPool } = pg.default ?? pg;
    pool = new PgPool({
      connectionString: settings.connectionString,
      max: settings.maxConnections,
      connectionTimeoutMillis: settings.connectionTimeoutMs,
      query_timeout: settings.queryTimeoutMs,
      keepAlive: true,
    });
    owned = true;
  }
  // An idle client that loses its server emits "error" on the pool; unheard, that kills the process.
  if (owned || pool.listenerCount("error") === 0) pool.on("error", (e) => onError(e, "pool"));
  const where = "connectionString" in settings ? settings.connectionString : undefined;
  return open(pgExecutor(pool, { owned, heartbeatMs, heartbeatTimeoutMs }), {
    ...settings,
    onError,
  }).catch((error: unknown) => {
    throw connectionFailure(error, where);
  });
}

/**
 * Opens a store on PGlite, the embedded PostgreSQL: same schema and SQL as
 * {@link createPostgresStore}, a directory on disk instead of a server. The change feed reaches the
 * gates of this process (a PGlite directory is opened by one process at a time).
 *
 * The directory and any missing parents are created private (0700; files 0600, whatever the
 * umask), and the store holds a lock file in it until `close()`.
 *
 * @throws TypeError when an option is invalid (the message names the field).
 * @throws StoreLockedError (`store_locked`) when another process (or store) has the directory open.
 * @throws StoreInsecureError (`store_insecure`) when other users can write the directory.
 * @example
 * ```ts
 * import { createGate } from "@mcpgate/core";
 * import { createPGliteStore } from "@mcpgate/store-postgres";
 *
 * const store = await createPGliteStore({ dataDir: "./.mcpgate/db" });
 * const gate = createGate({ store });
 * ```
 */
export async function createPGliteStore(options: PGliteStoreOptions): Promise<PostgresStore> {
  const settings = parsePGliteOptions(options);
  if ("pglite" in settings)
    return open(pgliteExecutor(settings.pglite, { owned: false }), settings);
  const lease = await leaseDirectory(settings.dataDir);
  let db: PGliteLike;
  try {
    const { PGlite: PGliteClass } = await import("@electric-sql/pglite");
    db = await PGliteClass.create(lease.dataDir);
    await lease.seal();
  } catch (error) {
    lease.release();
    throw error;
  }
  const executor = pgliteExecutor(db, { owned: true });
  return open(
    {
      ...executor,
      async close() {
        try {
          await executor.close();
          await lease.seal();
        } finally {
          lease.release();
        }
      },
    },
    settings,
  );
}
export {
  createPostgresAuditSink,
  type AuditQuery,
  type PostgresAuditSink,
  type PostgresAuditSinkOptions,
} from "./audit-sink.js";
export {
  createPostgresAuditReader,
  type AuditRead,
  type PostgresAuditReader,
  type PostgresAuditReaderOptions,
  type ReadAuditOptions,
} from "./audit-read.js";
export { createPostgresRateLimiter, type PostgresRateLimiter } from "./rate-limiter.js";
export type { PostgresRateLimiterOptions } from "./rate-limiter-options.js";
