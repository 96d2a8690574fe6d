/**
 * The embedded default store: two maps, O(1) by id and by key id. Every method runs to completion
 * without awaiting, so each write is atomic on Node's single thread. Records are copied and
 * deep-frozen on write, so reads (on the authentication path) hand them out without copying.
 */
import { deepFreeze, type AppPatch, type AppRecord } from "./app.js";
import { AppNotFoundError, DuplicateKeyIdError, GenerationConflictError } from "./errors.js";
import type { KeyReplacement, ListQuery, Store, StoreEvent } from "./store.js";

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Offer a change feed (`subscribe`). Default `true`. Turn it off to model a store whose
   * invalidations cannot reach other gates (then the cache TTL bounds revocation).
   */
  changeFeed?: boolean;
}

/**
 * In-memory {@link Store}. Several gates in one process may share one instance; its change feed
 * then evicts their caches at once. Records handed out are frozen, so callers cannot mutate them.
 *
 * @example
 * ```ts
 * const gate = createGate({ store: new MemoryStore() });
 * ```
 */
export class MemoryStore implements Store {
  readonly #byId = new Map<string, AppRecord>();
  readonly #idByKeyId = new Map<string, string>();
  readonly #listeners = new Set<(event: StoreEvent) => void>();

  constructor(options: MemoryStoreOptions = {}) {
    if (options.changeFeed === false) this.subscribe = undefined;
  }

  async create(record: AppRecord): Promise<void> {
    if (this.#idByKeyId.has(record.keyId)) throw new DuplicateKeyIdError(record.keyId);
    if (this.#byId.has(record.id)) throw new Error(`An app with id ${record.id} exists already.`);
    this.#byId.set(record.id, frozenCopy(record));
    this.#idByKeyId.set(record.keyId, record.id);
  }

  async getById(id: string): Promise<AppRecord | undefined> {
    return this.#byId.get(id);
  }

  async getByKeyId(keyId: string): Promise<AppRecord | undefined> {
    const id = this.#idByKeyId.get(keyId);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  async list(query: ListQuery = {}): Promise<AppRecord[]> {
    const { ownerId, after, limit } = query;
    const records = [...this.#byId.values()]
      .filter(
        (record) =>
          (ownerId === undefined || record.ownerId === ownerId) &&
          (after === undefined || compareListOrder(record, after) > 0),
      )
      .sort(compareListOrder);
    return limit === undefined ? records : records.slice(0, limit);
  }

  async update(id: string, patch: AppPatch, updatedAt: Date): Promise<AppRecord> {
    const current = this.#require(id);
    const next = frozenCopy({
      ...current,
      ...patch,
      policy: { ...current.policy, ...patch.policy },
      updatedAt,
    });
    this.#byId.set(id, next);
    this.#emit({ type: "updated", appId: id });
    return next;
  }

  async replaceKey(id: string, replacement: KeyReplacement): Promise<AppRecord> {
    const current = this.#require(id);
    if (current.keyGeneration !== replacement.expectedGeneration) {
      throw new GenerationConflictError(id, replacement.expectedGeneration);
    }
    const owner = this.#idByKeyId.get(replacement.keyId);
    if (owner !== undefined) throw new DuplicateKeyIdError(replacement.keyId);
    const next = frozenCopy({
      ...current,
      keyId: replacement.keyId,
      keyHash: replacement.keyHash,
      keyCheck: replacement.keyCheck,
      keyIssuedAt: replacement.keyIssuedAt,
      keyExpiresAt: replacement.keyExpiresAt,
      keyGeneration: current.keyGeneration + 1,
      updatedAt: replacement.keyIssuedAt,
    });
    this.#idByKeyId.delete(current.keyId);
    this.#idByKeyId.set(next.keyId, id);
    this.#byId.set(id, next);
    this.#emit({ type: "key_replaced", appId: id });
    return next;
  }

  async updateKeyHash(id: string, keyGeneration: number, keyHash: string): Promise<boolean> {
    const current = this.#byId.get(id);
    if (current?.keyGeneration !== keyGeneration) return false;
    this.#byId.set(id, frozenCopy({ ...current, keyHash }));
    return true;
  }

  async touch(id: string, lastUsedAt: Date): Promise<void> {
    const current = this.#byId.get(id);
    if (current) this.#byId.set(id, frozenCopy({ ...current, lastUsedAt }));
  }

  async delete(id: string): Promise<boolean> {
    const current = this.#byId.get(id);
    if (!current) return false;
    this.#byId.delete(id);
    this.#idByKeyId.delete(current.keyId);
    this.#emit({ type: "deleted", appId: id });
    return true;
  }

  subscribe?(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #require(id: string): AppRecord {
    const record = this.#byId.get(id);
    if (!record) throw new AppNotFoundError(id);
    return record;
  }

  #emit(event: StoreEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A subscriber's failure must not undo or fail a write that already happened.
      }
    }
  }
}

/** The order of {@link Store.list}: `createdAt`, then `id` by code units. */
function compareListOrder(
  a: Pick<AppRecord, "createdAt" | "id">,
  b: Pick<AppRecord, "createdAt" | "id">,
): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function frozenCopy(record: AppRecord): AppRecord {
  return deepFreeze(structuredClone(record));
}
