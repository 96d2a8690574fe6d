/**
 * A Map with a size bound and per-entry expiry. Eviction is oldest-inserted first: every entry
 * expires a fixed TTL after it was written, so the oldest entry is also the one closest to expiry,
 * which makes insertion order as good as LRU here and keeps `get` free of reordering work.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  get(key: K, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V, now: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt: now + this.ttlMs });
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Deletes every entry whose value matches (O(n): for rare events such as a key regeneration). */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(entry.value)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Live values (for tests and diagnostics). */
  *values(now: number): IterableIterator<V> {
    for (const entry of this.#entries.values()) if (entry.expiresAt > now) yield entry.value;
  }
}
