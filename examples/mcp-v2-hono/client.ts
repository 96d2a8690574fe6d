/** A v2 SDK client pinned to 2026-07-28 against Hono: see ../mcp-v2-node/checks.ts. */
import { runChecks } from "../mcp-v2-node/checks.js";

await runChecks("modern");
