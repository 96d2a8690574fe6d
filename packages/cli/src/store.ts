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
  /** For messages: the directory, or the URL without its password. */
  description: string;
}

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** The URL with any password replaced, for messages. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "a PostgreSQL URL";
  }
}

export async function openStore(spec: string, cwd: string): Promise<OpenedStore> {
  if (POSTGRES_URL.test(spec)) {
    return {
      store: await createPostgresStore({
        connectionString: spec,
        changeFeed: false,
        maxConnections: 2,
      }),
      description: describeUrl(spec),
    };
  }
  const dataDir = resolve(cwd, spec);
  return { store: await createPGliteStore({ dataDir, changeFeed: false }), description: dataDir };
}
