/**
 * The query-executor seam: the store's SQL is written once and runs on a `pg` pool or on a PGlite
 * instance. An executor runs single statements, runs a function inside one transaction, and opens a
 * listening session for LISTEN/NOTIFY.
 */
import type { PGliteLike, PgPoolClientLike, PgPoolLike } from "./drivers.js";

/** Runs one statement and resolves its rows. */
export type QueryFn = <Row>(text: string, params?: readonly unknown[]) => Promise<Row[]>;

/** An active LISTEN: `stop` ends it (and frees its connection). */
export interface ListenSession {
  stop(): Promise<void>;
}

/** Where the store's SQL runs. @internal */
export interface SqlExecutor {
  readonly query: QueryFn;
  /** Runs `work` inside BEGIN … COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(work: (query: QueryFn) => Promise<T>): Promise<T>;
  /**
   * Resolves once `LISTEN channel` is active. `onPayload` gets each notification's payload;
   * `onLost` is called at most once if the session dies (connection dropped, heartbeat failed).
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onLost: (error: unknown) => void,
  ): Promise<ListenSession>;
  /** Ends what the executor owns (a pool or database it created); leaves borrowed ones open. */
  close(): Promise<void>;
}

/** Quotes an identifier (names here are validated lowercase already; quoting is belt and braces). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Executor over a `pg` pool. The listening session holds one pool client for as long as it lives. */
export function pgExecutor(
  pool: PgPoolLike,
  options: { owned: boolean; heartbeatMs: number; heartbeatTimeoutMs: number },
): SqlExecutor {
  const query: QueryFn = async <Row>(text: string, params: readonly unknown[] = []) =>
    (await pool.query(text, params as unknown[])).rows as Row[];

  return {
    query,

    async transaction(work) {
      const client = await pool.connect();
      // A checked-out client that errors with no listener would crash the process.
      const ignore = (): void => {};
      client.on("error", ignore);
      let broken: unknown;
      try {
        await client.query("BEGIN");
        const result = await work(async (text, params = []) => {
          return (await client.query(text, params as unknown[])).rows;
        });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: unknown) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.off("error", ignore);
        client.release(broken instanceof Error ? broken : undefined);
      }
    },

    async listen(channel, onPayload, onLost) {
      const client: PgPoolClientLike = await pool.connect();
      let ended = false;
      const probe: { timer?: NodeJS.Timeout; deadline?: NodeJS.Timeout } = {};
      const end = (error?: unknown): void => {
        if (ended) return;
        ended = true;
        clearInterval(probe.timer);
        clearTimeout(probe.deadline);
        client.off("notification", notification);
        // Destroy rather than return to the pool: the connection is LISTENing (or broken).
        client.release(true);
        // A silently dead peer never answers the goodbye: drop the socket now.
        (
          client as unknown as { connection?: { stream?: { destroy?: () => void } } }
        ).connection?.stream?.destroy?.();
        if (error !== undefined) onLost(error);
      };
      const notification = (message: { channel: string; payload?: string }): void => {
        if (message.channel === channel && message.payload !== undefined)
          onPayload(message.payload);
      };
      client.on("error", (error) => end(error));
      client.on("end", () => end(new Error("listening connection ended")));
      client.on("notification", notification);
      try {
        await client.query(`LISTEN ${quoteIdentifier(channel)}`);
      } catch (error) {
        end();
        throw error;
      }
      // A connection can die silently (a dropped network path, a frozen proxy): probe it, with a
      // timeout of our own, so the feed reconnects and resyncs whatever pool the user passed (a
      // borrowed pool may have no query_timeout, and TCP alone notices only after many minutes).
      probe.timer = setInterval(() => {
        if (probe.deadline !== undefined) return; // the previous probe is still within its time
        probe.deadline = setTimeout(() => {
          end(
            new Error(
              `change feed heartbeat: no answer within ${options.heartbeatTimeoutMs} ms; reconnecting`,
            ),
          );
        }, options.heartbeatTimeoutMs).unref();
        client.query("SELECT 1").then(
          () => {
            clearTimeout(probe.deadline);
            probe.deadline = undefined;
          },
          (error: unknown) => end(error),
        );
      }, options.heartbeatMs).unref();
      return {
        async stop() {
          end();
        },
      };
    },

    async close() {
      if (options.owned) await pool.end();
    },
  };
}

/** Executor over a PGlite instance (one connection; LISTEN/NOTIFY within the instance). */
export function pgliteExecutor(db: PGliteLike, options: { owned: boolean }): SqlExecutor {
  const query: QueryFn = async <Row>(text: string, params: readonly unknown[] = []) =>
    (await db.query<Row>(text, params as unknown[])).rows;

  return {
    query,

    transaction(work) {
      return db.transaction((tx) =>
        work(async <Row>(text: string, params: readonly unknown[] = []) => {
          return (await tx.query<Row>(text, params as unknown[])).rows;
        }),
      );
    },

    async listen(channel, onPayload) {
      const unlisten = await db.listen(channel, onPayload);
      return {
        async stop() {
          if (!db.closed) await unlisten();
        },
      };
    },

    async close() {
      if (options.owned && !db.closed) await db.close();
    },
  };
}
