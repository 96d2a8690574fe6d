/**
 * An SDK 1.x client against the v2 server: the same checks as the 1.x examples, see
 * ../mcp-node/client.ts. Existing 1.x clients keep working when a server moves to v2.
 */
import "../mcp-node/client.js";
