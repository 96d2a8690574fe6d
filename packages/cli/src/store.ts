/**
 * Opening the store named by `--store` (or MCPGATE_STORE): a PostgreSQL URL, or a directory for an
 * embedded PGlite database (default `./.mcpgate`).
 */
import { resolve } from "node:path";
import {
  createPGliteStore,
  createPostgresStore,
  type PostgresStore,
} from "@mcpgate/store-postgres";

export interface OpenedStore {
  store: PostgresStore;
}

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** Whether `--store` names a PostgreSQL server rather than a directory. */
export function isPostgresSpec(spec: string): boolean {
  return POSTGRES_URL.test(spec);
}

export async function openStore(spec: string, cwd: string): Promise<OpenedStore> {
  if (isPostgresSpec(spec)) {
    return {
      store: await createPostgresStore({
        connectionString: spec,
        changeFeed: false,
        maxConnections: 2,
      }),
    };
  }
  const dataDir = resolve(cwd, spec);
  return { store: await createPGliteStore({ dataDir, changeFeed: false }) };
}
