#!/usr/bin/env bash
# Runs the @mcpgate/mcp test suite against the lowest and the newest @modelcontextprotocol/sdk 1.x
# that packages/mcp/package.json allows (the newest only when it is not the version the workspace
# pins, which `pnpm test` runs anyway): the committed tree is copied to a scratch directory, the
# SDK is pinned there with a pnpm override, and `vitest run packages/mcp` runs (the real-client
# tests are left out: they do not depend on the server's SDK version and have their own step).
#   usage: .ci/mcp-sdk-matrix.sh [version…]   (default: the declared floor and the newest 1.x)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
floor="$(node -p 'require(process.argv[1]).peerDependencies["@modelcontextprotocol/sdk"].replace(/^[^0-9]*/, "")' "$repo/packages/mcp/package.json")"
if [[ $# -gt 0 ]]; then
  versions=("$@")
else
  newest="$(npm view '@modelcontextprotocol/sdk@^1' version --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(Array.isArray(v)?v[v.length-1]:v)})')"
  tested="$(node -p 'require(process.argv[1]).devDependencies["@modelcontextprotocol/sdk"]' "$repo/packages/mcp/package.json")"
  versions=("$floor")
  # The newest is usually the version the workspace pins, which `pnpm test` already runs.
  if [[ "$newest" != "$tested" ]]; then versions+=("$newest"); else echo "SDK $newest: covered by pnpm test"; fi
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
status=0
for version in "${versions[@]}"; do
  dir="$scratch/$version"
  mkdir -p "$dir"
  git -C "$repo" archive HEAD | tar -x -C "$dir"
  node -e '
    const fs = require("node:fs");
    const [file, version] = process.argv.slice(1);
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    pkg.pnpm = { ...pkg.pnpm, overrides: { ...pkg.pnpm?.overrides, "@modelcontextprotocol/sdk": version } };
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2));
  ' "$dir/package.json" "$version"
  printf '\n=== @modelcontextprotocol/sdk %s ===\n' "$version"
  (cd "$dir" && pnpm install --no-frozen-lockfile --prefer-offline --reporter=silent >/dev/null)
  installed="$(node -p 'require(process.argv[1]).version' "$(cd "$dir/packages/mcp" && realpath node_modules/@modelcontextprotocol/sdk)/package.json")"
  if [[ "$installed" != "$version" ]]; then
    echo "expected SDK $version, got $installed" >&2
    status=1
    continue
  fi
  if ! (cd "$dir" && pnpm vitest run packages/mcp --exclude '**/real-clients.test.ts' --reporter=dot); then
    status=1
  fi
done
exit "$status"
