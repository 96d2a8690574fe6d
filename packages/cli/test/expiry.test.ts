/**
 * Key expiry in the CLI (`--expires-in`, the EXPIRES column, `apps due`, `keys verify` of an
 * expired key) and the leak-response link of `scan`, through the real binary on PGlite.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStore, createGate } from "@mcpgate/core";
import { createPGliteStore } from "@mcpgate/store-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEAK_RESPONSE_URL } from "../src/docs-links.js";
import { mcpgate, repo } from "./run-cli.js";

const DAY = 86_400_000;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "mcpgate-cli-expiry-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("key expiry", () => {
  it("create and regenerate take --expires-in; list and show say when keys expire", async () => {
    const store = join(workDir, "expiring");
    const run = (...args: string[]) => mcpgate(["--store", store, ...args], { cwd: workDir });

    const bad = await run("apps", "create", "--name", "x", "--expires-in", "90 days");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--expires-in must be a duration such as 90d/);

    const before = Date.now();
    const created = await run("apps", "create", "--name", "ci", "--expires-in", "30d", "--json");
    expect(created.code, created.stderr).toBe(0);
    const { app } = JSON.parse(created.stdout) as { app: { id: string; keyExpiresAt: string } };
    const expiresAt = Date.parse(app.keyExpiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * DAY);

    const listing = await run("apps", "list");
    expect(listing.stdout).toMatch(/EXPIRES/);
    expect(listing.stdout).toMatch(/in (29|30) d/);

    const regenerated = await run("apps", "regenerate", app.id, "--yes", "--expires-in", "never");
    expect(regenerated.code, regenerated.stderr).toBe(0);
    expect(regenerated.stdout).toMatch(/expires: {4}never/);
    const shown = await run("apps", "show", app.id, "--json");
    expect(JSON.parse(shown.stdout)).toMatchObject({ keyExpiresAt: null, keyExpired: false });
  }, 120_000);

  it("apps due lists expired, soon-expiring and old keys (not the others); keys verify says expired", async () => {
    const dir = join(workDir, "due");
    const store = await createPGliteStore({ dataDir: dir, changeFeed: false });
    const now = Date.now();
    const at = (ms: number) => createGate({ store, clock: () => ms, lastUsed: false });
    const expired = await at(now - 20 * DAY).createApp({ name: "expired", expiresInDays: 10 });
    const soon = await at(now).createApp({ name: "soon", expiresInDays: 5 });
    const old = await at(now - 120 * DAY).createApp({ name: "old" });
    const fine = await at(now).createApp({ name: "fine", expiresInDays: 60 });
    await store.close();

    const due = await mcpgate(["--store", dir, "apps", "due", "--within", "14d", "--json"], {
      cwd: workDir,
    });
    expect(due.code, due.stderr).toBe(0);
    const rows = JSON.parse(due.stdout) as { id: string; due: string[] }[];
    expect(Object.fromEntries(rows.map((row) => [row.id, row.due]))).toEqual({
      [expired.app.id]: ["expired"],
      [soon.app.id]: ["expiring"],
      [old.app.id]: ["old"],
    });
    expect(rows.map((row) => row.id)).not.toContain(fine.app.id);

    const human = await mcpgate(["--store", dir, "apps", "due", "--within", "2d"], {
      cwd: workDir,
    });
    expect(human.stdout).toMatch(/expired 10 d ago/);
    expect(human.stdout).toMatch(/120 d old/);
    expect(human.stdout).not.toMatch(/soon/);

    const verify = await mcpgate(["--store", dir, "keys", "verify"], {
      cwd: workDir,
      stdin: `${expired.key}\n`,
    });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/^Expired: key mgw_\w{8}… expired at .*Regenerate it/);
    expect(verify.stdout + verify.stderr).not.toContain(expired.key.slice(12));
  }, 120_000);
});

describe("scan links to the leak response", () => {
  it("says to regenerate now and links to docs/key-rotation.md#leak-response, a real heading", async () => {
    const page = await readFile(join(repo, "docs", "key-rotation.md"), "utf8");
    expect(page).toMatch(/^## Leak response$/m);
    expect(LEAK_RESPONSE_URL).toMatch(/^https:\/\/.+\/docs\/key-rotation\.md#leak-response$/);

    const dir = await mkdtemp(join(tmpdir(), "mcpgate-scan-link-"));
    const { key } = await createGate({ store: new MemoryStore(), lastUsed: false }).createApp({
      name: "x",
    });
    await writeFile(join(dir, ".env"), `KEY=${key}\n`);
    const found = await mcpgate(["scan", "."], { cwd: dir });
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(/regenerate it now/);
    expect(found.stdout).toContain(LEAK_RESPONSE_URL);
    const json = await mcpgate(["scan", ".", "--json"], { cwd: dir });
    expect(JSON.parse(json.stdout)).toMatchObject({ leakResponse: LEAK_RESPONSE_URL });
    await rm(join(dir, ".env"));
    const clean = await mcpgate(["scan", "."], { cwd: dir });
    expect(clean.stdout).not.toContain(LEAK_RESPONSE_URL);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);
});
