import { describe, expect, it } from "vitest";
import {
  InvalidKeyError,
  McpgateError,
  StoreUnavailableError,
  isMcpgateError,
  type AnyMcpgateError,
} from "../src/index.js";

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
