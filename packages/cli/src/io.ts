/** What the CLI reads and writes: the process's streams in the binary, captured ones in tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** All of standard input (for `keys verify` from a pipe, confirmations). */
  readStdin: () => Promise<string>;
  /**
   * One line from the terminal without echoing it (for `keys verify` on a TTY). The binary reads
   * it in raw mode; absent, `readStdin` is used.
   */
  readSecretLine?: () => Promise<string>;
  stdinIsTTY: boolean;
  /**
   * For commands that run until stopped (`audit --follow`): starts listening for the end (SIGINT,
   * SIGTERM, a closed standard output, Ctrl-D on a terminal) and returns a signal aborted by it.
   * Absent (tests), such a command stops only by itself.
   */
  stopSignal?: () => AbortSignal;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Exit codes, the one table behind `mcpgate --help` and docs/cli.md (a test compares the two).
 * 1 is reserved for "the key is invalid / keys were found", so scripts can tell that apart from
 * every failure.
 */
export const EXIT_CODES = [
  { code: 0, meaning: "success (`keys verify`: the key is valid; `scan`: no keys found)" },
  { code: 1, meaning: "`keys verify`: the key is invalid or expired; `scan`: keys found" },
  { code: 2, meaning: "usage error: unknown command or option, missing or bad value" },
  {
    code: 3,
    meaning:
      "the store cannot be used: unreachable, locked by another process, a directory others can write, or (`audit`) no audit table",
  },
  { code: 4, meaning: "no app with that id" },
  { code: 5, meaning: "any other failure (a concurrent change, an unexpected error)" },
] as const;

/** Exit codes by name. */
export const EXIT = { ok: 0, found: 1, usage: 2, unavailable: 3, notFound: 4, failed: 5 } as const;
