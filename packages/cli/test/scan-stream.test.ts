/** Scanning file content as a stream: encodings, size, and positions across window borders. */
import { Readable } from "node:stream";
import { generateKey } from "@mcpgate/core";
import { describe, expect, it } from "vitest";
import { scanStream } from "../src/scan.js";

const key = generateKey();
const shown = `mgw_${key.slice(4, 12)}…`;

/** A stream of `buffer` in chunks of `size` bytes (like a file read). */
function chunked(buffer: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) parts.push(buffer.subarray(i, i + size));
  return Readable.from(parts);
}

describe("scanStream", () => {
  it("finds a key in UTF-16 files (LE with BOM, BE without), at the right line and column", async () => {
    const text = `first line\n  token = ${key}\n`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(text, "utf16le").swap16();
    for (const [name, buffer] of [
      ["le", le],
      ["be", be],
    ] as const) {
      await expect(scanStream(name, chunked(buffer, 7))).resolves.toEqual([
        { file: name, line: 2, column: name === "le" ? 11 : 11, key: shown },
      ]);
    }
  });

  it("streams a file far larger than 5 MiB and finds keys across chunk borders, with exact positions", async () => {
    const filler = "x".repeat(79) + "\n"; // 80 bytes a line
    const lines = 100_000; // 8 MB
    const body = filler.repeat(lines);
    const text = `${body}${key}\n${body}  ${key}`;
    const findings = await scanStream("big.txt", chunked(Buffer.from(text), 65_536 + 13));
    expect(findings).toEqual([
      { file: "big.txt", line: lines + 1, column: 1, key: shown },
      { file: "big.txt", line: 2 * lines + 2, column: 3, key: shown },
    ]);
  });

  it("every chunk border position: one finding each, never duplicated", async () => {
    const text = `${"a b ".repeat(2000)}${key} ${Buffer.from(key).toString("base64")}`;
    for (const size of [1, 3, 1000, 4096, 8000, 8100]) {
      const findings = await scanStream("f", chunked(Buffer.from(text), size));
      expect(findings.length, `chunk ${size}`).toBe(2);
    }
  });
});
