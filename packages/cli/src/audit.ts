/**
 * `mcpgate audit`: reads the PostgreSQL audit sink's table (`createPostgresAuditSink`). Filters on
 * app, key id, type and time; a table for people or one JSON object per line; `--follow` polls for
 * new rows until interrupted. Events hold no key, and every line still goes through core's
 * redaction before it is printed.
 */
import { formatKeyId, redactKey, type McpgateEvent } from "@mcpgate/core";
import { createPostgresAuditReader, type ReadAuditOptions } from "@mcpgate/store-postgres";
import type { Options } from "./args.js";
import { parseDuration, parseInstant } from "./duration.js";
import { EXIT, UsageError, type CliIo } from "./io.js";
import { isPostgresSpec } from "./store.js";

const USAGE =
  "mcpgate audit --store <postgres url> [--app <id>] [--key-id <id>] [--type <type>] [--since 24h | <ISO>] [--until <ISO>] [--limit 100] [--follow [--interval 1s]] [--table-prefix <prefix>] [--json]";

/** Rows read per poll while following. */
const FOLLOW_BATCH = 1000;
const UNDEFINED_TABLE = "42P01";

/** A value as one safe token: plain words as they are, anything else JSON-quoted (no control characters reach the terminal). */
function token(value: unknown): string {
  if (typeof value === "string" && /^[\w.:/@+-]{1,200}$/.test(value)) return value;
  return JSON.stringify(value) ?? "null";
}

const SHOWN_IN_COLUMNS = new Set(["version", "at", "type", "appId", "keyId"]);

/** One event as a fixed-width line: time, type, app, key id, then every other field as k=v. */
function line(event: McpgateEvent): string {
  const record = event as unknown as Record<string, unknown>;
  const keyId = typeof record.keyId === "string" ? formatKeyId(record.keyId) : "-";
  const details = Object.entries(record)
    .filter(([name]) => !SHOWN_IN_COLUMNS.has(name))
    .map(([name, value]) => `${name}=${token(value)}`)
    .join(" ");
  return [
    token(record.at).padEnd(24),
    token(record.type).padEnd(20),
    (record.appId === undefined ? "-" : token(record.appId)).padEnd(24),
    keyId.padEnd(13),
    details,
  ]
    .join("  ")
    .trimEnd();
}

const HEADER = ["AT".padEnd(24), "TYPE".padEnd(20), "APP".padEnd(24), "KEY".padEnd(13), "DETAILS"]
  .join("  ")
  .trimEnd();

interface AuditContext {
  io: CliIo;
  json: boolean;
  now: number;
  values: Record<string, string | boolean | undefined>;
}

function stringOption(context: AuditContext, name: string): string | undefined {
  const value = context.values[name];
  return typeof value === "string" ? value : undefined;
}

function filtersOf(context: AuditContext): ReadAuditOptions & { tablePrefix?: string } {
  const filters: ReadAuditOptions & { tablePrefix?: string } = {};
  const app = stringOption(context, "app");
  const keyId = stringOption(context, "key-id");
  const type = stringOption(context, "type");
  const since = stringOption(context, "since");
  const until = stringOption(context, "until");
  const prefix = stringOption(context, "table-prefix");
  const limit = stringOption(context, "limit");
  if (app !== undefined) filters.appId = app;
  // `mgw_a1b2c3d4…` as printed elsewhere, or the bare 8-character id.
  if (keyId !== undefined) filters.keyId = keyId.replace(/^mgw_/i, "").replace(/…$/, "");
  if (type !== undefined) filters.type = type;
  if (since !== undefined) filters.since = parseInstant("--since", since, context.now);
  if (until !== undefined) filters.until = parseInstant("--until", until, context.now);
  if (prefix !== undefined) filters.tablePrefix = prefix;
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 10_000)
      throw new UsageError(`--limit must be a whole number from 1 to 10000 (got ${limit})`);
    filters.limit = n;
  }
  return filters;
}

/** The audit table is missing: exit 3 (the store cannot be used) with what to do. */
class AuditTableMissingError extends Error {}

function explain(error: unknown, prefix: string): never {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === UNDEFINED_TABLE)
    throw new AuditTableMissingError(
      `No audit table ${prefix}mcpgate_audit in this database. createPostgresAuditSink({ pool${prefix ? `, tablePrefix: "${prefix}"` : ""} }).migrate() creates it (see docs/observability.md).`,
    );
  throw error;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

export const auditCommand = {
  usage: USAGE,
  options: {
    app: { type: "string" },
    "key-id": { type: "string" },
    type: { type: "string" },
    since: { type: "string" },
    until: { type: "string" },
    limit: { type: "string" },
    follow: { type: "boolean", short: "f" },
    interval: { type: "string" },
    "table-prefix": { type: "string" },
  } satisfies Options,
  positionals: "none" as const,
  async run(context: AuditContext & { storeSpec: string }): Promise<number> {
    const { io, json } = context;
    if (!isPostgresSpec(context.storeSpec))
      throw new UsageError(
        "mcpgate audit reads the PostgreSQL audit sink: give --store postgres://… (or MCPGATE_STORE).",
      );
    const { tablePrefix, ...filters } = filtersOf(context);
    const follow = context.values.follow === true;
    const interval = stringOption(context, "interval");
    const intervalMs = interval === undefined ? 1000 : parseDuration("--interval", interval);
    if (interval !== undefined && !follow) throw new UsageError("--interval goes with --follow");

    const print = (events: McpgateEvent[]): void => {
      const text = events.map((event) => (json ? JSON.stringify(event) : line(event))).join("\n");
      if (text !== "") io.stdout(`${redactKey(text)}\n`);
    };
    const reader = createPostgresAuditReader({
      connectionString: context.storeSpec,
      ...(tablePrefix === undefined ? {} : { tablePrefix }),
    });
    const prefix = tablePrefix ?? "";
    try {
      const first = await reader.read(filters).catch((error: unknown) => explain(error, prefix));
      if (!json) io.stdout(`${HEADER}\n`);
      print(first.events);
      if (!json && first.events.length === 0 && !follow) io.stdout("(no matching events)\n");
      if (!follow) return EXIT.ok;

      const stop = io.stopSignal?.() ?? new AbortController().signal;
      let lastId = first.lastId;
      // --limit shapes the first page only; following never skips an event.
      const rest: ReadAuditOptions = { ...filters };
      delete rest.limit;
      while (!stop.aborted) {
        await pause(intervalMs, stop);
        if (stop.aborted) break;
        const next = await reader
          .read({
            ...rest,
            afterId: lastId,
            limit: FOLLOW_BATCH,
          })
          .catch((error: unknown) => explain(error, prefix));
        print(next.events);
        lastId = next.lastId;
      }
      return EXIT.ok;
    } catch (error) {
      if (error instanceof AuditTableMissingError) {
        io.stderr(`${error.message}\n`);
        return EXIT.unavailable;
      }
      throw error;
    } finally {
      await reader.close();
    }
  },
};
