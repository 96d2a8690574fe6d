import { PGlite } from "@electric-sql/pglite";
import type { Store } from "@mcpgate/core";
import { runStoreConformance } from "@mcpgate/core/testing";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createPGliteStore, createPostgresStore, type PostgresStore } from "../src/index.js";
import { pgDump, testDatabase, type TestDatabase } from "./pg-server.js";

let database: TestDatabase;
let pgliteDir: string;
let pglite: PGlite;
let storeCount = 0;

beforeAll(async () => {
  database = await testDatabase("conformance");
  pgliteDir = await mkdtemp(path.join(tmpdir(), "mcpgate-pglite-"));
  // One persistent database on disk (opening one costs seconds); a table prefix per test.
  pglite = await PGlite.create(pgliteDir);
});

afterAll(async () => {
  await pglite?.close();
  if (pgliteDir) await rm(pgliteDir, { recursive: true, force: true });
  await database?.drop();
});

const close = (store: Store): Promise<void> => (store as PostgresStore).close();

// Each test gets its own tables (a fresh prefix), so "list returns every record" sees only its own.
runStoreConformance(
  () => createPostgresStore({ connectionString: database.url, tablePrefix: `t${++storeCount}_` }),
  { name: "PostgreSQL store conformance", dump: () => pgDump(database.url), cleanup: close },
);

runStoreConformance(() => createPGliteStore({ pglite, tablePrefix: `t${++storeCount}_` }), {
  name: "PGlite store conformance",
  // Every row of every table of the database, as JSON text.
  dump: async () => {
    const { rows: tables } = await pglite.query<{ name: string }>(
      `SELECT quote_ident(table_name) AS name FROM information_schema.tables
        WHERE table_schema = 'public'`,
    );
    const parts: string[] = [];
    for (const { name } of tables) {
      const { rows } = await pglite.query<{ dump: string | null }>(
        `SELECT json_agg(t)::text AS dump FROM ${name} t`,
      );
      parts.push(`${name}: ${rows[0]?.dump ?? "[]"}`);
    }
    return parts.join("\n");
  },
  cleanup: close,
});
