import { packageConfig } from "../../tsup.package.js";

export default [
  packageConfig(["src/index.ts"], { clean: false }),
  // The executable: ESM only, with a shebang. `pnpm build` empties dist first (two parallel builds must not both clean it).
  {
    ...packageConfig(["src/bin.ts"], { format: ["esm"], dts: false, clean: false }),
    banner: { js: "#!/usr/bin/env node" },
  },
];
