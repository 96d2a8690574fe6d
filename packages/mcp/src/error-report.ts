/**
 * The default `onError`: failures off the normal path are worth a line in the log, once per
 * cause (a broken factory fails every request; the log should say so once, not a million times),
 * with any key redacted.
 */
import { redactKey } from "@mcpgate/core";

const REMEMBERED_CAUSES = 1000;

/** The reporter used when `onError` is not given. */
export function createDefaultErrorReport(
  write: (line: string) => void = (line) => console.error(line),
): (error: unknown, context: string) => void {
  const seen = new Set<string>();
  return (error, context) => {
    const text =
      error instanceof Error
        ? `${error.name}: ${error.message}`
        : `non-Error value: ${String(error)}`;
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : undefined;
    const causeText = cause instanceof Error ? ` (cause: ${cause.name}: ${cause.message})` : "";
    const line = redactKey(`[@mcpgate/mcp] ${context}: ${text}${causeText}`);
    if (seen.has(line)) return;
    if (seen.size >= REMEMBERED_CAUSES) seen.clear();
    seen.add(line);
    const stack = cause instanceof Error ? cause.stack : error instanceof Error ? error.stack : "";
    write(stack ? `${line}\n${redactKey(stack)}` : line);
  };
}
