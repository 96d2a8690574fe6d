#!/usr/bin/env node
// The `mcpgate` executable: a committed shim rather than dist/bin.js itself, so that installing the
// workspace before the first build links the bin cleanly. Published packages always ship dist.
import { existsSync } from "node:fs";

const entry = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("mcpgate: not built yet; run `pnpm build` in the repository first\n");
  process.exit(2);
}
await import(entry.href);
