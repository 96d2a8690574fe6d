/**
 * The embedded database's directory at rest: private (0700 directories, 0600 files, whatever the
 * umask), never opened if others can write it, and held by one opener at a time through a lock file
 * that names its process. A lock left by a crashed process is taken over (its pid is gone).
 */
import { StoreInsecureError, StoreLockedError } from "@mcpgate/core";
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { chmod, lstat, mkdir, readdir, stat } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";

const LOCK_FILE = "mcpgate.lock";
/** Lock files held by this process (a second store on the same directory is refused too). */
const held = new Set<string>();
let exitHookInstalled = false;

/** A held directory: `release` removes the lock (idempotent), `seal` re-tightens permissions. */
export interface DirectoryLease {
  readonly dataDir: string;
  seal(): Promise<void>;
  release(): void;
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/** Creates `dir` and any missing parents as 0700, explicitly (mkdir's mode is filtered by umask). */
async function makePrivateDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; ; current = path.dirname(current)) {
    const exists = await stat(current).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
    if (exists || path.dirname(current) === current) break;
    missing.unshift(current);
  }
  for (const created of missing) {
    await mkdir(created, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
    await chmod(created, 0o700);
  }
}

/** Refuses a directory that is not ours alone to write; tightens one that is merely readable. */
async function checkPrivate(dataDir: string): Promise<void> {
  const info = await lstat(dataDir);
  if (info.isSymbolicLink() || !info.isDirectory()) {
    throw new StoreInsecureError(
      dataDir,
      `${dataDir} is not a directory (a symbolic link or a file): give createPGliteStore a plain directory it may own.`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new StoreInsecureError(
      dataDir,
      `${dataDir} belongs to another user (uid ${info.uid}): the embedded database must be in a directory you own. Use another directory, or chown it.`,
    );
  }
  if ((info.mode & 0o022) !== 0) {
    throw new StoreInsecureError(
      dataDir,
      `${dataDir} is writable by other users (mode ${octal(info.mode)}): they could read the key hashes or corrupt the database. Run \`chmod 700 ${dataDir}\` (the store keeps it 0700 with 0600 files), or use another directory.`,
    );
  }
}

/** 0700 on every directory, 0600 on every file under (and including) `dataDir`. */
async function seal(dataDir: string): Promise<void> {
  await chmod(dataDir, 0o700);
  const entries = await readdir(dataDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (entry.isSymbolicLink()) continue;
    const full = path.join(entry.parentPath, entry.name);
    await chmod(full, entry.isDirectory() ? 0o700 : 0o600).catch((error: NodeJS.ErrnoException) => {
      // Files come and go while the database runs.
      if (error.code !== "ENOENT") throw error;
    });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface LockOwner {
  pid: number;
  host: string;
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const [pid, host] = readFileSync(lockPath, "utf8").split("\n");
    const parsed = Number(pid);
    return Number.isInteger(parsed) && parsed > 0 ? { pid: parsed, host: host ?? "" } : undefined;
  } catch {
    return undefined;
  }
}

function lockedError(dataDir: string, lockPath: string, owner: LockOwner): StoreLockedError {
  const who = owner.pid === process.pid ? "another store in this process" : `process ${owner.pid}`;
  return new StoreLockedError(
    dataDir,
    `${dataDir} is in use by ${who}${owner.host !== hostname() ? ` on ${owner.host}` : ""}: an embedded (PGlite) database is opened by one process at a time. Stop that process first, or use PostgreSQL (createPostgresStore, or --store postgres://…) when a server and the CLI, or several servers, share apps. If no such process exists, delete ${lockPath}.`,
  );
}

function acquireLock(dataDir: string): string {
  const lockPath = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, "wx", 0o600);
      try {
        writeSync(fd, `${process.pid}\n${hostname()}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(lockPath);
      return lockPath;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = readOwner(lockPath);
    if (owner !== undefined) {
      const ours = owner.pid === process.pid && held.has(lockPath);
      const otherHost = owner.host !== "" && owner.host !== hostname();
      // Another host's pid cannot be checked from here: refuse rather than guess.
      if (ours || otherHost || (owner.pid !== process.pid && pidAlive(owner.pid)))
        throw lockedError(dataDir, lockPath, owner);
    }
    // Left by a process that is gone (a crash, or this pid in an earlier container): take it over.
    try {
      unlinkSync(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  throw new StoreLockedError(
    dataDir,
    `${dataDir}: could not take ${lockPath} (another process keeps racing for it). Use PostgreSQL when several processes share apps.`,
  );
}

function releaseLock(lockPath: string): void {
  if (!held.delete(lockPath)) return;
  if (readOwner(lockPath)?.pid !== process.pid) return;
  try {
    unlinkSync(lockPath);
  } catch {
    // Already gone; nothing to release.
  }
}

/**
 * Prepares `dataDir` for PGlite: creates it and missing parents privately, refuses it when others
 * can write it, takes the lock, and tightens what is inside.
 *
 * @throws StoreInsecureError (`store_insecure`), StoreLockedError (`store_locked`).
 */
export async function leaseDirectory(dataDir: string): Promise<DirectoryLease> {
  const absolute = path.resolve(dataDir);
  await makePrivateDirectories(absolute);
  await checkPrivate(absolute);
  const lockPath = acquireLock(absolute);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A process that exits without closing its store leaves no lock behind (a crash does; the
    // pid check then takes it over).
    process.once("exit", () => {
      for (const lock of [...held]) releaseLock(lock);
    });
  }
  try {
    await seal(absolute);
  } catch (error) {
    releaseLock(lockPath);
    throw error;
  }
  return {
    dataDir: absolute,
    seal: () => seal(absolute),
    release: () => releaseLock(lockPath),
  };
}
