// Compares official MCP conformance results (one `conformance server -o <dir>` output per leg):
// every scenario that passes on the bare v2 server must pass through the gate, on every gated leg.
// A scenario passes when none of its checks is a FAILURE (warnings are the suite's SHOULDs). Within
// a scenario that fails bare, each check that succeeds bare must still succeed gated.
//   node .ci/mcp-conformance-compare.mjs <revision> <bare dir> <leg name>=<dir>...
// Prints one table row per scenario; exits 1 on a regression or when the bare server passed nothing.
// Regressions listed in .ci/mcp-conformance-known.txt ("<revision> <scenario>") are reported but
// tolerated; a listed one that no longer regresses fails the run, so the list cannot go stale.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [revision, bareDir, ...legArgs] = process.argv.slice(2);
if (!revision || !bareDir || legArgs.length === 0) {
  console.error("usage: mcp-conformance-compare.mjs <revision> <bare dir> <leg>=<dir>...");
  process.exit(2);
}

/** scenario name → { passed, failed, successes: check id → count } for one results directory. */
function read(dir) {
  const results = new Map();
  for (const entry of readdirSync(dir)) {
    // `server-<scenario>-<ISO timestamp with dashes>`, e.g. server-tools-list-2026-11-30T09-53-43-962Z
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry)?.[1];
    if (!scenario) continue;
    const file = join(dir, entry, "checks.json");
    // No checks written: the scenario crashed or timed out, which counts as a failed check.
    const checks = existsSync(file)
      ? JSON.parse(readFileSync(file, "utf8"))
      : [{ id: "scenario-ran", status: "FAILURE" }];
    const failed = checks.filter((check) => check.status === "FAILURE").length;
    const passed = checks.filter((check) => check.status === "SUCCESS").length;
    const successes = new Map();
    for (const check of checks) {
      if (check.status === "SUCCESS") successes.set(check.id, (successes.get(check.id) ?? 0) + 1);
    }
    results.set(scenario, { passed, failed, successes });
  }
  return results;
}

const knownFile = new URL("mcp-conformance-known.txt", import.meta.url);
const known = new Set(
  (existsSync(knownFile) ? readFileSync(knownFile, "utf8") : "")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim().split(/\s+/))
    .filter(([rev, scenario]) => rev === revision && scenario)
    .map(([, scenario]) => scenario),
);

const bare = read(bareDir);
const legs = legArgs.map((arg) => {
  const [name, dir] = arg.split("=");
  return { name, results: read(dir) };
});
const cell = (result) =>
  result === undefined
    ? "missing"
    : `${result.failed === 0 ? "pass" : "FAIL"} ${result.passed}/${result.passed + result.failed}`;

const rows = [];
const regressions = [];
const knownSeen = new Set();
for (const [scenario, result] of [...bare].sort(([a], [b]) => a.localeCompare(b))) {
  const row = { scenario, bare: cell(result) };
  for (const leg of legs) {
    const gated = leg.results.get(scenario);
    row[leg.name] = cell(gated);
    const lostChecks = [...result.successes].filter(
      ([id, count]) => (gated?.successes.get(id) ?? 0) < count,
    );
    if ((result.failed === 0 && (gated === undefined || gated.failed > 0)) || lostChecks.length) {
      const which = lostChecks.map(([id]) => id).join(", ");
      if (known.has(scenario)) {
        knownSeen.add(scenario);
        row[leg.name] += "  <- known regression";
      } else {
        regressions.push(`${scenario} (${leg.name}${which ? `: ${which}` : ""})`);
        row[leg.name] += "  <- regression";
      }
    }
  }
  rows.push(row);
}

const bareNames = (result) => [...result].filter(([, r]) => r.failed === 0).length;
console.log(`\n## MCP conformance ${revision}: bare v2 server vs through @mcpgate`);
console.table(rows);
console.log(
  `bare: ${bareNames(bare)}/${bare.size} scenarios pass; ` +
    legs.map((leg) => `${leg.name}: ${bareNames(leg.results)}/${leg.results.size}`).join("; "),
);
if (bareNames(bare) === 0) {
  console.error("the bare server passed no scenario: the run itself is broken");
  process.exit(1);
}
for (const scenario of knownSeen) {
  console.warn(`KNOWN REGRESSION (.ci/mcp-conformance-known.txt): ${revision} ${scenario}`);
}
const stale = [...known].filter((scenario) => !knownSeen.has(scenario));
if (stale.length > 0) {
  console.error(`listed as known but passing now, remove from the list: ${stale.join(", ")}`);
  process.exit(1);
}
if (regressions.length > 0) {
  console.error(`passes bare, fails through the gate: ${regressions.join(", ")}`);
  process.exit(1);
}
