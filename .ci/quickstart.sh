#!/usr/bin/env bash
# Follows the README quickstart verbatim in a fresh clone: every command of the first ```sh block,
# except the test command (CI runs the whole suite as its own step). A newcomer's first screen must be
# clean: any pnpm warning (e.g. "Failed to create bin" for an unbuilt package) fails the step.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet "$repo" "$work/mcpgate"
cd "$work/mcpgate"
commands=$(awk '/^```sh$/{inside=1; next} inside && /^```$/{exit} inside' README.md | sed 's/[[:space:]]*#.*$//' | grep -v '^[[:space:]]*$' | grep -vx 'pnpm test')
if [[ -z "$commands" ]]; then
  echo "no quickstart commands found in README.md" >&2
  exit 1
fi
log="$work/output.log"
while IFS= read -r command; do
  echo "\$ $command"
  bash -c "$command" 2>&1 | tee -a "$log"
done <<<"$commands"
if grep -E '(^| )WARN |Failed to create bin' "$log"; then
  echo "the quickstart printed warnings (above): a newcomer's first screen must be clean" >&2
  exit 1
fi
