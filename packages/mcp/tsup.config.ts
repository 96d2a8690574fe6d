import { packageConfig } from "../../tsup.package.js";

// Two entries: `.` on SDK 1.x, `./v2` on SDK v2. Code they share (the rules) imports neither SDK,
// so each entry loads only its own SDK.
export default packageConfig({ index: "src/index.ts", "v2/index": "src/v2/index.ts" });
