/**
 * Argon2 failures allowed per key id and window, for records without a check tag only (written
 * before tags existed). A tagged record needs no budget: its tag rejects all but ~1 in 65,536
 * wrong secrets before Argon2, so nothing has to refuse anyone, and key ids are public, so a budget
 * is a lever to lock the owner out. Regenerating a legacy key gives it a tag.
 */
import { BoundedMap } from "./bounded-map.js";
import { RateLimitedError, withoutStack } from "./errors.js";

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class FailureBudget {
  readonly #buckets: BoundedMap<string, Bucket>;

  constructor(
    readonly failures: number,
    readonly windowSeconds: number,
    maxEntries: number,
  ) {
    this.#buckets = new BoundedMap(maxEntries, windowSeconds * 1000);
  }

  /**
   * Takes a token before an Argon2 run (so concurrent attempts cannot overshoot).
   * @throws RateLimitedError when the key id has none left.
   */
  spend(keyId: string, now: number): void {
    const refillPerMs = this.failures / (this.windowSeconds * 1000);
    const bucket = this.#buckets.get(keyId, now) ?? { tokens: this.failures, updatedAt: now };
    const tokens = Math.min(this.failures, bucket.tokens + (now - bucket.updatedAt) * refillPerMs);
    if (tokens < 1) {
      this.#buckets.set(keyId, { tokens, updatedAt: now }, now);
      throw withoutStack(() => new RateLimitedError((1 - tokens) / refillPerMs / 1000));
    }
    this.#buckets.set(keyId, { tokens: tokens - 1, updatedAt: now }, now);
  }

  /** Gives the token back (the key turned out valid, or Argon2 itself failed). */
  refund(keyId: string, now: number): void {
    const bucket = this.#buckets.get(keyId, now);
    if (bucket) bucket.tokens = Math.min(this.failures, bucket.tokens + 1);
  }
}
