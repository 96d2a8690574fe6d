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
        "EVENT_SCHEMA_VERSION",
        "GITHUB_SECRET_SCANNING_KEYS_URL",
        "GenerationConflictError",
        "HashingFailedError",
        "InternalError",
        "InvalidKeyError",
        "InvalidSignatureError",
        "KEY_ID_LENGTH",
        "KEY_LENGTH",
        "KEY_PATTERN",
        "KEY_PREFIX",
        "KEY_SECRET_LENGTH",
        "KeyInQueryError",
        "MalformedAuthorizationError",
        "MalformedKeyError",
        "MalformedPathError",
        "MalformedPayloadError",
        "McpgateError",
        "MemoryStore",
        "MissingCredentialsError",
        "OverloadedError",
        "PayloadTooLargeError",
        "RateLimitedError",
        "SigningKeysUnavailableError",
        "StoreUnavailableError",
        "ToolNotAllowedError",
        "authenticateFetchRequest",
        "challengeResponse",
        "createChallenger",
        "createCredentialExtractor",
        "createEventBus",
        "createGate",
        "createKeyHasher",
        "createLeakReceiver",
        "createRedactingSpanProcessor",
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
        "makeEvent",
        "needsRehash",
        "parseKey",
        "redactKey",
        "redactSpanAttributes",
        "redactUrl",
        "toAuthInfo",
        "toChallenge",
        "toJsonRpcErrorBody",
        "tokenHash",
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
