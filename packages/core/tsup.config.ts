import { packageConfig } from "../../tsup.package.js";

export default packageConfig(
  { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
  { external: ["vitest"] },
);
