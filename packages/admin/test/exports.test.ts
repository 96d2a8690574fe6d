import { describe, expect, it } from "vitest";
import * as admin from "../src/index.js";

describe("@mcpgate/admin public surface", () => {
  it("exports exactly these names (a change here is a decision, not an accident)", () => {
    expect(Object.keys(admin).sort()).toMatchInlineSnapshot(`
      [
        "ADMIN_TOKEN_PATTERN",
        "CSRF_HEADER",
        "adminMiddleware",
        "adminPlugin",
        "createAdminHandler",
        "issueAdminToken",
      ]
    `);
  });
});
