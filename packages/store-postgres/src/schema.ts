/**
 * The schema: table names (with an optional validated prefix) and versioned, idempotent migrations
 * recorded in a version table. Migrations run in one transaction under an advisory lock, so two
 * instances starting at once do not race.
 */
import { quoteIdentifier, type SqlExecutor } from "./executor.js";

/**
 * The schema version this release of the package creates and expects.
 *
 * @example
 * ```ts
 * const store = await createPostgresStore({ connectionString, migrate: false });
 * if ((await store.migrate()) !== SCHEMA_VERSION) throw new Error("unexpected schema");
 * ```
 */
export const SCHEMA_VERSION = 3;

/** Table, index and channel names for one prefix. */
export interface SchemaNames {
  /** The apps table, quoted. */
  apps: string;
  /** The schema version table, quoted. */
  versions: string;
  /** Name of the unique index on key id (a 23505 naming it means "key id taken"). */
  keyIdIndex: string;
  /** Name of the (created_at, id) index behind `list()`. */
  createdAtIndex: string;
  /** Name of the (owner_id, created_at, id) index behind `list({ ownerId })`. */
  ownerIndex: string;
  /** The LISTEN/NOTIFY channel. */
  channel: string;
  /** Advisory lock name that serialises migrations. */
  lockName: string;
}

export function schemaNames(prefix: string): SchemaNames {
  const base = `${prefix}mcpgate`;
  return {
    apps: quoteIdentifier(`${base}_apps`),
    versions: quoteIdentifier(`${base}_schema_version`),
    keyIdIndex: `${base}_apps_key_id_key`,
    createdAtIndex: `${base}_apps_created_at_idx`,
    ownerIndex: `${base}_apps_owner_idx`,
    channel: `${base}_changes`,
    lockName: `${base}_migrate`,
  };
}

function migrations(names: SchemaNames): string[][] {
  return [
    // Version 1: the apps table; key id unique (the authentication lookup); list order index.
    [
      `CREATE TABLE IF NOT EXISTS ${names.apps} (
        id text PRIMARY KEY,
        name text NOT NULL,
        key_id text NOT NULL,
        key_hash text NOT NULL,
        key_generation integer NOT NULL CHECK (key_generation >= 1),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        key_issued_at timestamptz NOT NULL,
        last_used_at timestamptz,
        policy jsonb NOT NULL,
        metadata jsonb NOT NULL
      )`,
      `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdentifier(names.keyIdIndex)}
        ON ${names.apps} (key_id)`,
      `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(names.createdAtIndex)}
        ON ${names.apps} (created_at, id COLLATE "C")`,
    ],
    // Version 2: owners (the admin API lists one owner's apps) and the key check tag ('' = none,
    // for keys issued before version 2).
    [
      `ALTER TABLE ${names.apps}
         ADD COLUMN IF NOT EXISTS owner_id text,
         ADD COLUMN IF NOT EXISTS key_check text NOT NULL DEFAULT ''`,
      `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(names.ownerIndex)}
        ON ${names.apps} (owner_id, created_at, id COLLATE "C")`,
    ],
    // Version 3: key expiry (NULL = never, which is what every key issued before had).
    [`ALTER TABLE ${names.apps} ADD COLUMN IF NOT EXISTS key_expires_at timestamptz`],
  ];
}

/**
 * Brings the schema to {@link SCHEMA_VERSION}; a no-op when it is there. Resolves the version.
 * @throws Error when the database holds a newer schema than this package knows.
 */
export async function migrateSchema(executor: SqlExecutor, names: SchemaNames): Promise<number> {
  const steps = migrations(names);
  return executor.transaction(async (query) => {
    await query("SELECT pg_advisory_xact_lock(hashtext($1))", [names.lockName]);
    await query(`CREATE TABLE IF NOT EXISTS ${names.versions} (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const [row] = await query<{ version: number }>(
      `SELECT coalesce(max(version), 0)::integer AS version FROM ${names.versions}`,
    );
    const current = row?.version ?? 0;
    if (current > steps.length) {
      throw new Error(
        `The database schema is at version ${current}, newer than this @mcpgate/store-postgres (${steps.length}).`,
      );
    }
    for (let version = current + 1; version <= steps.length; version++) {
      for (const statement of steps[version - 1] ?? []) await query(statement);
      await query(`INSERT INTO ${names.versions} (version) VALUES ($1)`, [version]);
    }
    return steps.length;
  });
}
