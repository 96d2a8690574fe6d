import { packageConfig } from "../../tsup.package.js";

export default [
  packageConfig({ index: "src/index.ts" }, { clean: false }),
  // ./testing is ESM-only on purpose: it runs inside vitest, which is ESM-only itself. The exports
  // map has no `require` for it, so `require("@mcpgate/core/testing")` fails at resolution with
  // ERR_PACKAGE_PATH_NOT_EXPORTED instead of half-loading. `pnpm build` empties dist first.
  packageConfig(
    { "testing/index": "src/testing/index.ts" },
    { format: ["esm"], external: ["vitest"], clean: false },
  ),
];
