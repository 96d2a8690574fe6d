/**
 * A PostgreSQL audit sink: events from core's event bus, appended in batches to their own table
 * `<prefix>mcpgate_audit`, kept for a retention period, read back by app, type and time.
 */
import { zodFieldError, type McpgateEvent, type McpgateEventType } from "@mcpgate/core";
import type { PgPoolLike } from "./drivers.js";
import { z } from "zod";
import { quoteIdentifier } from "./executor.js";

/** Options of {@link createPostgresAuditSink}. */
export interface PostgresAuditSinkOptions {
  /** A `pg` pool; the sink borrows it and never ends it. */
  pool: PgPoolLike;
  /** Prefix of the table and index names, as for the store. Default `""`. */
  tablePrefix?: string;
  /** Events older than this many days are deleted (checked every `purgeIntervalMs`). Default 90. */
  retentionDays?: number;
  /** Default 3 600 000 (hourly). */
  purgeIntervalMs?: number;
  /** Longest an event waits before its batch is written. Default 1 000 ms. */
  flushIntervalMs?: number;
  /** Events per INSERT; a full batch is written at once. Default 500. */
  maxBatch?: number;
  /** Events held while the database is slow or down; beyond it new ones are dropped and counted. Default 50 000. */
  maxBuffer?: number;
  /** Write and purge failures. Default: ignored. */
  onError?: (error: unknown, context: string) => void;
}

/** A filter for {@link PostgresAuditSink.query}; newest first. */
export interface AuditQuery {
  appId?: string;
  type?: McpgateEventType;
  /** Inclusive lower bound. */
  since?: Date;
  /** Exclusive upper bound. */
  until?: Date;
  /** 1–1000, default 100. */
  limit?: number;
}

/** The sink: subscribe `sink.listener` to an event bus. */
export interface PostgresAuditSink {
  /** Creates the table and indexes if missing (idempotent). */
  migrate(): Promise<void>;
  /** The event-bus subscriber: buffers, never blocks, never throws. */
  readonly listener: (event: McpgateEvent) => void;
  /** Events dropped because the buffer was full. */
  readonly dropped: number;
  /** Writes everything buffered now. */
  flush(): Promise<void>;
  /** Deletes events older than the retention period now; resolves the number deleted. */
  purge(): Promise<number>;
  query(filter?: AuditQuery): Promise<McpgateEvent[]>;
  /** Stops the timers and writes what is buffered. */
  close(): Promise<void>;
}

const optionsSchema = z.strictObject({
  pool: z.custom<PgPoolLike>(
    (value) => typeof value === "object" && value !== null && "query" in value,
    "Expected a pg Pool",
  ),
  tablePrefix: z
    .string()
    .regex(/^(?:[a-z][a-z0-9_]{0,29})?$/, "must match ^[a-z][a-z0-9_]{0,29}$ (or be empty)")
    .default(""),
  retentionDays: z.number().int().min(1).max(36_500).default(90),
  purgeIntervalMs: z.number().int().min(1_000).max(86_400_000).default(3_600_000),
  flushIntervalMs: z.number().int().min(1).max(60_000).default(1_000),
  maxBatch: z.number().int().min(1).max(5_000).default(500),
  maxBuffer: z.number().int().min(1).max(10_000_000).default(50_000),
  onError: z
    .custom<(error: unknown, context: string) => void>((value) => typeof value === "function")
    .optional(),
});

const querySchema = z.strictObject({
  appId: z.string().max(256).optional(),
  type: z.string().max(64).optional(),
  since: z.date().optional(),
  until: z.date().optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});

/**
 * Creates a PostgreSQL audit sink. Call `migrate()` once, then `bus.subscribe(sink.listener)`.
 *
 * @throws TypeError for bad options.
 * @example
 * ```ts
 * const sink = createPostgresAuditSink({ pool, retentionDays: 30 });
 * await sink.migrate();
 * bus.subscribe(sink.listener);
 * const recent = await sink.query({ appId, since: new Date(Date.now() - 86_400_000) });
 * ```
 */
export function createPostgresAuditSink(options: PostgresAuditSinkOptions): PostgresAuditSink {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw zodFieldError("PostgreSQL audit sink options", parsed.error);
  const o = parsed.data;
  const table = quoteIdentifier(`${o.tablePrefix}mcpgate_audit`);
  const index = (suffix: string) => quoteIdentifier(`${o.tablePrefix}mcpgate_audit_${suffix}`);
  const report = (error: unknown, context: string): void => {
    try {
      o.onError?.(error, context);
    } catch {
      // Reporting must not break the sink.
    }
  };

  let buffer: McpgateEvent[] = [];
  let dropped = 0;
  let writing: Promise<void> = Promise.resolve();
  let flushTimer: NodeJS.Timeout | undefined;

  const write = async (batch: McpgateEvent[]): Promise<void> => {
    const params: unknown[] = [];
    const rows = batch.map((event) => {
      const record = event as { appId?: string; keyId?: string };
      params.push(event.at, event.type, record.appId ?? null, record.keyId ?? null, event);
      const n = params.length;
      return `($${n - 4}::timestamptz, $${n - 3}, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
    });
    await o.pool.query(
      `INSERT INTO ${table} (at, type, app_id, key_id, event) VALUES ${rows.join(", ")}`,
      params,
    );
  };

  const flush = (): Promise<void> => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    // Writes are serialized so batches land in emit order.
    writing = writing.then(async () => {
      while (buffer.length > 0) {
        const batch = buffer.slice(0, o.maxBatch);
        buffer = buffer.slice(batch.length);
        try {
          await write(batch);
        } catch (error) {
          // Append-only and best effort: a failed batch is reported, not retried forever.
          report(error, "audit write");
        }
      }
    });
    return writing;
  };

  const purge = async (): Promise<number> => {
    const result = await o.pool.query(
      `DELETE FROM ${table} WHERE at < now() - make_interval(days => $1)`,
      [o.retentionDays],
    );
    return result.rowCount ?? 0;
  };

  const purgeTimer = setInterval(() => {
    purge().catch((error: unknown) => report(error, "audit purge"));
  }, o.purgeIntervalMs);
  purgeTimer.unref();

  return {
    async migrate() {
      await o.pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        type text NOT NULL,
        app_id text,
        key_id text,
        event jsonb NOT NULL
      )`);
      await o.pool.query(`CREATE INDEX IF NOT EXISTS ${index("app_at")} ON ${table} (app_id, at)`);
      await o.pool.query(`CREATE INDEX IF NOT EXISTS ${index("at")} ON ${table} (at)`);
    },
    listener(event) {
      if (buffer.length >= o.maxBuffer) {
        dropped++;
        return;
      }
      buffer.push(event);
      if (buffer.length >= o.maxBatch) void flush();
      else if (!flushTimer) {
        flushTimer = setTimeout(() => void flush(), o.flushIntervalMs);
        flushTimer.unref();
      }
    },
    get dropped() {
      return dropped;
    },
    flush,
    purge,
    async query(filter = {}) {
      const q = querySchema.safeParse(filter);
      if (!q.success) throw zodFieldError("audit query", q.error);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => {
        params.push(value);
        where.push(clause.replace("?", `$${params.length}`));
      };
      if (q.data.appId !== undefined) add("app_id = ?", q.data.appId);
      if (q.data.type !== undefined) add("type = ?", q.data.type);
      if (q.data.since !== undefined) add("at >= ?", q.data.since);
      if (q.data.until !== undefined) add("at < ?", q.data.until);
      params.push(q.data.limit);
      const result: { rows: { event: McpgateEvent }[] } = await o.pool.query(
        `SELECT event FROM ${table} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      return result.rows.map((row) => row.event);
    },
    async close() {
      clearInterval(purgeTimer);
      await flush();
    },
  };
}
