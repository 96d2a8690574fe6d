/**
 * Runs a group of tasks side by side in one tinybench run and prints each against the group's
 * baseline (the first task): ops/s, mean time, and the ratio mean / baseline mean.
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
}

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
  const bench = new Bench({
    time: options.time ?? 500,
    iterations: options.iterations ?? 10,
    warmup: true,
  });
  for (const task of [baseline, ...others]) {
    const hooks = {
      ...(task.beforeAll ? { beforeAll: task.beforeAll } : {}),
      ...(task.afterAll ? { afterAll: task.afterAll } : {}),
    };
    bench.add(task.name, task.fn, hooks);
  }
  await bench.run();

  const meanNs = (name: string) => {
    const result = bench.getTask(name)?.result;
    if (!result || !("latency" in result)) throw new Error(`task ${name} did not complete`);
    return result.latency.mean * 1e6;
  };
  const base = meanNs(baseline.name);
  const rows = [baseline, ...others].map((task) => {
    const ns = meanNs(task.name);
    return {
      task: task.name,
      "ops/s": Math.round(1e9 / ns).toLocaleString("en-US"),
      mean: formatTime(ns),
      "× baseline": task === baseline ? "1.00 (baseline)" : (ns / base).toFixed(2),
    };
  });
  console.log(`\n## ${title}`);
  console.table(rows);
}
