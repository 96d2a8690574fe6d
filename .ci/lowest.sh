#!/usr/bin/env bash
# Runs the test suite at the LOWEST versions the packages allow, in a scratch copy of the working
# tree (the repository itself is not touched):
#   - dependencies: each package's dependency range is replaced by its lowest version (pnpm's
#     `resolutionMode: lowest-direct` alone would reuse a newer copy already in the workspace);
#   - peers: each package's devDependency on one of its peers is set to the lowest version of the
#     peer range's newest major (older majors that the range allows are tested by their own pins,
#     e.g. express 4 through `express4` in packages/node);
#   - the tools that run the tests (vitest, typescript, tsx, …, root devDependencies) stay at their
#     pins: this run is about what users install, not what we build with.
# Usage: .ci/lowest.sh [vitest args…]   (MCPGATE_TEST_PG_URL is passed through, see .ci/postgres.sh)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mcpgate-lowest.XXXXXX")
trap 'rm -rf "$work"' EXIT

cd "$repo"
git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null | tar -xf - -C "$work"
cd "$work"
rm -f pnpm-lock.yaml

node - <<'NODE'
const { readFileSync, writeFileSync, readdirSync } = require("node:fs");
// Lowest version of a range's newest alternative: "^4.21.0 || ^5.0.0" → 5.0.0, ">=0.2.0 <0.6.0" → 0.2.0.
const lowest = (range) => {
  const alternative = range.split("||").map((s) => s.trim()).at(-1);
  const version = /(\d+\.\d+\.\d+)/.exec(alternative)?.[1];
  if (!version) throw new Error(`cannot find the lowest version of peer range "${range}"`);
  return version;
};
for (const dir of readdirSync("packages")) {
  const file = `packages/${dir}/package.json`;
  const manifest = JSON.parse(readFileSync(file, "utf8"));
  for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
    if (range.startsWith("workspace:")) continue;
    manifest.dependencies[dependency] = lowest(range);
    console.log(`${manifest.name}: ${dependency} ${lowest(range)} (dependency ${range})`);
  }
  for (const [peer, range] of Object.entries(manifest.peerDependencies ?? {})) {
    if (manifest.devDependencies?.[peer] === undefined) continue;
    // .ci/mcp-sdk-matrix.sh runs the MCP suite at the SDK's floor already.
    if (peer === "@modelcontextprotocol/sdk") continue;
    manifest.devDependencies[peer] = lowest(range);
    console.log(`${manifest.name}: ${peer} ${lowest(range)} (peer ${range})`);
  }
  writeFileSync(file, JSON.stringify(manifest, null, 2) + "\n");
}
NODE

printf '\nresolutionMode: lowest-direct\n' >>pnpm-workspace.yaml
pnpm install --no-frozen-lockfile --reporter=append-only >install.log 2>&1 || {
  cat install.log
  exit 1
}
pnpm test "$@"
