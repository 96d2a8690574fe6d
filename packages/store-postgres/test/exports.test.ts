import { describe, expect, it } from "vitest";
import * as storePostgres from "../src/index.js";

describe("@mcpgate/store-postgres public surface", () => {
  it("exports exactly these names (a change here is a decision, not an accident)", () => {
    expect(Object.keys(storePostgres).sort()).toMatchInlineSnapshot(`
      [
        "SCHEMA_VERSION",
        "createPGliteStore",
        "createPostgresAuditReader",
        "createPostgresAuditSink",
        "createPostgresRateLimiter",
        "createPostgresStore",
      ]
    `);
  });
});
