/**
 * Reading the audit sink's table in insertion order, for tools that page through it or follow it
 * (`mcpgate audit`): filters on the indexed columns, and a cursor (the row id) to continue from.
 */
import { zodFieldError, type McpgateEvent } from "@mcpgate/core";
import { z } from "zod";
import { connectionFailure, isPostgresUrl } from "./connection-errors.js";
import type { PgPoolLike } from "./drivers.js";
import { quoteIdentifier } from "./executor.js";

/** What {@link readAuditEvents} returns. */
export interface AuditRead {
  /** Matching events in the order they were written (oldest first). */
  events: McpgateEvent[];
  /**
   * The cursor to pass as `afterId` to read what was written since: without `afterId`, the newest
   * row at the time of the read; with it, the last row returned (or `afterId` when none matched).
   * A decimal string: ids are `bigint`.
   */
  lastId: string;
}

/** What {@link PostgresAuditReader.read} selects. */
export interface ReadAuditOptions {
  appId?: string;
  keyId?: string;
  /** An event type such as `auth.failed`. */
  type?: string;
  /** Inclusive lower bound on the event time. */
  since?: Date;
  /** Exclusive upper bound on the event time. */
  until?: Date;
  /** Only rows written after this cursor (`lastId` of an earlier read). */
  afterId?: string;
  /**
   * At most this many events, 1–10 000 (default 100): the newest ones without `afterId`, the
   * oldest ones after it (so a follower never skips any).
   */
  limit?: number;
}

/** Options of {@link createPostgresAuditReader}: a pool to borrow, or a URL to open one for. */
export type PostgresAuditReaderOptions = (
  | { pool: Pick<PgPoolLike, "query">; connectionString?: never }
  | { connectionString: string; pool?: never }
) & {
  /** The sink's `tablePrefix`. Default `""`. */
  tablePrefix?: string;
};

/** Reads a {@link createPostgresAuditSink} table. */
export interface PostgresAuditReader {
  /**
   * Events oldest first, with the cursor of the last one.
   * @throws TypeError for bad options; StoreUnavailableError when the server cannot be reached;
   *   the driver's error (code `42P01`) when the table does not exist.
   */
  read(options?: ReadAuditOptions): Promise<AuditRead>;
  /** Ends the pool it opened (a borrowed pool is left open). */
  close(): Promise<void>;
}

const readerSchema = z.object({
  tablePrefix: z
    .string()
    .regex(/^(?:[a-z][a-z0-9_]{0,29})?$/, "must match ^[a-z][a-z0-9_]{0,29}$ (or be empty)")
    .default(""),
  connectionString: z
    .string()
    .refine(isPostgresUrl, "must be a postgres:// or postgresql:// URL")
    .optional(),
});

const optionsSchema = z.strictObject({
  appId: z.string().max(256).optional(),
  keyId: z.string().max(64).optional(),
  type: z.string().max(64).optional(),
  since: z.date().optional(),
  until: z.date().optional(),
  afterId: z
    .string()
    .regex(/^\d{1,19}$/, "must be a lastId")
    .optional(),
  limit: z.number().int().min(1).max(10_000).default(100),
});

/**
 * Opens a reader of the audit sink's table (one connection), for tools that list or follow it.
 *
 * @throws TypeError for bad options.
 * @example
 * ```ts
 * const reader = createPostgresAuditReader({ connectionString: process.env.DATABASE_URL! });
 * let { events, lastId } = await reader.read({ appId: "app_123", limit: 20 });
 * // later: only what was written since
 * ({ events, lastId } = await reader.read({ appId: "app_123", afterId: lastId }));
 * await reader.close();
 * ```
 */
export function createPostgresAuditReader(
  options: PostgresAuditReaderOptions,
): PostgresAuditReader {
  const parsed = readerSchema.safeParse({
    tablePrefix: options.tablePrefix,
    connectionString: options.connectionString,
  });
  if (!parsed.success) throw zodFieldError("audit reader options", parsed.error);
  const table = quoteIdentifier(`${parsed.data.tablePrefix}mcpgate_audit`);
  const where = parsed.data.connectionString;
  let pool: Promise<{ query: PgPoolLike["query"]; end?: () => Promise<void> }>;
  if (options.pool !== undefined) pool = Promise.resolve(options.pool);
  else {
    pool = import("pg").then((pg) => {
      const { Pool } = pg.default ?? pg;
      const opened = new Pool({ connectionString: where, max: 1, connectionTimeoutMillis: 10_000 });
      // An idle connection the server drops must not crash the process; the next query reports it.
      opened.on("error", () => {});
      return opened;
    });
  }
  pool.catch(() => {}); // reported by the first read
  const owned = options.pool === undefined;
  return {
    async read(filters = {}) {
      const executor = await pool;
      try {
        return await readAuditEvents(executor, table, filters);
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        if (error instanceof TypeError || code === "42P01") throw error;
        throw connectionFailure(error, where);
      }
    },
    async close() {
      if (owned) await (await pool).end?.();
    },
  };
}

async function readAuditEvents(
  pool: Pick<PgPoolLike, "query">,
  table: string,
  options: ReadAuditOptions,
): Promise<AuditRead> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw zodFieldError("audit read options", parsed.error);
  const o = parsed.data;
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown): void => {
    params.push(value);
    where.push(clause.replace("?", `$${params.length}`));
  };
  if (o.appId !== undefined) add("app_id = ?", o.appId);
  if (o.keyId !== undefined) add("key_id = ?", o.keyId);
  if (o.type !== undefined) add("type = ?", o.type);
  if (o.since !== undefined) add("at >= ?::timestamptz", o.since.toISOString());
  if (o.until !== undefined) add("at < ?::timestamptz", o.until.toISOString());
  // Without a cursor: the newest `limit` rows up to the newest row now (whether it matches or not:
  // the cursor then says "seen up to here"); with one: the next `limit` rows after it.
  let upTo: string | undefined;
  if (o.afterId === undefined) {
    const top = await pool.query(`SELECT coalesce(max(id), 0)::text AS id FROM ${table}`);
    upTo = (top.rows as { id: string }[])[0]?.id ?? "0";
    add("id <= ?::bigint", upTo);
  } else {
    add("id > ?::bigint", o.afterId);
  }
  params.push(o.limit);
  const order = upTo === undefined ? "ASC" : "DESC";
  const result = await pool.query(
    `SELECT id::text AS row_id, event FROM ${table}
      ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY id ${order} LIMIT $${params.length}`,
    params,
  );
  const rows = result.rows as { row_id: string; event: McpgateEvent }[];
  if (order === "DESC") rows.reverse();
  return {
    events: rows.map((row) => row.event),
    lastId: upTo ?? rows.at(-1)?.row_id ?? o.afterId ?? "0",
  };
}
