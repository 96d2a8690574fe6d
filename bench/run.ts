/**
 * `pnpm bench`: every benchmark, side by side with its baseline, in one run on this machine.
 * `pnpm bench keys` runs one suite.
 */
import os from "node:os";
import { authenticateBench } from "./authenticate.bench.js";
import { httpBench } from "./http.bench.js";
import { keysBench } from "./keys.bench.js";
import { mcpBench } from "./mcp.bench.js";
import { mcpMemoryBench } from "./mcp-memory.bench.js";
import { postgresBench } from "./postgres.bench.js";
import { profileBench } from "./profile.js";
import { ratelimitBench } from "./ratelimit.bench.js";
import { redactBench } from "./redact.bench.js";
import { revocationBench } from "./revocation.bench.js";
import { scaleBench } from "./scale.bench.js";
import { threadpoolBench } from "./threadpool.bench.js";

const suites: Record<string, () => Promise<void>> = {
  keys: keysBench,
  authenticate: authenticateBench,
  redact: redactBench,
  postgres: postgresBench,
  http: httpBench,
  mcp: mcpBench,
  "mcp-memory": mcpMemoryBench,
  threadpool: threadpoolBench,
  ratelimit: ratelimitBench,
  scale: scaleBench,
  revocation: revocationBench,
};
/** Run only when named: `pnpm bench profile <adapter> [401]` (see profile.ts). */
const onDemand: Record<string, () => Promise<void>> = { profile: profileBench };

const wanted = process.argv.slice(2);
const demanded = onDemand[wanted[0] ?? ""];
console.log(
  `# @mcpgate benchmarks — Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}`,
);
if (demanded) await demanded();
else
  for (const [name, run] of Object.entries(suites)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    await run();
  }
