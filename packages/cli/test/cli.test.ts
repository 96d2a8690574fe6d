/**
 * The real `mcpgate` binary (src/bin.ts through tsx, as users run the built one), against an
 * embedded PGlite directory and a real PostgreSQL server.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { MemoryStore, createGate } from "@mcpgate/core";
import { createPGliteStore } from "@mcpgate/store-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabase, type TestDatabase } from "../../store-postgres/test/pg-server.js";
import { mcpgate } from "./run-cli.js";

let workDir: string;
let database: TestDatabase;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "mcpgate-cli-"));
  database = await testDatabase("cli");
}, 120_000);

afterAll(async () => {
  await database?.drop();
  await rm(workDir, { recursive: true, force: true });
});

describe.each([
  ["PGlite (embedded directory)", () => join(workDir, "embedded")],
  ["PostgreSQL", () => database.url],
])("apps and keys on %s", (_, storeOf) => {
  const run = (args: string[], stdin?: string) =>
    mcpgate(["--store", storeOf(), ...args], {
      cwd: workDir,
      ...(stdin === undefined ? {} : { stdin }),
    });

  it("create prints the key once with snippets; list and show never show it; regenerate, update, delete", async () => {
    const created = await run([
      "apps",
      "create",
      "--name",
      "Cursor Laptop",
      "--tools",
      "search,fetch",
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { app, key, endpointWithKey, clients, envVar } = JSON.parse(created.stdout) as {
      app: { id: string; keyId: string };
      key: string;
      endpointWithKey: string;
      clients: { id: string; code?: string; note: string }[];
      envVar: string;
    };
    expect(key).toMatch(/^mgw_[A-Za-z0-9]{32}$/);
    expect(endpointWithKey).toBe(`http://127.0.0.1:3000/mcp/${key}`);
    expect(envVar).toBe("MCPGATE_KEY_CURSOR_LAPTOP");
    const cursor = clients.find((client) => client.id === "cursor")?.code ?? "";
    expect(cursor).not.toContain(key);
    expect(cursor).toContain("${env:MCPGATE_KEY_CURSOR_LAPTOP}");
    // A local endpoint gets no Claude connector URL: connectors are called from Anthropic's cloud.
    const connector = clients.find((client) => client.id === "claude-connector");
    expect(connector?.code).toBeUndefined();
    expect(connector?.note).toMatch(/public HTTPS URL/);

    const human = await run(["apps", "create", "--name", "other"]);
    expect(human.stdout).toMatch(/shown ONCE/);
    expect(human.stdout).toMatch(/need a public HTTPS URL/);
    expect(human.stdout).not.toMatch(/paste .* as a custom connector/i);

    const badUrl = await run(["apps", "create", "--name", "lost", "--url", "ftp://x/mcp"]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/--url/);
    expect((await run(["apps", "list"])).stdout).not.toContain("lost");

    for (const listing of [
      await run(["apps", "list"]),
      await run(["apps", "list", "--json"]),
      await run(["apps", "show", app.id]),
    ]) {
      expect(listing.code).toBe(0);
      expect(listing.stdout).toContain(`mgw_${app.keyId}…`);
      expect(listing.stdout).not.toContain(key.slice(12));
    }

    await expect(run(["keys", "verify"], `${key}\n`)).resolves.toMatchObject({
      code: 0,
      stdout: expect.stringContaining("Cursor Laptop"),
    });

    const refused = await run(["apps", "regenerate", app.id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    await expect(run(["keys", "verify"], key)).resolves.toMatchObject({ code: 0 });

    const regenerated = await run(["apps", "regenerate", app.id, "--yes"]);
    expect(regenerated.code).toBe(0);
    expect(regenerated.stdout).toContain(`The old key mgw_${app.keyId}… is dead now`);
    const fresh = /\b(mgw_[A-Za-z0-9]{32})\b/.exec(regenerated.stdout)?.[1] ?? "";
    await expect(run(["keys", "verify"], key)).resolves.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/Invalid key/),
    });
    await expect(run(["keys", "verify"], fresh)).resolves.toMatchObject({ code: 0 });

    const updated = await run(["apps", "update", app.id, "--tools", "search", "--json"]);
    expect(JSON.parse(updated.stdout)).toMatchObject({ policy: { tools: ["search"] } });

    await expect(run(["apps", "delete", app.id, "--yes"])).resolves.toMatchObject({ code: 0 });
    await expect(run(["keys", "verify"], fresh)).resolves.toMatchObject({ code: 1 });
    // Exit 4, not 1: 1 is reserved for "invalid key / keys found".
    await expect(run(["apps", "show", app.id])).resolves.toMatchObject({
      code: 4,
      stderr: expect.stringContaining("No app"),
    });
  }, 300_000);
});

describe("arguments", () => {
  const store = () => join(workDir, "args");
  const run = (args: string[], stdin?: string) =>
    mcpgate(["--store", store(), ...args], {
      cwd: workDir,
      ...(stdin === undefined ? {} : { stdin }),
    });

  it("keys verify refuses a key on the command line and never echoes it", async () => {
    const key = `mgw_${"A".repeat(32)}`;
    const result = await run(["keys", "verify", key]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/standard input/);
    expect(result.stderr + result.stdout).not.toContain("A".repeat(24));
  });

  it.each([
    [["frobnicate"], /Unknown command/],
    [["apps", "create"], /--name is required/],
    [["apps", "create", "--name", "x", "--tools", "bad tool"], /tools\.0/],
    [
      ["apps", "create", "--name", "x", "--bogus"],
      /^Unknown option --bogus for "apps create"\. Options: /,
    ],
    [
      ["apps", "create", "--nmae", "x"],
      /^Unknown option --nmae for "apps create"\. Did you mean --name\?/,
    ],
    [["apps", "regenerate", "app_1", "--yse"], /Did you mean --yes\?/],
    [["apps", "lsit"], /^Unknown command "apps lsit"\. Did you mean "apps list"\?/],
    [["apps", "create", "--name"], /^--name needs a value/],
    [["apps", "show"], /exactly one app id/],
    [["apps", "update", "app_x"], /nothing to update/],
    [["apps", "list", "--rotation-days", "soon"], /rotation-days/],
    [["scan", "--staged", "a.txt"], /no paths/],
  ])(
    "%j → exit 2 with a helpful message",
    async (args, message) => {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    },
    120_000,
  );

  it("--help works everywhere", async () => {
    await expect(run(["--help"])).resolves.toMatchObject({
      code: 0,
      stdout: expect.stringContaining("apps create"),
    });
    await expect(run(["apps", "regenerate", "--help"])).resolves.toMatchObject({
      code: 0,
      stdout: expect.stringContaining("--yes"),
    });
  });

  it("an unreachable store exits 3 and never prints the password", async () => {
    const result = await mcpgate(
      ["--store", "postgres://admin:hunter2@127.0.0.1:1/db", "apps", "list"],
      { cwd: workDir },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Cannot open the PostgreSQL store at postgres:\/\/admin:\*\*\*@/);
    expect(result.stderr).not.toContain("hunter2");
  });

  it("apps list flags keys older than the rotation period", async () => {
    const dir = join(workDir, "aged");
    const store = await createPGliteStore({ dataDir: dir, changeFeed: false });
    const longAgo = Date.now() - 120 * 86_400_000;
    await createGate({ store, clock: () => longAgo, lastUsed: false }).createApp({ name: "old" });
    await store.close();
    const listing = await mcpgate(["--store", dir, "apps", "list"], { cwd: workDir });
    expect(listing.stdout).toMatch(/120 d ⚠ rotate/);
    const relaxed = await mcpgate(["--store", dir, "apps", "list", "--rotation-days", "365"], {
      cwd: workDir,
    });
    expect(relaxed.stdout).not.toMatch(/rotate/);
  }, 60_000);
});

describe("scan", () => {
  it("finds keys by file:line:column, shows only their key id, ignores near-misses, exits 1", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcpgate-scan-"));
    const { key } = await createGate({ store: new MemoryStore(), lastUsed: false }).createApp({
      name: "x",
    });
    await writeFile(join(dir, "config.json"), `{\n  "url": "https://h/mcp/${key}"\n}\n`);
    await writeFile(
      join(dir, "near-misses.txt"),
      `mgw_short\nmgw-${key.slice(4)}\n${key}X\nmgw_${key.slice(5)}\n`,
    );
    await writeFile(
      join(dir, "binary.bin"),
      Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(key)]),
    );
    const found = await mcpgate(["scan", "."], { cwd: dir });
    expect(found.code).toBe(1);
    expect(found.stdout).toContain(`config.json:2:25: mgw_${key.slice(4, 12)}…`);
    expect(found.stdout).toContain(`binary.bin:1:4: mgw_${key.slice(4, 12)}…`);
    expect(found.stdout).not.toContain("near-misses");
    expect(found.stdout + found.stderr).not.toContain(key.slice(12));
    await rm(join(dir, "config.json"));
    await rm(join(dir, "binary.bin"));
    await expect(mcpgate(["scan"], { cwd: dir })).resolves.toMatchObject({ code: 0 });
    await rm(dir, { recursive: true, force: true });
  });

  it("--staged scans what is about to be committed, not the work tree", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcpgate-staged-"));
    const git = (...args: string[]) => promisify(execFile)("git", args, { cwd: dir });
    await git("init", "-q");
    const key = `mgw_${"Ab3".repeat(10)}xy`;
    await writeFile(join(dir, "app.env"), `KEY=${key}\n`);
    await git("add", "app.env");
    await writeFile(join(dir, "app.env"), "KEY=from-secret-store\n");
    const staged = await mcpgate(["scan", "--staged"], { cwd: dir });
    expect(staged.code).toBe(1);
    expect(staged.stdout).toContain("app.env:1:5");
    await expect(mcpgate(["scan"], { cwd: dir })).resolves.toMatchObject({ code: 0 });
    await rm(dir, { recursive: true, force: true });
  });
});
