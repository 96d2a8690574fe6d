/**
 * Starts `count` processes (rate-limit-instance.ts) on one database and has them hammer one app's
 * rate limit at once; resolves their reports. Used by rate-limiter.test.ts and `pnpm bench ratelimit`.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { HammerOrder, HammerReport } from "./rate-limit-instance.js";

export type { HammerOrder, HammerReport } from "./rate-limit-instance.js";

export async function hammerFromProcesses(
  url: string,
  order: HammerOrder,
  count: number,
): Promise<HammerReport[]> {
  const children = Array.from({ length: count }, () =>
    fork(fileURLToPath(new URL("./rate-limit-instance.ts", import.meta.url)), {
      execArgv: ["--conditions=source", "--import", "tsx"],
      env: { ...process.env, MCPGATE_INSTANCE_PG_URL: url },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  );
  try {
    // Every process is up before any starts, so they hammer at the same time.
    await Promise.all(children.map((child) => new Promise((r) => child.once("message", r))));
    return await Promise.all(
      children.map(
        (child) =>
          new Promise<HammerReport>((resolve, reject) => {
            child.once("message", (report: HammerReport) => resolve(report));
            child.once("exit", (code) => code !== 0 && reject(new Error(`instance exit ${code}`)));
            child.send(order);
          }),
      ),
    );
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}
