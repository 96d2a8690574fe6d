import { describe, expect, it } from "vitest";
import * as cli from "../src/index.js";

describe("@mcpgate/cli public surface", () => {
  it("exports exactly these names", () => {
    expect(Object.keys(cli).sort()).toEqual(["run"]);
  });
});
