import { describe, expect, it } from "vitest";
import {
  InvalidKeyError,
  McpgateError,
  StoreUnavailableError,
  isMcpgateError,
  type AnyMcpgateError,
} from "../src/index.js";
import { copyError } from "../src/errors.js";

describe("McpgateError", () => {
  it("has a stable code, the subclass name and keeps the cause", () => {
    const cause = new Error("db down");
    const error = new StoreUnavailableError({ cause });
    expect(error).toBeInstanceOf(McpgateError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("StoreUnavailableError");
    expect(error.code).toBe("store_unavailable");
    expect(error.cause).toBe(cause);
  });

  it("isMcpgateError recognises errors from another copy of the package (Symbol.for brand)", () => {
    const foreign = Object.assign(new Error("x"), {
      [Symbol.for("@mcpgate/error")]: true,
      code: "invalid_key",
    });
    expect(isMcpgateError(foreign)).toBe(true);
    expect(isMcpgateError(new InvalidKeyError())).toBe(true);
    expect(isMcpgateError(new Error("x"))).toBe(false);
    expect(isMcpgateError({ code: "invalid_key" })).toBe(false);
    expect(isMcpgateError(null)).toBe(false);
    expect(isMcpgateError("invalid_key")).toBe(false);
  });

  it("narrows by code in a switch", () => {
    const describe = (error: AnyMcpgateError): string => {
      switch (error.code) {
        case "store_unavailable":
          return `retry in ${error.retryAfterSeconds}s`;
        default:
          return error.code;
      }
    };
    expect(describe(new StoreUnavailableError(undefined, 3))).toBe("retry in 3s");
    expect(describe(new InvalidKeyError())).toBe("invalid_key");
  });
});

describe("copyError (the cheap path for hot rejections)", () => {
  it("gives a fresh object of the same class with the same fields, indistinguishable to callers", () => {
    const template = new InvalidKeyError();
    const a = copyError(template);
    const b = copyError(template);
    expect(a).not.toBe(b);
    expect(a).not.toBe(template);
    for (const copy of [a, b]) {
      expect(copy).toBeInstanceOf(InvalidKeyError);
      expect(copy).toBeInstanceOf(Error);
      expect(isMcpgateError(copy)).toBe(true);
      expect(copy).toMatchObject({ code: "invalid_key", name: "InvalidKeyError" });
      expect(copy.message).toBe(template.message);
      expect(String(copy)).toBe("InvalidKeyError: The API key is invalid.");
    }
    (a as { extra?: number }).extra = 1;
    expect(b).not.toHaveProperty("extra");
  });
});
