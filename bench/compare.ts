/**
 * Runs a group of tasks side by side, interleaved in rounds (each round runs every task in turn),
 * and prints each against the group's baseline (the first task): ops/s, the median of the rounds'
 * mean times, and the ratio to the baseline's.
 */
import { Bench } from "tinybench";

export interface Task {
  name: string;
  fn: () => unknown;
  /** Runs once before the task is measured (e.g. registers a global provider). */
  beforeAll?: () => void | Promise<void>;
  /** Runs once after it (undoes `beforeAll`). */
  afterAll?: () => void | Promise<void>;
}

export interface GroupOptions {
  /** Measuring time per task in ms (default 500). */
  time?: number;
  iterations?: number;
  /** Rounds, each running every task in turn for `time / rounds` ms; the median mean is shown. */
  rounds?: number;
}

/** A drift of a shared machine during one task's turn shows in one round, not in the median. */
const ROUNDS = Number(process.env.MCPGATE_BENCH_ROUNDS) || 5;

function formatTime(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  return `${(ns / 1_000_000).toFixed(2)} ms`;
}

export async function compare(
  title: string,
  baseline: Task,
  others: Task[],
  options: GroupOptions = {},
): Promise<void> {
  const tasks = [baseline, ...others];
  const rounds = options.rounds ?? ROUNDS;
  const means = tasks.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      time: (options.time ?? 500) / rounds,
      iterations: options.iterations ?? 10,
      warmup: round === 0,
    });
    for (const task of tasks) {
      const hooks = {
        ...(task.beforeAll ? { beforeAll: task.beforeAll } : {}),
        ...(task.afterAll ? { afterAll: task.afterAll } : {}),
      };
      bench.add(task.name, task.fn, hooks);
    }
    await bench.run();
    tasks.forEach((task, i) => {
      const result = bench.getTask(task.name)?.result;
      if (!result || !("latency" in result)) throw new Error(`task ${task.name} did not complete`);
      means[i]?.push(result.latency.mean * 1e6);
    });
  }

  const medianNs = (i: number) => {
    const sorted = [...(means[i] ?? [])].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  const base = medianNs(0);
  const rows = tasks.map((task, i) => {
    const ns = medianNs(i);
    return {
      task: task.name,
      "ops/s": Math.round(1e9 / ns).toLocaleString("en-US"),
      mean: formatTime(ns),
      "× baseline": task === baseline ? "1.00 (baseline)" : (ns / base).toFixed(2),
    };
  });
  console.log(`\n## ${title} (median of ${rounds} rounds)`);
  console.table(rows);
}
