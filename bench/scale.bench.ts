/**
 * `pnpm bench scale`: the gate with 10k, 100k and 1M apps in a MemoryStore (seeded directly, see
 * scale-seed.ts), and a cold burst.
 * - cached path: 10 000 presented keys (the default `cache.maxEntries`), each verified once, then
 *   authenticate at random among them: p50/p99 per call, memory per cached key (heap delta after
 *   a full GC / keys);
 * - unknown-key path: a fresh key with an unknown key id on every call: p50/p99;
 * - cold burst: 1 000 distinct valid keys (production Argon2id parameters) presented at once to a
 *   fresh gate: time until every request is answered, how many got `overloaded` (503), and the
 *   event-loop delay meanwhile (`monitorEventLoopDelay`).
 * `SCALE_APPS=10000,100000` limits the store sizes.
 */
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { createGate, generateKey, isMcpgateError } from "@mcpgate/core";
import { cheapHasher, seedStore } from "./scale-seed.js";

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const HOT_KEYS = 10_000;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function latencies(count: number, call: (i: number) => Promise<unknown>) {
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await call(i);
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  samples.sort();
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

const heapMb = (): number => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

async function atScale(apps: number) {
  const hot = Math.min(HOT_KEYS, apps);
  const before = heapMb();
  const seedStart = performance.now();
  const { store, keys } = await seedStore(apps, hot, "cheap");
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const storeMb = heapMb() - before;
  const gate = createGate({
    store,
    hasher: cheapHasher,
    lastUsed: false,
    cache: { ttlMs: 3_600_000, maxEntries: hot },
  });
  const cold = heapMb();
  for (const key of keys) await gate.authenticate(key);
  const perKey = ((heapMb() - cold) * 2 ** 20) / hot;
  const pick = (i: number) => keys[(i * 7919) % keys.length] as string;
  await latencies(20_000, (i) => gate.authenticate(pick(i))); // warm-up
  const cached = await latencies(200_000, (i) => gate.authenticate(pick(i)));
  const unknownKeys = Array.from({ length: 50_000 }, generateKey);
  const unknown = await latencies(unknownKeys.length, (i) =>
    gate.authenticate(unknownKeys[i] as string).catch(() => undefined),
  );
  await gate.close();
  return {
    apps: apps.toLocaleString("en-US"),
    "seed (s)": seedSeconds.toFixed(1),
    "store heap (MB)": storeMb.toFixed(0),
    "cached keys": hot,
    "heap per cached key (B)": perKey.toFixed(0),
    "cached p50 (µs)": cached.p50.toFixed(2),
    "cached p99 (µs)": cached.p99.toFixed(2),
    "unknown p50 (µs)": unknown.p50.toFixed(2),
    "unknown p99 (µs)": unknown.p99.toFixed(2),
  };
}

async function coldBurst(requests: number) {
  const { store, keys } = await seedStore(requests, requests, "default");
  const gate = createGate({ store, lastUsed: false });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const outcomes = { ok: 0, overloaded: 0, other: 0 };
  const start = performance.now();
  await Promise.all(
    keys.map((key) =>
      gate.authenticate(key).then(
        () => void outcomes.ok++,
        (error: unknown) =>
          void (isMcpgateError(error) && error.code === "overloaded"
            ? outcomes.overloaded++
            : outcomes.other++),
      ),
    ),
  );
  const drainMs = performance.now() - start;
  delay.disable();
  await gate.close();
  return {
    requests,
    "drained in (ms)": drainMs.toFixed(0),
    "200 (verified)": outcomes.ok,
    "503 overloaded": outcomes.overloaded,
    other: outcomes.other,
    "loop delay p50 (ms)": (delay.percentile(50) / 1e6).toFixed(2),
    "loop delay p99 (ms)": (delay.percentile(99) / 1e6).toFixed(2),
    "loop delay max (ms)": (delay.max / 1e6).toFixed(2),
  };
}

export async function scaleBench(): Promise<void> {
  const sizes = (process.env.SCALE_APPS ?? "10000,100000,1000000").split(",").map(Number);
  console.log(
    `\nload average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const rows = [];
  for (const apps of sizes) rows.push(await atScale(apps));
  console.log("\n## Cached and unknown-key paths by store size (MemoryStore)");
  console.table(rows);
  console.log(
    `\nload average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const burst = await coldBurst(1_000);
  console.log("\n## Cold burst: 1 000 distinct valid keys at once, fresh gate (default options)");
  console.table([burst]);
  console.log(
    `\nload average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}
