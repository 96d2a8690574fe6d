/** The checks do not depend on the framework serving the endpoint: see ../mcp-node/client.ts. */
import "../mcp-node/client.js";
