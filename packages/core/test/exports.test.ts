import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";

describe("@mcpgate/core public surface", () => {
  it("exports exactly these names (a change here is a decision, not an accident)", () => {
    expect(Object.keys(core).sort()).toMatchInlineSnapshot(`
      [
        "AppNotFoundError",
        "ConflictingCredentialsError",
        "DuplicateKeyIdError",
        "GenerationConflictError",
        "HashingFailedError",
        "InvalidKeyError",
        "KEY_ID_LENGTH",
        "KEY_LENGTH",
        "KEY_PATTERN",
        "KEY_PREFIX",
        "KEY_SECRET_LENGTH",
        "KeyInQueryError",
        "MalformedAuthorizationError",
        "MalformedKeyError",
        "McpgateError",
        "MissingCredentialsError",
        "OverloadedError",
        "RateLimitedError",
        "StoreUnavailableError",
        "ToolNotAllowedError",
        "createChallenger",
        "createKeyHasher",
        "formatKeyId",
        "generateKey",
        "hashKey",
        "isKey",
        "isMcpgateError",
        "needsRehash",
        "parseKey",
        "redactKey",
        "redactUrl",
        "toChallenge",
        "verifyKeyHash",
      ]
    `);
  });
});
