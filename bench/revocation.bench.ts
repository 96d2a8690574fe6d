/**
 * `pnpm bench revocation`: two gates in two processes on one PostgreSQL (each its own store and
 * LISTEN connection). A regenerates an app's key; B presents the old key in a loop (setImmediate
 * between attempts) and reports when it is first refused. The window is B's refusal time minus the
 * time A's `regenerateKey()` resolved (wall clock with sub-ms precision, one machine; B may see the
 * NOTIFY first: that counts as 0). 200 trials; goal p50 ≤ 5 ms, p99 ≤ 50 ms.
 */
import os from "node:os";
import { Instance, revocationWindows } from "../packages/store-postgres/test/instance-client.js";
import { testDatabase } from "../packages/store-postgres/test/pg-server.js";

const TRIALS = Number(process.env.REVOCATION_TRIALS ?? 200);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function revocationBench(): Promise<void> {
  const database = await testDatabase("bench_revocation");
  const a = new Instance(database.url);
  const b = new Instance(database.url);
  try {
    await a.ready;
    await b.ready;
    const load = os.loadavg()[0] ?? NaN;
    const windows = await revocationWindows(a, b, TRIALS);
    const sorted = [...windows].sort((x, y) => x - y);
    const over50 = sorted.filter((w) => w > 50).length;
    console.log(
      `\n## Cross-instance revocation: regenerateKey() resolved on A → first refusal on B (${TRIALS} trials)`,
    );
    console.table([
      {
        "p50 (ms)": percentile(sorted, 50).toFixed(2),
        "p90 (ms)": percentile(sorted, 90).toFixed(2),
        "p99 (ms)": percentile(sorted, 99).toFixed(2),
        "max (ms)": (sorted.at(-1) ?? NaN).toFixed(2),
        "> 50 ms": over50,
        goal: "p50 ≤ 5, p99 ≤ 50",
        "load avg (1 min)": load.toFixed(2),
      },
    ]);
  } finally {
    for (const instance of [a, b]) {
      await instance.request({ cmd: "close" }).reply.catch(() => instance.kill());
      await instance.exited;
    }
    await database.drop();
  }
}
