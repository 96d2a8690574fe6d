/**
 * `mcpgate scan`: find keys in files (a pre-commit hook and CI guard). Prints where, never what:
 * every finding is shown by its key id only, and no error message carries file content. Files are
 * streamed in windows, so size is no limit; UTF-16 files are decoded as such.
 */
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { Readable } from "node:stream";
import { TextDecoder } from "node:util";
import { formatKeyId } from "@mcpgate/core";
import { findKeysIn } from "./detect.js";

const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git", ".mcpgate", "dist", "coverage"]);
/** Text carried from one window into the next, so a key across a chunk border is seen whole. */
const OVERLAP = 4096;
/** Longest span a key can take in a file (every character escaped, wrapped). */
const MAX_KEY_SPAN = 1024;

export interface Finding {
  file: string;
  line: number;
  column: number;
  /** `mgw_<key id>…` */
  key: string;
}

type Encoding = "utf-8" | "utf-16le" | "utf-16be";

/** UTF-16 by its byte-order mark, or by NULs in every other byte (ASCII text without a BOM). */
function detectEncoding(head: Buffer): Encoding {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  const sample = head.subarray(0, 4096);
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] === 0) {
      if (i % 2 === 0) evenZero++;
      else oddZero++;
    }
  }
  const pairs = Math.floor(sample.length / 2);
  if (pairs >= 8 && oddZero > pairs * 0.6 && evenZero < pairs * 0.1) return "utf-16le";
  if (pairs >= 8 && evenZero > pairs * 0.6 && oddZero < pairs * 0.1) return "utf-16be";
  return "utf-8";
}

function swapBytes(chunk: Buffer): Buffer {
  const copy = Buffer.from(chunk);
  return copy.swap16();
}

/** Scans one stream of file content in windows. Linear in its length. */
export async function scanStream(file: string, stream: Readable): Promise<Finding[]> {
  const findings: Finding[] = [];
  let decoder: TextDecoder | undefined;
  let bigEndian = false;
  let odd: Buffer | undefined;
  let carry = "";
  /** Absolute index (in decoded text) of `carry`'s first character, and line/column there. */
  let carryStart = 0;
  let lineAtCarry = 1;
  let columnAtCarry = 1;
  const lastReported = new Map<string, number>();

  const scanWindow = (text: string, final: boolean): void => {
    const newlines: number[] = [];
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) newlines.push(i);
    const limit = final ? text.length : text.length - MAX_KEY_SPAN;
    for (const match of findKeysIn(text)) {
      if (match.index >= limit) continue; // seen whole in the next window
      const absolute = carryStart + match.index;
      const previous = lastReported.get(match.keyId);
      if (previous !== undefined && Math.abs(previous - absolute) <= 8) continue;
      lastReported.set(match.keyId, absolute);
      // Line and column of the match: binary search among the window's line breaks.
      let low = 0;
      let high = newlines.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if ((newlines[mid] ?? 0) < match.index) low = mid + 1;
        else high = mid;
      }
      const line = lineAtCarry + low;
      const column =
        low === 0 ? columnAtCarry + match.index : match.index - (newlines[low - 1] ?? 0);
      findings.push({ file, line, column, key: formatKeyId(match.keyId) });
    }
    if (final) return;
    // Keep the tail; advance line and column over what is dropped.
    const keepFrom = Math.max(0, text.length - OVERLAP);
    const dropped = text.slice(0, keepFrom);
    const breaks = newlines.filter((i) => i < keepFrom).length;
    if (breaks > 0) {
      lineAtCarry += breaks;
      columnAtCarry = keepFrom - dropped.lastIndexOf("\n");
    } else {
      columnAtCarry += keepFrom;
    }
    carryStart += keepFrom;
    carry = text.slice(keepFrom);
  };

  const feed = (input: Buffer): void => {
    let chunk = input;
    if (decoder === undefined) {
      const encoding = detectEncoding(chunk);
      bigEndian = encoding === "utf-16be";
      // Node's TextDecoder has no utf-16be: swap the bytes and read it as utf-16le.
      decoder = new TextDecoder(bigEndian ? "utf-16le" : encoding);
    }
    if (bigEndian) {
      if (odd) chunk = Buffer.concat([odd, chunk]);
      odd = chunk.length % 2 === 1 ? chunk.subarray(chunk.length - 1) : undefined;
      chunk = swapBytes(odd ? chunk.subarray(0, chunk.length - 1) : chunk);
    }
    scanWindow(carry + decoder.decode(chunk, { stream: true }), false);
  };
  // The encoding is decided on the first 4 KiB, however the stream is chunked.
  let head: Buffer[] | undefined = [];
  let headBytes = 0;
  for await (const raw of stream) {
    const chunk = raw as Buffer;
    if (head === undefined) {
      feed(chunk);
      continue;
    }
    head.push(chunk);
    headBytes += chunk.length;
    if (headBytes >= 4096) {
      feed(Buffer.concat(head));
      head = undefined;
    }
  }
  if (head !== undefined && headBytes > 0) feed(Buffer.concat(head));
  scanWindow(carry + (decoder?.decode() ?? ""), true);
  return findings;
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
      files++;
      const name = relative(cwd, file) || file;
      findings.push(
        ...(await scanStream(name, createReadStream(file, { highWaterMark: 1 << 20 }))),
      );
    }
  }
  return { findings, files };
}

/** Runs git; resolves its stdout as text. Its stderr is dropped: it can quote file content. */
function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", args, { cwd, stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolvePromise(out)
        : reject(new Error(`git ${args[0] ?? ""} failed (exit ${code}); is this a git work tree?`)),
    );
  });
}

/** Scans what is staged in git's index (the content about to be committed, not the work tree). */
export async function scanStaged(cwd: string): Promise<{ findings: Finding[]; files: number }> {
  const names = (await git(cwd, ["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR"]))
    .split("\0")
    .filter(Boolean);
  const findings: Finding[] = [];
  for (const name of names) {
    // Streamed: a staged file of any size is scanned, never buffered whole.
    const child = spawn("git", ["cat-file", "blob", `:${name}`], {
      cwd,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const exited = new Promise<number | null>((resolvePromise, reject) => {
      child.on("error", reject);
      child.on("close", resolvePromise);
    });
    findings.push(...(await scanStream(name, child.stdout)));
    const code = await exited;
    if (code !== 0) throw new Error(`git cat-file failed for a staged file (exit ${code})`);
  }
  return { findings, files: names.length };
}
