/**
 * Real PostgreSQL for tests and benchmarks. `MCPGATE_TEST_PG_URL` (set by `.ci/postgres.sh`) points
 * at a running server; without it, a throwaway cluster is initialised in a temp directory and
 * started on 127.0.0.1 and a free port. Nothing is skipped: no server, no test run.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chmod, chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/** Directory of the PostgreSQL binaries (initdb, pg_ctl, pg_dump): PG_BIN, the newest under /usr/lib/postgresql, or PATH. */
export function postgresBin(tool: string): string {
  if (process.env.PG_BIN) return path.join(process.env.PG_BIN, tool);
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, "bin", tool)))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return path.join(root, versions[0], "bin", tool);
  }
  return tool;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

const isRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL server binary as `postgres` when we are root (the server refuses to run as root). */
async function asPostgres(tool: string, args: string[]): Promise<string> {
  const [file, argv] = isRoot
    ? ["runuser", ["-u", "postgres", "--", postgresBin(tool), ...args]]
    : [postgresBin(tool), args];
  const { stdout } = await run(file, argv, { timeout: 60_000 });
  return stdout;
}

/** A throwaway PostgreSQL cluster this process started; `stop`/`start` simulate an outage. */
export interface Cluster {
  /** Connection URL of the `postgres` database. */
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (if running) and deletes its directory. */
  destroy(): Promise<void>;
}

/** initdb + pg_ctl start of a new cluster on 127.0.0.1 and a free port (trust auth, fsync off). */
export async function startCluster(): Promise<Cluster> {
  const dir = await mkdtemp(path.join(tmpdir(), "mcpgate-pg-"));
  await chmod(dir, 0o700);
  if (isRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, "data");
  const port = await freePort();
  await asPostgres("initdb", [
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    "postgres",
    "--no-sync",
    "-E",
    "UTF8",
  ]);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  let running = false;
  const cluster: Cluster = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await asPostgres("pg_ctl", [
        "-D",
        data,
        "-o",
        options,
        "-l",
        path.join(dir, "log"),
        "-w",
        "start",
      ]);
      running = true;
    },
    async stop() {
      await asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      running = false;
    },
    async destroy() {
      if (running) await cluster.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}

/** A database for one test file, on the CI server or a cluster of its own; `drop` removes it. */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** `MCPGATE_TEST_PG_URL`, treating an empty value as unset. */
function configuredUrl(): string | undefined {
  return process.env.MCPGATE_TEST_PG_URL || undefined;
}

/**
 * A fresh database named after `label` (files can run in parallel): on `MCPGATE_TEST_PG_URL` when
 * set, otherwise on a throwaway cluster started for it.
 */
export async function testDatabase(label: string): Promise<TestDatabase> {
  const cluster = configuredUrl() ? undefined : await startCluster();
  const serverUrl = configuredUrl() ?? (cluster as Cluster).url;
  const name = `mcpgate_${label}_${process.pid}_${Date.now().toString(36)}`.toLowerCase();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      if (cluster) {
        await cluster.destroy();
        return;
      }
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** `pg_dump` of a database as plain SQL text. */
export async function pgDump(url: string): Promise<string> {
  const { stdout } = await run(postgresBin("pg_dump"), ["--dbname", url], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
