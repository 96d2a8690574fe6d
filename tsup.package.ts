/**
 * The one tsup configuration of every published package: dual ESM + CJS with `.d.ts`/`.d.cts`,
 * Node 20 target. A package's tsup.config.ts only names its entries.
 */
import type { Options } from "tsup";

export function packageConfig(entry: Options["entry"], extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node20",
    platform: "node",
    ...extra,
  };
}
