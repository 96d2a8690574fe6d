/**
 * `mcpgate scan`: find mgw_ keys in files (a pre-commit hook and CI guard). Prints where, never
 * what: every finding is shown by its key id only.
 */
import { execFile } from "node:child_process";
import { readFile, readdir, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { formatKeyId } from "@mcpgate/core";

const run = promisify(execFile);

/** A key: `mgw_` + 32 key characters, not inside a longer word. */
const KEY_IN_TEXT = /(?<![A-Za-z0-9_])mgw_([A-Za-z0-9]{32})(?![A-Za-z0-9])/g;
const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git", ".mcpgate", "dist", "coverage"]);
const MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface Finding {
  file: string;
  line: number;
  column: number;
  /** `mgw_<key id>…` */
  key: string;
}

export function findKeys(file: string, text: string): Finding[] {
  if (!text.includes("mgw_")) return [];
  const findings: Finding[] = [];
  const lines = text.split("\n");
  lines.forEach((content, index) => {
    for (const match of content.matchAll(KEY_IN_TEXT)) {
      findings.push({
        file,
        line: index + 1,
        column: (match.index ?? 0) + 1,
        key: formatKeyId((match[1] ?? "").slice(0, 8)),
      });
    }
  });
  return findings;
}

function isBinary(buffer: Buffer): boolean {
  return buffer.subarray(0, 8192).includes(0);
}

async function* walk(path: string): AsyncGenerator<string> {
  const info = await stat(path);
  if (info.isFile()) {
    yield path;
    return;
  }
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name)) continue;
    if (entry.isSymbolicLink()) continue;
    yield* walk(join(path, entry.name));
  }
}

/** Scans files and directories under `paths`. Returns the findings and how many files were read. */
export async function scanPaths(
  paths: string[],
  cwd: string,
): Promise<{ findings: Finding[]; files: number }> {
  const findings: Finding[] = [];
  let files = 0;
  for (const root of paths) {
    for await (const file of walk(resolve(cwd, root))) {
      const info = await stat(file);
      if (info.size > MAX_FILE_BYTES) continue;
      const buffer = await readFile(file);
      if (isBinary(buffer)) continue;
      files++;
      findings.push(...findKeys(relative(cwd, file) || file, buffer.toString("utf8")));
    }
  }
  return { findings, files };
}

/** Scans what is staged in git's index (the content about to be committed, not the work tree). */
export async function scanStaged(cwd: string): Promise<{ findings: Finding[]; files: number }> {
  const { stdout } = await run(
    "git",
    ["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR"],
    { cwd },
  );
  const names = stdout.split("\0").filter(Boolean);
  const findings: Finding[] = [];
  let files = 0;
  for (const name of names) {
    const { stdout: content } = await run("git", ["show", `:${name}`], {
      cwd,
      maxBuffer: MAX_FILE_BYTES,
      encoding: "buffer",
    });
    if (isBinary(content)) continue;
    files++;
    findings.push(...findKeys(name, content.toString("utf8")));
  }
  return { findings, files };
}
