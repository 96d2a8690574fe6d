/**
 * Failures to open a PostgreSQL store as coded errors: `store_unavailable` with a message that says
 * what went wrong and where (the password replaced by `***`), pg's error kept as `cause`.
 */
import { isMcpgateError, StoreUnavailableError } from "@mcpgate/core";

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** Whether `value` is a `postgres://` / `postgresql://` URL (what `connectionString` accepts). */
export function isPostgresUrl(value: string): boolean {
  if (!POSTGRES_URL.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** The URL with its password replaced, for messages. */
export function redactConnectionString(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "the PostgreSQL URL";
  }
}

function passwordOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const { password } = new URL(url);
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

const HINTS: Record<string, string> = {
  ECONNREFUSED: "nothing listens there: is PostgreSQL running, on this host and port?",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name could not be resolved (DNS)",
  ETIMEDOUT: "the connection timed out (firewall, wrong host?)",
  "28P01": "the password was refused",
  "28000": "the server refused this user (pg_hba.conf)",
  "3D000": "the database does not exist",
};

/** Wraps a failure of opening a PostgreSQL store; coded errors and TypeErrors pass through. */
export function connectionFailure(error: unknown, url: string | undefined): unknown {
  if (isMcpgateError(error) || error instanceof TypeError) return error;
  const secret = passwordOf(url);
  if (secret && error instanceof Error) {
    // pg's own messages hold no password, but a cause printed with its stack must not either.
    error.message = error.message.replaceAll(secret, "***");
    if (error.stack) error.stack = error.stack.replaceAll(secret, "***");
  }
  const code = (error as { code?: unknown } | null)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  const hint = typeof code === "string" ? HINTS[code] : undefined;
  const target = url === undefined ? "the pool's database" : redactConnectionString(url);
  return new StoreUnavailableError({
    cause: error,
    message: `Cannot open the PostgreSQL store at ${target}: ${detail}${hint ? ` (${hint})` : ""}.`,
  });
}
