/**
 * Per-app token buckets from `policy.rateLimit`, in memory: `requests` tokens refilled evenly over
 * `windowSeconds`, so bursts up to `requests` and a steady `requests / windowSeconds` per second.
 */
import type { App } from "@mcpgate/core";

interface Bucket {
  tokens: number;
  at: number;
  requests: number;
  windowSeconds: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** Takes one token for `app`: `0` when allowed, else the seconds until a token is available. */
  take(app: App): number {
    const limit = app.policy.rateLimit;
    if (limit === null) return 0;
    const now = this.#clock();
    const perSecond = limit.requests / limit.windowSeconds;
    let bucket = this.#buckets.get(app.id);
    if (
      bucket === undefined ||
      bucket.requests !== limit.requests ||
      bucket.windowSeconds !== limit.windowSeconds
    ) {
      bucket = { tokens: limit.requests, at: now, ...limit };
      this.#buckets.set(app.id, bucket);
    } else {
      const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
      bucket.tokens = Math.min(limit.requests, bucket.tokens + elapsedSeconds * perSecond);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / perSecond;
  }

  forget(appId: string): void {
    this.#buckets.delete(appId);
  }
}
