import { describe, expect, it } from "vitest";
import * as adapter from "../src/index.js";

describe("@mcpgate/express public surface", () => {
  it("exports exactly these names (a change here is a decision, not an accident)", () => {
    expect(Object.keys(adapter).sort()).toMatchInlineSnapshot(`
      [
        "mcpgate",
        "redactRequests",
      ]
    `);
  });
});
