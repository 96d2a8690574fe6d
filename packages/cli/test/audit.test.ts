/**
 * `mcpgate audit` through the real binary against the PostgreSQL audit sink's table on a real
 * server: filters, the table and `--json`, redaction, errors, and `--follow` until SIGINT.
 */
import { spawn } from "node:child_process";
import { makeEvent, type McpgateEvent } from "@mcpgate/core";
import { createPostgresAuditSink } from "@mcpgate/store-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabase, type TestDatabase } from "../../store-postgres/test/pg-server.js";
import { testPool, type TestPool } from "../../store-postgres/test/pool.js";
import { bin, mcpgate, tsxLoader } from "./run-cli.js";

let database: TestDatabase;
let pool: TestPool;
const start = Date.UTC(2026, 10, 30, 8);
const KEY = `mgw_abcdefgh${"Z9y8".repeat(6)}`;

beforeAll(async () => {
  database = await testDatabase("cli_audit");
  pool = testPool(database.url);
  const sink = createPostgresAuditSink({ pool, tablePrefix: "cli_" });
  await sink.migrate();
  for (let i = 0; i < 12; i++) {
    sink.listener(
      makeEvent(
        i % 3 === 0
          ? { type: "auth.failed", reason: "invalid_key", keyId: "zzzzzzzz", source: "header" }
          : {
              type: "auth.succeeded",
              appId: `app_${i % 2}`,
              keyId: `keyid00${i % 2}`,
              source: "path",
            },
        start + i * 60_000,
      ),
    );
  }
  await sink.close();
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const audit = (...args: string[]) =>
  mcpgate(["--store", database.url, "audit", "--table-prefix", "cli_", ...args], {
    cwd: process.cwd(),
  });
const lines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as McpgateEvent & { appId?: string; keyId?: string });

describe("mcpgate audit", () => {
  it("filters by app, key id, type and time; --json is one event per line, oldest first", async () => {
    const byApp = await audit("--app", "app_1", "--json");
    expect(byApp.code, byApp.stderr).toBe(0);
    const events = lines(byApp.stdout);
    expect(events.map((e) => e.at)).toEqual(
      [1, 5, 7, 11].map((m) => new Date(start + m * 60_000).toISOString()),
    );
    expect(events.every((e) => e.appId === "app_1")).toBe(true);

    const byKey = lines((await audit("--key-id", "mgw_keyid000…", "--json")).stdout);
    expect(byKey.map((e) => e.keyId)).toEqual(["keyid000", "keyid000", "keyid000", "keyid000"]);

    const window = await audit(
      "--type",
      "auth.failed",
      "--since",
      new Date(start + 60_000).toISOString(),
      "--until",
      new Date(start + 9 * 60_000).toISOString(),
      "--json",
    );
    expect(lines(window.stdout).map((e) => e.at)).toEqual(
      [3, 6].map((m) => new Date(start + m * 60_000).toISOString()),
    );
    const newest = lines((await audit("--limit", "2", "--json")).stdout);
    expect(newest.map((e) => e.at)).toEqual(
      [10, 11].map((m) => new Date(start + m * 60_000).toISOString()),
    );
    const recent = await audit("--since", "1h", "--json");
    expect(recent.stdout).toBe("");
  }, 120_000);

  it("prints a table by default, and never a key, even one a row should not hold", async () => {
    // Events never hold keys; a hand-written row that does is still printed redacted.
    await pool.query(
      `INSERT INTO cli_mcpgate_audit (at, type, app_id, key_id, event) VALUES ($1, $2, $3, $4, $5)`,
      [
        new Date(start + 30 * 60_000),
        "tool.refused",
        "app_odd",
        "abcdefgh",
        JSON.stringify({
          version: 1,
          at: new Date(start + 30 * 60_000).toISOString(),
          type: "tool.refused",
          appId: "app_odd",
          keyId: "abcdefgh",
          tool: `leak ${KEY}\u001b[2J`,
        }),
      ],
    );
    const table = await audit("--app", "app_odd");
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^AT +TYPE +APP +KEY +DETAILS\n/);
    expect(table.stdout).toMatch(/tool\.refused +app_odd +mgw_abcdefgh… +tool="leak mgw_abcd/);
    expect(table.stdout).not.toContain(KEY.slice(12));
    expect(table.stdout).not.toContain("\u001b");
    const json = await audit("--app", "app_odd", "--json");
    expect(json.stdout).not.toContain(KEY.slice(12));
  }, 120_000);

  it("exits 2 for a store that is not PostgreSQL or a bad filter, 3 without an audit table", async () => {
    const embedded = await mcpgate(["--store", "./dir", "audit"], { cwd: process.cwd() });
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toMatch(/postgres:\/\//);
    await expect(audit("--since", "yesterday")).resolves.toMatchObject({ code: 2 });
    await expect(audit("--limit", "0")).resolves.toMatchObject({ code: 2 });
    const missing = await mcpgate(
      ["--store", database.url, "audit", "--table-prefix", "nothing_"],
      { cwd: process.cwd() },
    );
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/No audit table nothing_mcpgate_audit.*migrate\(\)/);
  }, 120_000);

  it("--follow prints new events as they are written and exits 0 on SIGINT", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        tsxLoader,
        "--conditions=source",
        bin,
        "--store",
        database.url,
        "audit",
        "--table-prefix",
        "cli_",
        "--app",
        "app_live",
        "--follow",
        "--interval",
        "1s",
      ],
      { env: { ...process.env, NODE_OPTIONS: "" }, stdio: ["pipe", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const until = async (condition: () => boolean, what: string) => {
      const deadline = Date.now() + 60_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await until(() => stdout.startsWith("AT"), "the header");
      const sink = createPostgresAuditSink({ pool, tablePrefix: "cli_" });
      sink.listener(makeEvent({ type: "key.deleted", appId: "app_live" }));
      sink.listener(makeEvent({ type: "key.deleted", appId: "app_other" }));
      await sink.close();
      await until(() => stdout.includes("app_live"), "the new event");
      expect(stdout).not.toContain("app_other");
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(stderr).toBe("");
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);
});
