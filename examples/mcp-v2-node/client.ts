/** A v2 SDK client pinned to the stateless 2026-07-28 revision: see ./checks.ts. */
import { runChecks } from "./checks.js";

await runChecks("modern");
