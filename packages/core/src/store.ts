/**
 * The storage contract. A store keeps app records (hashes only, never keys) and makes the writes
 * that must be atomic atomic. `runStoreConformance` from `@mcpgate/core/testing` proves a store.
 */
import type { AppPatch, AppRecord } from "./app.js";

/** The methods every {@link Store} has (`subscribe` is optional). @internal */
export const STORE_METHODS = [
  "create",
  "getById",
  "getByKeyId",
  "list",
  "update",
  "replaceKey",
  "updateKeyHash",
  "touch",
  "delete",
] as const satisfies ReadonlyArray<keyof Store>;

/** A new key for an app, swapped in only if the app is still at `expectedGeneration`. */
export interface KeyReplacement {
  expectedGeneration: number;
  keyId: string;
  keyHash: string;
  /** Check tag of the new key (see `keyCheckTag`). */
  keyCheck: string;
  keyIssuedAt: Date;
  /** When the new key expires (`null`: never); replaces the old key's expiry. */
  keyExpiresAt: Date | null;
}

/** Which records {@link Store.list} returns: oldest first, by (`createdAt`, `id`). */
export interface ListQuery {
  /** Only the apps of this owner. */
  ownerId?: string;
  /** Only records after this position (keyset pagination; the record itself may be gone). */
  after?: { createdAt: Date; id: string };
  /** At most this many records. */
  limit?: number;
}

/** A change a store reports to every subscriber (including ones in other processes, if it can). */
export interface StoreEvent {
  type: "updated" | "key_replaced" | "deleted";
  appId: string;
}

/**
 * Where apps live. Every method may reject; the gate reports anything that is not an
 * `McpgateError` as `store_unavailable`.
 */
export interface Store {
  /**
   * Inserts a record.
   * @throws DuplicateKeyIdError when another record has the same `keyId`; any error when one has
   *   the same `id` (nothing is written in either case).
   */
  create(record: AppRecord): Promise<void>;
  getById(id: string): Promise<AppRecord | undefined>;
  /** O(1) or an index lookup: this is on the authentication path. */
  getByKeyId(keyId: string): Promise<AppRecord | undefined>;
  /**
   * Records oldest first (by `createdAt`, then `id` in code-unit order), filtered and paged by
   * `query`; all of them without one.
   */
  list(query?: ListQuery): Promise<AppRecord[]>;
  /**
   * Changes name, policy fields and/or metadata and sets `updatedAt`, in one atomic write:
   * `patch.policy` fields are merged into the stored policy (never read, modified and written
   * back by the caller), so concurrent updates of different fields all take effect.
   * @throws AppNotFoundError
   */
  update(id: string, patch: AppPatch, updatedAt: Date): Promise<AppRecord>;
  /**
   * Compare-and-swap of the key: sets keyId, keyHash, keyCheck, keyIssuedAt, keyExpiresAt and `keyGeneration =
   * expectedGeneration + 1` only if the record is at `expectedGeneration`. Of concurrent calls
   * with the same expectation exactly one succeeds.
   * @throws AppNotFoundError, GenerationConflictError, DuplicateKeyIdError (nothing is written)
   */
  replaceKey(id: string, replacement: KeyReplacement): Promise<AppRecord>;
  /**
   * Replaces the hash of the current key (a rehash with new parameters) if the record is still at
   * `keyGeneration`. Returns whether it did.
   */
  updateKeyHash(id: string, keyGeneration: number, keyHash: string): Promise<boolean>;
  /** Records last use (called debounced, never per request). Unknown ids are ignored. */
  touch(id: string, lastUsedAt: Date): Promise<void>;
  /** Deletes a record. Idempotent: resolves `false` when there was nothing to delete. */
  delete(id: string): Promise<boolean>;
  /**
   * Optional change feed. The gate evicts cached keys of the app in each event. Returns an
   * unsubscribe function.
   */
  subscribe?(listener: (event: StoreEvent) => void): () => void;
}
