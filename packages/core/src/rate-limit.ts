/**
 * Per-app rate limits (`policy.rateLimit`): the {@link RateLimiter} contract every limiter meets, and
 * the in-memory token bucket that is the default for one process. Limiters shared by several
 * instances (e.g. `createPostgresRateLimiter` in `@mcpgate/store-postgres`) implement the same
 * contract.
 */
import { z } from "zod";
import type { RateLimit } from "./app.js";
import { zodFieldError } from "./options.js";

/** What a limiter needs of an app: its id and its policy's `rateLimit`. An `App` fits. */
export interface RateLimitedApp {
  readonly id: string;
  readonly policy: { readonly rateLimit: RateLimit | null };
}

/**
 * Decides whether an app may spend one unit of its `policy.rateLimit` now.
 *
 * `take` answers synchronously whenever it can (a number) and returns a promise only when it must
 * wait for a shared counter, so the common case costs no promise tick. It never throws and its
 * promise never rejects: a limiter that cannot reach its backing store decides by itself (and says
 * how in its docs).
 *
 * @example
 * ```ts
 * const limiter: RateLimiter = createMemoryRateLimiter();
 * const wait = limiter.take(app);
 * const seconds = typeof wait === "number" ? wait : await wait;
 * if (seconds > 0) console.log(`rate limited: retry in ${seconds} s`);
 * ```
 */
export interface RateLimiter {
  /**
   * Takes one unit for `app`: `0` when allowed, else the seconds until one may be available.
   * Apps whose `policy.rateLimit` is `null` are always allowed.
   */
  take(app: RateLimitedApp): number | Promise<number>;
  /** Drops what the limiter holds for an app (it was deleted or its key regenerated). */
  forget(appId: string): void;
}

/**
 * Options of {@link createMemoryRateLimiter}.
 *
 * @example
 * ```ts
 * let now = 0;
 * const options: MemoryRateLimiterOptions = { clock: () => now };
 * ```
 */
export interface MemoryRateLimiterOptions {
  /** Milliseconds clock; for tests. Default `Date.now`. */
  clock?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  requests: number;
  windowSeconds: number;
}

const optionsSchema = z
  .object({
    clock: z
      .custom<() => number>((value) => typeof value === "function", "must be a function")
      .default(() => Date.now),
  })
  .strict();

/**
 * An in-memory token bucket per app: `requests` tokens, refilled evenly over `windowSeconds`, so
 * bursts up to `requests` and a steady `requests / windowSeconds` per second. Over any interval of
 * `t` seconds an app is allowed at most `requests × (1 + t / windowSeconds)` calls. Always answers
 * synchronously. Limits hold per process: N instances allow N× the limit (use a shared limiter
 * such as `createPostgresRateLimiter` for more than one).
 *
 * @throws TypeError when an option is invalid (the message names the field).
 * @example
 * ```ts
 * const limiter = createMemoryRateLimiter();
 * const app = { id: "app_1", policy: { rateLimit: { requests: 2, windowSeconds: 60 } } };
 * limiter.take(app); // 0
 * limiter.take(app); // 0
 * limiter.take(app); // 30: one token comes back in 30 s
 * ```
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const result = optionsSchema.safeParse(options);
  if (!result.success) throw zodFieldError("rate limiter options", result.error);
  return new MemoryRateLimiter(result.data.clock);
}

class MemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  take(app: RateLimitedApp): number {
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
      // A clock that steps back refills nothing (and the bucket keeps its later time).
      const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
      bucket.tokens = Math.min(limit.requests, bucket.tokens + elapsedSeconds * perSecond);
      bucket.at = Math.max(bucket.at, now);
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

/**
 * True for an object that meets the {@link RateLimiter} contract (`take` and `forget` functions);
 * adapters validate their `rateLimiter` option with it.
 *
 * @example
 * ```ts
 * if (!isRateLimiter(options.rateLimiter)) throw new TypeError("rateLimiter: not a RateLimiter");
 * ```
 */
export function isRateLimiter(value: unknown): value is RateLimiter {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as RateLimiter).take === "function" &&
    typeof (value as RateLimiter).forget === "function"
  );
}
