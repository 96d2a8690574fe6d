/**
 * `@mcpgate/store-postgres`: the MCPGate `Store` on PostgreSQL (`pg`) or, with the same SQL, on
 * PGlite (an embedded database in a directory). Regenerations and deletions reach every instance
 * through LISTEN/NOTIFY.
 */
import type { PGlite } from "@electric-sql/pglite";
import type { Pool } from "pg";
import { pgExecutor, pgliteExecutor, type SqlExecutor } from "./executor.js";
import {
  parsePGliteOptions,
  parsePostgresOptions,
  type PGliteStoreOptions,
  type PostgresStoreOptions,
} from "./options.js";
import { schemaNames } from "./schema.js";
import { SqlStore, type PostgresStore } from "./sql-store.js";

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
  return store;
}

/**
 * Opens a store on PostgreSQL: migrates the schema (unless `migrate: false`) and starts the
 * LISTEN/NOTIFY change feed. Rejects when the database cannot be reached.
 *
 * @throws TypeError when an option is invalid (the message names the field).
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
  const onError = settings.onError ?? (() => {});
  let pool: Pool;
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
  return open(pgExecutor(pool, { owned, heartbeatMs }), { ...settings, onError });
}

/**
 * Opens a store on PGlite, the embedded PostgreSQL: same schema and SQL as
 * {@link createPostgresStore}, a directory on disk instead of a server. The change feed reaches the
 * gates of this process (a PGlite directory is opened by one process at a time).
 *
 * @throws TypeError when an option is invalid (the message names the field).
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
  let db: PGlite;
  let owned: boolean;
  if ("pglite" in settings) {
    db = settings.pglite;
    owned = false;
  } else {
    const { PGlite: PGliteClass } = await import("@electric-sql/pglite");
    db = await PGliteClass.create(settings.dataDir);
    owned = true;
  }
  return open(pgliteExecutor(db, { owned }), settings);
}
export {
  createPostgresAuditSink,
  type AuditQuery,
  type PostgresAuditSink,
  type PostgresAuditSinkOptions,
} from "./audit-sink.js";
