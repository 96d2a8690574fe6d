/**
 * The `Store` contract in SQL, written once for every executor. Each write is one statement (the
 * NOTIFY rides in its RETURNING clause, so it is sent exactly when the write commits);
 * `replaceKey` is a compare-and-swap on `key_generation` that also tells "not found" from
 * "conflict" in the same statement, without a second, racy read.
 */
import {
  AppNotFoundError,
  DuplicateKeyIdError,
  GenerationConflictError,
  type AppPatch,
  type AppRecord,
  type KeyReplacement,
  type ListQuery,
  type Store,
  type StoreEvent,
} from "@mcpgate/core";
import { ChangeFeed, type ChangeFeedState } from "./change-feed.js";
import { HandedOutGenerations } from "./handed-out.js";
import type { SqlExecutor } from "./executor.js";
import { APP_COLUMNS, isoDate, toRecord, type AppRow } from "./rows.js";
import { migrateSchema, type SchemaNames } from "./schema.js";

/**
 * A {@link Store} on PostgreSQL or PGlite, as {@link createPostgresStore} and
 * {@link createPGliteStore} return it.
 *
 * @example
 * ```ts
 * const store: PostgresStore = await createPostgresStore({ connectionString });
 * const gate = createGate({ store });
 * process.on("SIGTERM", () => void gate.close().then(() => store.close()));
 * ```
 */
export interface PostgresStore extends Store {
  /**
   * Creates or upgrades the schema to the version this package knows; idempotent and safe to run
   * from several instances at once. Resolves the schema version.
   */
  migrate(): Promise<number>;
  /** Where the LISTEN/NOTIFY change feed is (`"off"` without one). */
  readonly changeFeedState: ChangeFeedState;
  /** Stops the change feed and ends the pool or database the store opened itself. */
  close(): Promise<void>;
}

const UNIQUE_VIOLATION = "23505";

function isUniqueViolationOf(error: unknown, index: string): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === UNIQUE_VIOLATION && constraint === index;
}

export interface SqlStoreSettings {
  executor: SqlExecutor;
  names: SchemaNames;
  changeFeed: { reconnectInitialDelayMs: number; reconnectMaxDelayMs: number } | false;
  onError: (error: unknown, context: string) => void;
}

export class SqlStore implements PostgresStore {
  readonly #executor: SqlExecutor;
  readonly #names: SchemaNames;
  readonly #feed: ChangeFeed | undefined;
  /** What the gates of this process may hold (caches, MCP sessions): compared by a resync. */
  readonly #handedOut = new HandedOutGenerations();

  constructor(settings: SqlStoreSettings) {
    this.#executor = settings.executor;
    this.#names = settings.names;
    if (settings.changeFeed === false) {
      this.subscribe = undefined;
    } else {
      this.#feed = new ChangeFeed({
        executor: settings.executor,
        channel: settings.names.channel,
        reconnect: {
          initialDelayMs: settings.changeFeed.reconnectInitialDelayMs,
          maxDelayMs: settings.changeFeed.reconnectMaxDelayMs,
        },
        resync: () => this.#resync(),
        onError: settings.onError,
      });
      // Subscribed first, so it sees each event before the gates act on it.
      this.#feed.subscribe((event) => this.#handedOut.delivered(event));
    }
  }

  /** Opens the change feed (if any). Called once by the factories. */
  async start(): Promise<void> {
    await this.#feed?.start();
  }

  get changeFeedState(): ChangeFeedState {
    return this.#feed?.state ?? "off";
  }

  migrate(): Promise<number> {
    return migrateSchema(this.#executor, this.#names);
  }

  async create(record: AppRecord): Promise<void> {
    try {
      await this.#executor.query(
        `INSERT INTO ${this.#names.apps} (${APP_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz, $10::timestamptz,
                 $11::timestamptz, $12::jsonb, $13::jsonb, $14::timestamptz)`,
        [
          record.id,
          record.name,
          record.ownerId,
          record.keyId,
          record.keyHash,
          record.keyCheck,
          record.keyGeneration,
          isoDate(record.createdAt),
          isoDate(record.updatedAt),
          isoDate(record.keyIssuedAt),
          record.lastUsedAt === null ? null : isoDate(record.lastUsedAt),
          JSON.stringify(record.policy),
          JSON.stringify(record.metadata),
          record.keyExpiresAt === null ? null : isoDate(record.keyExpiresAt),
        ],
      );
    } catch (error) {
      if (isUniqueViolationOf(error, this.#names.keyIdIndex)) {
        throw new DuplicateKeyIdError(record.keyId);
      }
      throw error;
    }
  }

  async getById(id: string): Promise<AppRecord | undefined> {
    const [row] = await this.#executor.query<AppRow>(
      `SELECT ${APP_COLUMNS} FROM ${this.#names.apps} WHERE id = $1`,
      [id],
    );
    return row === undefined ? undefined : toRecord(row);
  }

  async getByKeyId(keyId: string): Promise<AppRecord | undefined> {
    const [row] = await this.#executor.query<AppRow>(
      `SELECT ${APP_COLUMNS} FROM ${this.#names.apps} WHERE key_id = $1`,
      [keyId],
    );
    if (row === undefined) return undefined;
    const record = toRecord(row);
    this.#handedOut.handedOut(record.id, record.keyGeneration);
    return record;
  }

  async list(query: ListQuery = {}): Promise<AppRecord[]> {
    const { ownerId, after, limit } = query;
    const rows = await this.#executor.query<AppRow>(
      `SELECT ${APP_COLUMNS} FROM ${this.#names.apps}
        WHERE ($1::text IS NULL OR owner_id = $1)
          AND ($2::timestamptz IS NULL OR created_at > $2::timestamptz
               OR (created_at = $2::timestamptz AND id COLLATE "C" > $3::text COLLATE "C"))
        ORDER BY created_at, id COLLATE "C"
        LIMIT $4::integer`,
      [
        ownerId ?? null,
        after === undefined ? null : isoDate(after.createdAt),
        after?.id ?? null,
        limit ?? null,
      ],
    );
    return rows.map(toRecord);
  }

  async update(id: string, patch: AppPatch, updatedAt: Date): Promise<AppRecord> {
    const [row] = await this.#executor.query<AppRow>(
      `UPDATE ${this.#names.apps}
          SET name = coalesce($2::text, name),
              policy = policy || coalesce($3::jsonb, '{}'::jsonb),
              metadata = coalesce($4::jsonb, metadata),
              updated_at = $5::timestamptz
        WHERE id = $1
       RETURNING ${APP_COLUMNS}, ${this.#notify("updated", "$6")}`,
      [
        id,
        patch.name ?? null,
        patch.policy === undefined ? null : JSON.stringify(patch.policy),
        patch.metadata === undefined ? null : JSON.stringify(patch.metadata),
        isoDate(updatedAt),
        this.#names.channel,
      ],
    );
    if (row === undefined) throw new AppNotFoundError(id);
    return toRecord(row);
  }

  async replaceKey(id: string, replacement: KeyReplacement): Promise<AppRecord> {
    let rows: (Partial<AppRow> & { found: number })[];
    try {
      // `current` reads the statement's snapshot; the UPDATE re-checks the generation on the
      // latest row version after waiting for any concurrent writer. So an empty `swapped` with a
      // `current` row is a lost compare-and-swap, and no `current` row is "not found".
      rows = await this.#executor.query(
        `WITH current AS (
           SELECT key_generation FROM ${this.#names.apps} WHERE id = $1
         ), swapped AS (
           UPDATE ${this.#names.apps}
              SET key_id = $3, key_hash = $4, key_check = $7, key_issued_at = $5::timestamptz,
                  key_expires_at = $8::timestamptz, updated_at = $5::timestamptz,
                  key_generation = key_generation + 1
            WHERE id = $1 AND key_generation = $2
           RETURNING ${APP_COLUMNS}, ${this.#notify("key_replaced", "$6")}
         )
         SELECT (SELECT count(*) FROM current)::integer AS found, swapped.*
           FROM (SELECT 1) AS one LEFT JOIN swapped ON true`,
        [
          id,
          replacement.expectedGeneration,
          replacement.keyId,
          replacement.keyHash,
          isoDate(replacement.keyIssuedAt),
          this.#names.channel,
          replacement.keyCheck,
          replacement.keyExpiresAt === null ? null : isoDate(replacement.keyExpiresAt),
        ],
      );
    } catch (error) {
      if (isUniqueViolationOf(error, this.#names.keyIdIndex)) {
        throw new DuplicateKeyIdError(replacement.keyId);
      }
      throw error;
    }
    const [row] = rows;
    if (row?.id === undefined || row.id === null) {
      if (!row?.found) throw new AppNotFoundError(id);
      throw new GenerationConflictError(id, replacement.expectedGeneration);
    }
    return toRecord(row as AppRow);
  }

  async updateKeyHash(id: string, keyGeneration: number, keyHash: string): Promise<boolean> {
    const rows = await this.#executor.query(
      `UPDATE ${this.#names.apps} SET key_hash = $3 WHERE id = $1 AND key_generation = $2 RETURNING id`,
      [id, keyGeneration, keyHash],
    );
    return rows.length > 0;
  }

  async touch(id: string, lastUsedAt: Date): Promise<void> {
    await this.#executor.query(
      `UPDATE ${this.#names.apps} SET last_used_at = $2::timestamptz WHERE id = $1`,
      [id, isoDate(lastUsedAt)],
    );
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.#executor.query(
      `DELETE FROM ${this.#names.apps} WHERE id = $1 RETURNING id, ${this.#notify("deleted", "$2")}`,
      [id, this.#names.channel],
    );
    return rows.length > 0;
  }

  subscribe?(listener: (event: StoreEvent) => void): () => void {
    return this.#feed?.subscribe(listener) ?? (() => {});
  }

  async close(): Promise<void> {
    await this.#feed?.close();
    await this.#executor.close();
  }

  /** The NOTIFY of a write as a RETURNING expression; `channel` is the parameter holding the channel. */
  #notify(type: StoreEvent["type"], channel: string): string {
    return `pg_notify(${channel}, json_build_object('type', '${type}', 'appId', id)::text) AS notified`;
  }

  /**
   * After the feed reconnects: an event for every app a gate may have cached, saying what happened
   * to it while notifications could have been lost (deleted, key replaced, or possibly updated).
   */
  async #resync(): Promise<StoreEvent[]> {
    const ids = this.#handedOut.ids();
    if (ids.length === 0) return [];
    const rows = await this.#executor.query<{ id: string; key_generation: number }>(
      `SELECT id, key_generation FROM ${this.#names.apps} WHERE id = ANY($1::text[])`,
      [ids],
    );
    return this.#handedOut.changes(
      new Map(rows.map((row) => [row.id, Number(row.key_generation)])),
    );
  }
}
