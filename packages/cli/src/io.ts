/** What the CLI reads and writes: the process's streams in the binary, captured ones in tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** All of standard input (for `keys verify`, confirmations). */
  readStdin: () => Promise<string>;
  stdinIsTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** A usage mistake: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Exit codes: documented in `mcpgate --help`. */
export const EXIT = { ok: 0, found: 1, usage: 2, unavailable: 3 } as const;
