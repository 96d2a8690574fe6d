#!/usr/bin/env bash
# The official MCP conformance server scenarios (@modelcontextprotocol/conformance, pinned below)
# against examples/mcp-v2-conformance, per spec revision (2025-11-25: the legacy era; 2026-07-28:
# stateless): first the bare v2 SDK handler, then the same server through @mcpgate with the key in
# the URL path and as a Bearer header. Every scenario that passes bare must pass on both gated legs.
# Prints a table per revision; exits non-zero on any regression. Needs Node >= 22 for the suite:
# it runs on the Node 24 that `npx -y -p node@24` brings (cached by npm); the servers run on the
# default Node.
#   MCPGATE_CONFORMANCE_DIR   where to install the suite (default: ~/.cache/mcpgate-conformance)
set -euo pipefail
cd "$(dirname "$0")/.."
CONFORMANCE_VERSION=0.2.0-alpha.12
REVISIONS=(2025-11-25 2026-07-28)

dir="${MCPGATE_CONFORMANCE_DIR:-${HOME}/.cache/mcpgate-conformance}/$CONFORMANCE_VERSION"
if [[ ! -f "$dir/.installed" ]]; then
  mkdir -p "$dir"
  (
    cd "$dir"
    [[ -f package.json ]] || echo '{"private":true}' >package.json
    npm install --no-audit --no-fund --loglevel=error \
      "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" >&2
  )
  touch "$dir/.installed"
fi
cli="$dir/node_modules/@modelcontextprotocol/conformance/dist/index.js"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

tsx="$PWD/node_modules/.bin/tsx"
example="$PWD/examples/mcp-v2-conformance"

# start <name> <command...>: runs it in the background, waits for its READY line, prints the JSON.
start() {
  local name="$1"
  shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 300); do
    if grep -q '^READY ' "$work/$name.log"; then
      sed -n 's/^READY //p' "$work/$name.log" | head -1
      return 0
    fi
    sleep 0.1
  done
  echo "$name did not start:" >&2
  cat "$work/$name.log" >&2
  return 1
}
field() { node -e 'process.stdout.write(JSON.parse(process.argv[1])[process.argv[2]])' "$1" "$2"; }

bare_ready="$(cd "$example" && start bare env CONFORMANCE_MODE=bare PORT=0 "$tsx" --conditions=source server.ts)"
gated_ready="$(cd "$example" && start gated env CONFORMANCE_MODE=gated PORT=0 "$tsx" --conditions=source server.ts)"
gated_url="$(field "$gated_ready" url)"
key="$(field "$gated_ready" key)"
proxy_ready="$(cd "$example" && start proxy "$tsx" bearer-proxy.ts "$gated_url" "$key")"

declare -A urls=(
  [bare]="$(field "$bare_ready" url)"
  [path]="$gated_url/$key"
  [bearer]="$(field "$proxy_ready" url)"
)

status=0
for revision in "${REVISIONS[@]}"; do
  started=$SECONDS
  # The three legs run side by side (the suite mostly waits on its own timeouts). The suite exits
  # non-zero when any scenario fails, also on the bare server: the comparison below is the verdict.
  runs=()
  for leg in bare path bearer; do
    npx -y -p node@24 node "$cli" server --url "${urls[$leg]}" --requirements "$revision" \
      -o "$work/$revision-$leg" >"$work/$revision-$leg.txt" 2>&1 &
    runs+=("$!")
  done
  for run in "${runs[@]}"; do wait "$run" || true; done
  printf '(%s, three legs: %d s)\n' "$revision" $((SECONDS - started))
  node .ci/mcp-conformance-compare.mjs "$revision" "$work/$revision-bare" \
    "gated (path key)=$work/$revision-path" "gated (Bearer)=$work/$revision-bearer" || status=1
done
exit "$status"
