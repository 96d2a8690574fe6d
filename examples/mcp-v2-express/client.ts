/** A v2 SDK client in the 2025 era (its default handshake, sessions): see ../mcp-v2-node/checks.ts. */
import { runChecks } from "../mcp-v2-node/checks.js";

await runChecks("legacy");
