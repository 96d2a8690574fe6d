import { createGate, MemoryStore } from "@mcpgate/core";
import { describe, expect, it } from "vitest";
import { createAdminHandler, type AdminOptions } from "../src/index.js";

const gate = createGate({ store: new MemoryStore(), lastUsed: false });
const owner = () => "me";

describe("admin options", () => {
  it.each([
    [{ gate }, /exactly one of owner/],
    [
      { gate, owner, adminTokenHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA" },
      /exactly one/,
    ],
    [{ gate: {}, owner }, /gate/],
    [{ gate, owner, basePath: "/admin/" }, /basePath/],
    [{ gate, owner, basePath: "/a/../b" }, /basePath/],
    [{ gate, owner, rotationDays: 0 }, /rotationDays/],
    [{ gate, owner, mcpUrl: "javascript:alert(1)" }, /mcpUrl/],
    [{ gate, adminTokenHash: "plaintext" }, /adminTokenHash/],
    [{ gate, owner, unknown: 1 }, /unrecognized|unknown/i],
  ])("throws a TypeError naming the field for %o", (options, message) => {
    expect(() => createAdminHandler(options as unknown as AdminOptions<unknown>)).toThrow(
      TypeError,
    );
    expect(() => createAdminHandler(options as unknown as AdminOptions<unknown>)).toThrow(message);
  });

  it("does not mutate the caller's options", () => {
    const options = Object.freeze({
      gate,
      owner,
      allowedOrigins: Object.freeze(["https://a.example"]),
    });
    expect(() => createAdminHandler(options)).not.toThrow();
  });
});
