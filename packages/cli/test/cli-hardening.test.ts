/**
 * The CLI at its edges, through the real binary: a staged file far over 5 MiB, keys in encoded
 * forms, a key typed into a real pseudo-terminal (never echoed), and the exit-code table that
 * docs/cli.md documents.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { generateKey } from "@mcpgate/core";
import { createPGliteStore } from "@mcpgate/store-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/io.js";
import { bin, mcpgate, repo, tsxLoader, type Result } from "./run-cli.js";

function run(args: string[], cwd: string): Promise<Result> {
  return mcpgate(args, { cwd });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpgate-cli-edges-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("scan --staged", () => {
  it("streams a staged file of 8 MiB, finds encoded keys in it, and prints no content", async () => {
    const work = join(dir, "repo");
    const git = (...args: string[]) => promisify(execFile)("git", args, { cwd: work });
    await promisify(execFile)("git", ["init", "-q", work]);
    const key = generateKey();
    const other = generateKey();
    const big = `${"0123456789abcdef".repeat(512 * 1024)}\nAuthorization: Basic ${Buffer.from(`u:${key}`).toString("base64")}\n`;
    await writeFile(join(work, "dump.log"), big);
    await writeFile(
      join(work, "k8s.yaml"),
      `data:\n  KEY: ${Buffer.from(other).toString("base64")}\n`,
    );
    await writeFile(join(work, "clean.txt"), "nothing here\n");
    await git("add", "dump.log", "k8s.yaml", "clean.txt");
    const result = await run(["scan", "--staged"], work);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain(`dump.log:2:22: mgw_${key.slice(4, 12)}…`);
    expect(result.stdout).toContain(`k8s.yaml:2:8: mgw_${other.slice(4, 12)}…`);
    expect(result.stdout).toMatch(/2 key\(s\) found in 3 files/);
    const output = result.stdout + result.stderr;
    for (const secret of [key.slice(12), other.slice(12), "0123456789abcdef"])
      expect(output).not.toContain(secret);
  }, 120_000);
});

describe("keys verify on a terminal", () => {
  it("reads the key with echo off (a real pseudo-terminal through script(1))", async () => {
    const secret = `mgw_${"S3cr3t".repeat(5)}`; // 30 characters: malformed, so no store is opened
    const command = [
      process.execPath,
      "--import",
      tsxLoader,
      "--conditions=source",
      bin,
      "keys",
      "verify",
    ]
      .map((part) => `'${part}'`)
      .join(" ");
    const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], {
      cwd: repo,
      env: { ...process.env, NODE_OPTIONS: "", MCPGATE_STORE: join(dir, "unused") },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const deadline = Date.now() + 60_000;
    while (!output.includes("it is not shown")) {
      if (Date.now() > deadline) throw new Error(`no prompt; got ${JSON.stringify(output)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.stdin.write(`${secret}\r`);
    const code = await exited;
    expect(output).toMatch(/Invalid key/);
    // The terminal echoes what is typed unless echo is off: the secret must not be in the output.
    expect(output).not.toContain("S3cr3tS3cr3t");
    expect(code).toBe(1);
  }, 120_000);
});

describe("an embedded directory in use", () => {
  it("the CLI against a directory a running server holds exits 3 and names the fix", async () => {
    const dataDir = join(dir, "served");
    const server = await createPGliteStore({ dataDir, changeFeed: false });
    try {
      const result = await run(["--store", dataDir, "apps", "list"], dir);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/in use by process \d+.*use PostgreSQL/s);
    } finally {
      await server.close();
    }
  }, 180_000);
});

describe("exit codes", () => {
  it("docs/cli.md documents exactly the table the CLI uses", async () => {
    const docs = await readFile(join(repo, "docs", "cli.md"), "utf8");
    const rows = [...docs.matchAll(/^\| (\d+) +\| (.+?) +\|$/gm)].map((m) => ({
      code: Number(m[1]),
      meaning: m[2],
    }));
    expect(rows).toEqual(EXIT_CODES.map(({ code, meaning }) => ({ code, meaning })));
  });

  it("--help prints the same table", async () => {
    const help = await run(["--help"], dir);
    for (const { code, meaning } of EXIT_CODES)
      expect(help.stdout).toContain(`  ${code}  ${meaning.replaceAll("`", "")}`);
  }, 60_000);

  it("an unexpected failure exits 5 with its message only", async () => {
    const result = await run(["scan", "--staged"], dir); // not a git work tree
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/git diff failed/);
  }, 60_000);
});
