/**
 * Laws of the in-memory token bucket, over any schedule of calls on a stepping clock:
 * - over any interval of t seconds, allowed calls ≤ requests × (1 + t / windowSeconds);
 * - refill is monotone: with no call allowed in between, the wait never grows as time passes, and
 *   a call allowed at some time would be allowed at any later time;
 * - it always answers synchronously.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryRateLimiter, isRateLimiter, type RateLimitedApp } from "../src/index.js";

const limit = fc.record({
  requests: fc.integer({ min: 1, max: 20 }),
  windowSeconds: fc.integer({ min: 1, max: 120 }),
});
/** Milliseconds between consecutive calls (0: several calls at the same instant). */
const gaps = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20_000 })), {
  minLength: 1,
  maxLength: 200,
});

describe("createMemoryRateLimiter (token bucket)", () => {
  it("never allows more than requests × (1 + t / window) in any interval of t seconds", () => {
    fc.assert(
      fc.property(limit, gaps, (rateLimit, steps) => {
        let now = 1_000_000;
        const limiter = createMemoryRateLimiter({ clock: () => now });
        const app: RateLimitedApp = { id: "a", policy: { rateLimit } };
        const allowedAt: number[] = [];
        for (const gap of steps) {
          now += gap;
          const wait = limiter.take(app);
          expect(typeof wait).toBe("number");
          if (wait === 0) allowedAt.push(now);
          else expect(wait).toBeGreaterThan(0);
        }
        for (let i = 0; i < allowedAt.length; i++) {
          for (let j = i; j < allowedAt.length; j++) {
            const seconds = ((allowedAt[j] as number) - (allowedAt[i] as number)) / 1000;
            const bound = rateLimit.requests * (1 + seconds / rateLimit.windowSeconds);
            expect(j - i + 1).toBeLessThanOrEqual(bound + 1e-9);
          }
        }
      }),
    );
  });

  it("refill is monotone: while refused, the wait shrinks with time and the call is allowed exactly when it said", () => {
    fc.assert(
      fc.property(limit, gaps, (rateLimit, steps) => {
        let now = 5_000_000;
        const limiter = createMemoryRateLimiter({ clock: () => now });
        const app: RateLimitedApp = { id: "a", policy: { rateLimit } };
        while (limiter.take(app) === 0); // drain the burst
        let previous = limiter.take(app) as number;
        const deadline = now + previous * 1000; // when the next token is due
        for (const gap of steps) {
          now += gap;
          const wait = limiter.take(app) as number;
          if (wait === 0) {
            // Allowed: not before the refusal said it would be.
            expect(now).toBeGreaterThanOrEqual(deadline - 1e-6);
            return;
          }
          expect(now).toBeLessThan(deadline + 1e-6);
          expect(wait).toBeLessThanOrEqual(previous + 1e-9);
          expect(Math.abs(now + wait * 1000 - deadline)).toBeLessThan(1e-3);
          previous = wait;
        }
      }),
    );
  });

  it("a clock that steps back refills nothing", () => {
    let now = 10_000;
    const limiter = createMemoryRateLimiter({ clock: () => now });
    const app: RateLimitedApp = {
      id: "a",
      policy: { rateLimit: { requests: 1, windowSeconds: 10 } },
    };
    expect(limiter.take(app)).toBe(0);
    now = 0;
    expect(limiter.take(app)).toBeGreaterThan(0);
    now = 10_000;
    expect(limiter.take(app)).toBe(10);
  });

  it("apps without a limit are always allowed; forget gives a fresh bucket; options are checked", () => {
    const limiter = createMemoryRateLimiter();
    expect(isRateLimiter(limiter)).toBe(true);
    const free: RateLimitedApp = { id: "f", policy: { rateLimit: null } };
    for (let i = 0; i < 1000; i++) expect(limiter.take(free)).toBe(0);
    const app: RateLimitedApp = {
      id: "a",
      policy: { rateLimit: { requests: 1, windowSeconds: 60 } },
    };
    expect(limiter.take(app)).toBe(0);
    expect(limiter.take(app)).toBeGreaterThan(0);
    limiter.forget("a");
    expect(limiter.take(app)).toBe(0);
    expect(() => createMemoryRateLimiter({ clock: 5 as never })).toThrow(TypeError);
    expect(isRateLimiter({ take() {} })).toBe(false);
  });
});
