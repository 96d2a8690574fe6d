#!/usr/bin/env bash
# Checks the current package as it will be published: publint (which packs with pnpm, so
# `publishConfig` applies) and @arethetypeswrong/cli on the same `pnpm pack` tarball (attw's own
# `--pack` would use npm, which ignores publishConfig.exports). Extra arguments go to attw.
# Run from a package directory, after `pnpm build`: `pnpm check:package`.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
publint --strict
tarball=$(pnpm pack --pack-destination "$out" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).filename))')
attw "$tarball" --profile node16 "$@"
