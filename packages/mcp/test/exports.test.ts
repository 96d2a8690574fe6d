import { describe, expect, it } from "vitest";
import * as mcp from "../src/index.js";
import * as v2 from "../src/v2/index.js";

describe("@mcpgate/mcp public surface", () => {
  it("exports exactly these names (a change here is a decision, not an accident)", () => {
    expect(Object.keys(mcp).sort()).toMatchInlineSnapshot(`
      [
        "MemoryEventStore",
        "createMcpEndpoint",
        "createMcpHandler",
      ]
    `);
  });

  it("keeps createMcpHandler as an alias of createMcpEndpoint", () => {
    expect(mcp.createMcpHandler).toBe(mcp.createMcpEndpoint);
  });

  it("@mcpgate/mcp/v2 exports exactly these names", () => {
    expect(Object.keys(v2).sort()).toMatchInlineSnapshot(`
      [
        "createMcpEndpoint",
      ]
    `);
  });
});
