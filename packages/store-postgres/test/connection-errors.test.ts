import { StoreUnavailableError } from "@mcpgate/core";
import { describe, expect, it } from "vitest";
import { createPostgresStore } from "../src/index.js";

describe("opening a PostgreSQL store", () => {
  it.each([
    "mysql://root:pw@127.0.0.1/db",
    "http://127.0.0.1:5432/db",
    "127.0.0.1:5432",
    "postgres://[bad",
    "",
  ])("rejects %j at construction with a TypeError naming connectionString", async (url) => {
    const error = await createPostgresStore({ connectionString: url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/connectionString: must be a postgres:\/\//);
  });

  it("a refused connection is store_unavailable saying where and why, password redacted, pg's error as cause", async () => {
    const error = await createPostgresStore({
      connectionString: "postgresql://admin:hunter2@127.0.0.1:1/app",
      connectionTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const { code, message, cause } = error as StoreUnavailableError;
    expect(code).toBe("store_unavailable");
    expect(message).toContain("postgresql://admin:***@127.0.0.1:1/app");
    expect(message).toMatch(/ECONNREFUSED.*is PostgreSQL running/);
    expect(message).not.toContain("hunter2");
    expect((cause as { code?: string }).code).toBe("ECONNREFUSED");
    expect(String((cause as Error).stack)).not.toContain("hunter2");
  });
});
