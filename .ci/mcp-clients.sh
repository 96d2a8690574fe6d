#!/usr/bin/env bash
# Installs the real MCP clients the real-client tests drive (MCP Inspector CLI, mcp-remote) once,
# into a cache directory that later runs reuse, and prints that directory. Pinned versions: a new
# client release is a deliberate bump here. Inspector needs Node >= 22; the tests run it with the
# Node 24 that `npx -y -p node@24` brings (also cached by npm).
#   MCPGATE_CLIENTS_DIR   where to install (default: ~/.cache/mcpgate-mcp-clients)
set -euo pipefail
INSPECTOR_VERSION=2.12.0
MCP_REMOTE_VERSION=0.15.1
dir="${MCPGATE_CLIENTS_DIR:-${HOME}/.cache/mcpgate-mcp-clients}"
stamp="$dir/.installed-$INSPECTOR_VERSION-$MCP_REMOTE_VERSION"
if [[ ! -f "$stamp" ]]; then
  mkdir -p "$dir"
  (
    cd "$dir"
    [[ -f package.json ]] || echo '{"private":true}' >package.json
    npm install --no-audit --no-fund --loglevel=error \
      "@modelcontextprotocol/inspector@$INSPECTOR_VERSION" "mcp-remote@$MCP_REMOTE_VERSION" >&2
    # Warm the Node 24 that runs the Inspector CLI.
    npx -y -p node@24 node --version >&2
  )
  touch "$stamp"
fi
echo "$dir"
