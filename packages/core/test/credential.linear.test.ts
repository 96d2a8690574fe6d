/**
 * Bounded work on untrusted input: extraction time grows at most linearly with the size of the
 * Authorization header and the URL. Compares n and 8n with a generous factor (a quadratic scan
 * is 64×), never an absolute threshold, so a loaded machine does not make it flaky. Inputs stay a
 * few KiB, so cache effects do not pass for growth.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractCredential, generateKey, type RequestLike } from "../src/index.js";

function run(request: RequestLike, reps: number): number {
  const started = performance.now();
  for (let i = 0; i < reps; i++) {
    try {
      extractCredential(request);
    } catch {
      // refusals are the expected outcome for most shapes
    }
  }
  return performance.now() - started;
}

/** Best-of-rounds time of `reps` extractions, in ms. */
function timeOf(request: RequestLike, reps: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) best = Math.min(best, run(request, reps));
  return best;
}

/**
 * Best-of-rounds times of a small and a large request, measured alternately so that a burst of
 * load from other processes hits both alike.
 */
function timesOf(small: RequestLike, large: RequestLike, reps: number): [number, number] {
  let bestSmall = Number.POSITIVE_INFINITY;
  let bestLarge = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 9; round++) {
    bestSmall = Math.min(bestSmall, run(small, reps));
    bestLarge = Math.min(bestLarge, run(large, reps));
  }
  return [bestSmall, bestLarge];
}

/** How the repeated unit is placed in a request of `n` units. */
type Shape = (unit: string, n: number) => RequestLike;

/** `unit` × n as one flat string, like the ones Node's HTTP parser makes (not a rope). */
const repeat = (unit: string, n: number): string =>
  Buffer.from(unit.repeat(n), "latin1").toString("latin1");

const shapes: Record<string, Shape> = {
  "raw header: Bearer + units": (u, n) => ({
    url: "/mcp",
    rawHeaders: ["Authorization", `Bearer${repeat(u, n)}`],
  }),
  "raw header: units + Bearer key": (u, n) => ({
    url: "/mcp",
    rawHeaders: ["Authorization", `${repeat(u, n)}Bearer ${generateKey()}`],
  }),
  "raw header: Bearer + units + x": (u, n) => ({
    url: "/mcp",
    rawHeaders: ["Authorization", `Bearer${repeat(u, n)}x`],
  }),
  "headers: Bearer + units + x": (u, n) => ({
    url: "/mcp",
    headers: { authorization: `Bearer ${repeat(u, n)}x` },
  }),
  "path: /mcp/ + units": (u, n) => ({ url: `/mcp/${repeat(u, n)}` }),
  "query: ?+ units": (u, n) => ({ url: `/mcp?${repeat(u, n)}` }),
};

const units = [" ", "\t", " \t", "a", "mgw", "mgw_", "/", "./", "%2", "=", "Bearer ", "/mcp"];

describe("extraction is linear in the size of its input", () => {
  it("Authorization: Bearer followed by 15k spaces is refused at once (was ~80 ms)", () => {
    const value = `Bearer${" ".repeat(15_000)}`;
    for (const request of [
      { url: "/mcp", rawHeaders: ["Authorization", value] },
      { url: "/mcp", rawHeaders: ["Authorization", `${value}x`] },
      { url: "/mcp", headers: { authorization: `${value}x` } },
    ]) {
      expect(() => extractCredential(request)).toThrow(
        expect.objectContaining({ reason: "too_long" }) as Error,
      );
      // 100 of them well under what a single quadratic one cost.
      expect(timeOf(request, 100)).toBeLessThan(80);
    }
  });

  it("time(8n) / time(n) stays far below quadratic for every shape and unit (law)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(shapes)),
        fc.constantFrom(...units),
        fc.constantFrom(64, 128, 256),
        (shapeName, unit, n) => {
          const shape = shapes[shapeName] as Shape;
          // Linear: ~8×. Quadratic: ~64×. The floor absorbs timer resolution on tiny inputs. A
          // burst of load from other processes can spoil one measurement, not three in a row; a
          // quadratic scan fails all three.
          let ratio = Number.POSITIVE_INFINITY;
          for (let attempt = 0; attempt < 3 && ratio > 32; attempt++) {
            const [small, large] = timesOf(shape(unit, n), shape(unit, 8 * n), 100);
            ratio = Math.min(ratio, large / Math.max(small, 0.05));
          }
          expect(ratio).toBeLessThanOrEqual(32);
        },
      ),
      { numRuns: 40 },
    );
  });
});
