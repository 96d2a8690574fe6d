/**
 * BoundedMap against a model: an insertion-ordered list where a write moves a key to the end, a
 * full map forgets its first key, and a read of an expired entry forgets it. The law: every
 * sequence of operations gives the same answers and the same size as the model, never more
 * than `maxEntries` entries.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BoundedMap } from "../src/bounded-map.js";

class Model {
  entries: { key: number; value: number; expiresAt: number }[] = [];
  constructor(
    readonly max: number,
    readonly ttl: number,
  ) {}
  get(key: number, now: number): number | undefined {
    const i = this.entries.findIndex((e) => e.key === key);
    const entry = this.entries[i];
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.splice(i, 1);
      return undefined;
    }
    return entry.value;
  }
  set(key: number, value: number, now: number): void {
    this.delete(key);
    if (this.entries.length >= this.max) this.entries.shift();
    this.entries.push({ key, value, expiresAt: now + this.ttl });
  }
  delete(key: number): boolean {
    const i = this.entries.findIndex((e) => e.key === key);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }
}

type Op =
  | { op: "set"; key: number; value: number }
  | { op: "get"; key: number }
  | { op: "delete"; key: number }
  | { op: "deleteWhere"; below: number }
  | { op: "tick"; ms: number };

const keys = fc.integer({ min: 0, max: 30 });
const ops = fc.array(
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({ op: fc.constant("set" as const), key: keys, value: fc.nat(99) }),
    },
    { weight: 4, arbitrary: fc.record({ op: fc.constant("get" as const), key: keys }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), key: keys }) },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant("deleteWhere" as const), below: fc.nat(99) }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("tick" as const), ms: fc.nat(40) }) },
  ),
  { maxLength: 300 },
) as fc.Arbitrary<Op[]>;

describe("BoundedMap", () => {
  it("answers exactly like an insertion-ordered list evicting its oldest entry, never above maxEntries", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 100 }),
        ops,
        (max, ttl, sequence) => {
          const map = new BoundedMap<number, number>(max, ttl);
          const model = new Model(max, ttl);
          let now = 0;
          for (const step of sequence) {
            if (step.op === "set") {
              map.set(step.key, step.value, now);
              model.set(step.key, step.value, now);
            } else if (step.op === "get") {
              expect(map.get(step.key, now)).toBe(model.get(step.key, now));
            } else if (step.op === "delete") {
              expect(map.delete(step.key)).toBe(model.delete(step.key));
            } else if (step.op === "deleteWhere") {
              map.deleteWhere((value) => value < step.below);
              model.entries = model.entries.filter((e) => e.value >= step.below);
            } else {
              now += step.ms;
            }
            expect(map.size).toBe(model.entries.length);
            expect(map.size).toBeLessThanOrEqual(max);
          }
          const live = model.entries.filter((e) => e.expiresAt > now).map((e) => e.value);
          expect([...map.values(now)]).toEqual(live);
        },
      ),
    );
  });

  it("keeps exactly the newest maxEntries entries under a flood of distinct keys", () => {
    const map = new BoundedMap<number, true>(1000, 60_000);
    for (let i = 0; i < 100_000; i++) map.set(i, true, 0);
    expect(map.size).toBe(1000);
    expect(map.get(99_999, 0)).toBe(true);
    expect(map.get(98_999, 0)).toBeUndefined();
    expect(map.get(99_000, 0)).toBe(true);
  });
});
