import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import * as testing from "../src/testing/index.js";

describe("@mcpgate/core public surface", () => {
  it("exports exactly these names (a change here is a decision, not an accident)", () => {
    expect(Object.keys(core).sort()).toMatchInlineSnapshot(`
      [
        "AppNotFoundError",
        "ConflictingCredentialsError",
        "DuplicateKeyIdError",
        "GenerationConflictError",
        "HashingFailedError",
        "InternalError",
        "InvalidKeyError",
        "KEY_ID_LENGTH",
        "KEY_LENGTH",
        "KEY_PATTERN",
        "KEY_PREFIX",
        "KEY_SECRET_LENGTH",
        "KeyInQueryError",
        "MalformedAuthorizationError",
        "MalformedKeyError",
        "MalformedPathError",
        "McpgateError",
        "MemoryStore",
        "MissingCredentialsError",
        "OverloadedError",
        "RateLimitedError",
        "StoreInsecureError",
        "StoreLockedError",
        "StoreUnavailableError",
        "ToolNotAllowedError",
        "authenticateFetchRequest",
        "challengeResponse",
        "clientSnippets",
        "createChallenger",
        "createCredentialExtractor",
        "createGate",
        "createKeyHasher",
        "createUrlCleaner",
        "extractCredential",
        "formatKeyId",
        "generateKey",
        "hashKey",
        "isGate",
        "isKey",
        "isMcpgateError",
        "isPromptAllowed",
        "isResourceAllowed",
        "isToolAllowed",
        "needsRehash",
        "parseKey",
        "redactKey",
        "redactUrl",
        "toAuthInfo",
        "toChallenge",
        "toJsonRpcErrorBody",
        "verifyKeyHash",
        "withPolicyDefaults",
        "zodFieldError",
      ]
    `);
  });

  it("@mcpgate/core/testing exports exactly these names", () => {
    expect(Object.keys(testing).sort()).toEqual([
      "runStoreConformance",
      "sampleRecord",
      "withOutage",
    ]);
  });
});
