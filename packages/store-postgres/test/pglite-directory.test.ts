/**
 * The embedded database at rest: private permissions whatever the umask, created parents, refusal
 * of a directory others can write, and one opener at a time (two real processes; a crashed
 * holder's lock is taken over).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { StoreInsecureError, StoreLockedError } from "@mcpgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPGliteStore } from "../src/index.js";

const repo = path.join(import.meta.dirname, "..", "..", "..");
const holder = path.join(import.meta.dirname, "fixtures", "hold-pglite.ts");

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "mcpgate-pglite-dir-"));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

interface Holder {
  child: ChildProcessWithoutNullStreams;
  /** The first line it prints: `open` or `error <code> <message>`. */
  first: Promise<string>;
  exited: Promise<number | null>;
}

/** Opens `dataDir` in a separate process, under `umask 000` (the worst case for permissions). */
function hold(dataDir: string): Holder {
  // node itself (tsx as a loader), so the pid is the holder's and SIGKILL is a real crash.
  const child = spawn(
    "sh",
    [
      "-c",
      'umask 000; exec "$0" --import tsx --conditions=source "$@"',
      process.execPath,
      holder,
      dataDir,
    ],
    { cwd: repo, stdio: ["pipe", "pipe", "pipe"] },
  );
  let out = "";
  const first = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line !== undefined) resolve(line);
    });
    child.on("error", reject);
    child.on("close", () => resolve(out.split("\n")[0] ?? ""));
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, first, exited };
}

async function modes(dir: string): Promise<{ dirs: Set<string>; files: Set<string> }> {
  const dirs = new Set<string>();
  const files = new Set<string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const { mode } = await stat(path.join(entry.parentPath, entry.name));
    (entry.isDirectory() ? dirs : files).add((mode & 0o777).toString(8));
  }
  return { dirs, files };
}

describe("a PGlite directory", () => {
  it("is created with its parents 0700, files 0600 under umask 000; a second process is refused until the first exits, even by a crash", async () => {
    const dataDir = path.join(root, "nested", ".mcpgate", "db");
    const first = hold(dataDir);
    try {
      await expect(first.first).resolves.toBe("open");
      for (const dir of [path.join(root, "nested"), path.join(root, "nested", ".mcpgate"), dataDir])
        expect(((await stat(dir)).mode & 0o777).toString(8), dir).toBe("700");
      const inside = await modes(dataDir);
      expect(inside.files.size).toBeGreaterThan(0);
      expect([...inside.dirs]).toEqual(["700"]);
      expect([...inside.files]).toEqual(["600"]);

      const second = hold(dataDir);
      const refused = await second.first;
      expect(refused).toMatch(/^error store_locked /);
      expect(refused).toContain(`process ${first.child.pid}`);
      expect(refused).toMatch(/use PostgreSQL/);
      expect(await second.exited).toBe(1);
      // The same process cannot open it twice either.
      await expect(createPGliteStore({ dataDir })).rejects.toBeInstanceOf(StoreLockedError);
    } finally {
      first.child.kill("SIGKILL"); // a crash: the lock file stays behind
      await first.exited;
    }
    const third = hold(dataDir);
    await expect(third.first).resolves.toBe("open");
    third.child.stdin.end();
    await expect(third.exited).resolves.toBe(0);
    // A clean close removes the lock; permissions are still private.
    expect(await readdir(dataDir)).not.toContain("mcpgate.lock");
    expect([...(await modes(dataDir)).files]).toEqual(["600"]);
  }, 240_000);

  it("refuses a directory other users can write, naming the fix; tightens one that is only readable", async () => {
    const shared = path.join(root, "shared");
    await mkdir(shared);
    await chmod(shared, 0o777);
    const error = await createPGliteStore({ dataDir: shared }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreInsecureError);
    expect((error as Error).message).toMatch(/writable by other users \(mode 0777\).*chmod 700/);
    expect(await readdir(shared)).toEqual([]);

    const readable = path.join(root, "readable");
    await mkdir(readable);
    await chmod(readable, 0o755);
    await writeFile(path.join(readable, "note.txt"), "x", { mode: 0o644 });
    const store = await createPGliteStore({ dataDir: readable, changeFeed: false });
    try {
      expect(((await stat(readable)).mode & 0o777).toString(8)).toBe("700");
      expect(((await stat(path.join(readable, "note.txt"))).mode & 0o777).toString(8)).toBe("600");
    } finally {
      await store.close();
    }
  }, 120_000);
});
