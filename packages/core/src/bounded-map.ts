/**
 * A Map with a size bound and per-entry expiry. Eviction is oldest-inserted first: every entry
 * expires a fixed TTL after it was written, so the oldest entry is also the one closest to expiry,
 * which makes insertion order as good as LRU here and keeps `get` free of reordering work.
 *
 * Every operation is O(1) (amortized), also when the map is full and each write evicts: a flood of
 * distinct keys (an attacker's unknown keys) must not make each request dearer. A single `Map`
 * cannot do that: its first key, once the ones before it were deleted, is found by skipping their
 * tombstones (measured: 8 µs per write at 10 000 entries). So entries live in two generations:
 * writes go to the young one; the old one takes no writes and is evicted in the order its keys
 * had when it was sealed; when it is empty, the young one is sealed in its place.
 */
interface Entry<V> {
  value: V;
  expiresAt: number;
}

export class BoundedMap<K, V> {
  #young = new Map<K, Entry<V>>();
  #old = new Map<K, Entry<V>>();
  /** The old generation's keys in insertion order, and how many of them were evicted. */
  #oldOrder: K[] = [];
  #evicted = 0;

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  get(key: K, now: number): V | undefined {
    let entries = this.#young;
    let entry = entries.get(key);
    if (entry === undefined) {
      entries = this.#old;
      entry = entries.get(key);
      if (entry === undefined) return undefined;
    }
    if (entry.expiresAt <= now) {
      entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V, now: number): void {
    // A rewritten key becomes the newest, as if deleted and inserted.
    this.#young.delete(key);
    this.#old.delete(key);
    if (this.size >= this.maxEntries) this.#evictOldest();
    this.#young.set(key, { value, expiresAt: now + this.ttlMs });
  }

  delete(key: K): boolean {
    const young = this.#young.delete(key);
    return this.#old.delete(key) || young;
  }

  /** Deletes every entry whose value matches (a full scan: for rare events such as eviction of an app). */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const entries of [this.#young, this.#old]) {
      for (const [key, entry] of entries) if (matches(entry.value)) entries.delete(key);
    }
  }

  clear(): void {
    this.#young.clear();
    this.#old = new Map();
    this.#oldOrder = [];
    this.#evicted = 0;
  }

  /** Live values (for tests and diagnostics). */
  *values(now: number): IterableIterator<V> {
    for (const entries of [this.#old, this.#young]) {
      for (const entry of entries.values()) if (entry.expiresAt > now) yield entry.value;
    }
  }

  /**
   * Evicts the oldest entry. Each key of a sealed generation is passed over once (it may already
   * be gone: rewritten, deleted or expired), and each entry is sealed once: O(1) amortized.
   */
  #evictOldest(): void {
    for (;;) {
      while (this.#evicted < this.#oldOrder.length) {
        const key = this.#oldOrder[this.#evicted++] as K;
        if (this.#old.delete(key)) return;
      }
      if (this.#young.size === 0) return;
      this.#old = this.#young;
      this.#young = new Map();
      this.#oldOrder = [...this.#old.keys()];
      this.#evicted = 0;
    }
  }
}
