/**
 * Does a burst of cold keys starve the host's own threadpool work? Argon2 runs on libuv's
 * threadpool (UV_THREADPOOL_SIZE, default 4), as do fs, dns.lookup and zlib. This measures
 * fs.readFile latency while a burst of cold keys is verified, for the old default concurrency
 * (the whole threadpool) and the new one (the threadpool minus 2), against an idle baseline.
 */
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MemoryStore, createGate } from "@mcpgate/core";

const BURST = 48;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** fs.readFile latencies (ms), one read after another, until `done` settles. */
async function readLatencies(file: string, done: Promise<unknown>): Promise<number[]> {
  let finished = false;
  void done.finally(() => (finished = true));
  const samples: number[] = [];
  while (!finished) {
    const started = performance.now();
    await readFile(file);
    samples.push(performance.now() - started);
  }
  return samples;
}

export async function threadpoolBench(): Promise<void> {
  const file = path.join(os.tmpdir(), `mcpgate-threadpool-${process.pid}.txt`);
  await writeFile(file, "x".repeat(4096));
  const store = new MemoryStore();
  const creator = createGate({ store, lastUsed: false });
  const keys: string[] = [];
  for (let i = 0; i < BURST; i++) keys.push((await creator.createApp({ name: `a${i}` })).key);

  const idle = await readLatencies(file, new Promise((r) => setTimeout(r, 300)));
  const rows: Record<string, string | number>[] = [];
  const row = (name: string, samples: number[], burstMs?: number) => {
    const sorted = [...samples].sort((a, b) => a - b);
    rows.push({
      case: name,
      reads: samples.length,
      "p50 ms": percentile(sorted, 0.5).toFixed(2),
      "p99 ms": percentile(sorted, 0.99).toFixed(2),
      "max ms": (sorted.at(-1) ?? Number.NaN).toFixed(2),
      "burst ms": burstMs === undefined ? "-" : burstMs.toFixed(0),
    });
  };
  row("idle (no burst)", idle);
  const threadpool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  for (const [name, concurrency] of [
    [`concurrency ${threadpool} (old default: whole threadpool)`, threadpool],
    [
      `concurrency ${Math.max(1, threadpool - 2)} (new default: threadpool − 2)`,
      Math.max(1, threadpool - 2),
    ],
  ] as const) {
    for (let round = 0; round < 2; round++) {
      const gate = createGate({
        store,
        lastUsed: false,
        verification: { concurrency, maxQueue: BURST },
      });
      const started = performance.now();
      const burst = Promise.all(keys.map((key) => gate.authenticate(key)));
      const samples = await readLatencies(file, burst);
      await burst;
      row(`${name}, run ${round + 1}`, samples, performance.now() - started);
    }
  }
  console.log(
    `\n## fs.readFile latency during a burst of ${BURST} cold keys (UV_THREADPOOL_SIZE=${threadpool}, ${os.availableParallelism()} CPUs)`,
  );
  console.table(rows);
}
