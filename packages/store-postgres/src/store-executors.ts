/**
 * Where each store opened by this package runs its SQL, so companions (the rate limiter) can share
 * the store's pool or database without a public accessor.
 */
import type { SqlExecutor } from "./executor.js";
import type { PostgresStore } from "./sql-store.js";

/** A store's executor and table prefix. */
export interface StoreConnection {
  executor: SqlExecutor;
  tablePrefix: string;
}

const connections = new WeakMap<PostgresStore, StoreConnection>();

export function rememberConnection(store: PostgresStore, connection: StoreConnection): void {
  connections.set(store, connection);
}

/** The connection of a store from `createPostgresStore`/`createPGliteStore`, else `undefined`. */
export function connectionOf(store: unknown): StoreConnection | undefined {
  return typeof store === "object" && store !== null
    ? connections.get(store as PostgresStore)
    : undefined;
}
