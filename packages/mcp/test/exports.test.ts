import { describe, expect, it } from "vitest";
import * as mcp from "../src/index.js";

describe("@mcpgate/mcp public surface", () => {
  it("exports exactly these names (a change here is a decision, not an accident)", () => {
    expect(Object.keys(mcp).sort()).toMatchInlineSnapshot(`
      [
        "MemoryEventStore",
        "createMcpHandler",
      ]
    `);
  });
});
