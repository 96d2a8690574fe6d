/**
 * The endpoint's per-app rate limiter: the `rateLimiter` option (e.g. a limiter shared by every
 * instance through PostgreSQL), or core's in-memory token bucket for one process.
 */
import { createMemoryRateLimiter, type RateLimiter } from "@mcpgate/core";

export type { RateLimiter } from "@mcpgate/core";

/** The limiter the endpoint uses: the one passed in, else an in-memory one on `clock`. */
export function endpointRateLimiter(
  option: RateLimiter | undefined,
  clock: () => number,
): RateLimiter {
  return option ?? createMemoryRateLimiter({ clock });
}
