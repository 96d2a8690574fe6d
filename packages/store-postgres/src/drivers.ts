/**
 * The parts of `pg` and PGlite the store uses, as structural types. The published declarations name
 * these instead of importing `pg` or `@electric-sql/pglite`, so they compile with only the driver a
 * user installed (and without `@types/pg`). A real `pg.Pool` or `PGlite` is assignable to them; the
 * tests pass real ones, so `pnpm typecheck` keeps them honest.
 */

/** Rows of one query, as both drivers resolve them. */
interface QueryResultLike<Row> {
  rows: Row[];
  /** Rows a write touched (pg sets it; `null` for some statements). */
  rowCount?: number | null;
}

/** A client checked out of a `pg` pool. */
export interface PgPoolClientLike {
  query(text: string, values?: unknown[]): Promise<QueryResultLike<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- pg's rows are `any`
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "end", listener: () => void): unknown;
  on(
    event: "notification",
    listener: (message: { channel: string; payload?: string | undefined }) => void,
  ): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
  off(
    event: "notification",
    listener: (message: { channel: string; payload?: string | undefined }) => void,
  ): unknown;
  release(destroy?: Error | boolean): void;
}

/** A `pg` `Pool` (what `new pg.Pool(…)` returns). */
export interface PgPoolLike {
  readonly options: { readonly max: number };
  query(text: string, values?: unknown[]): Promise<QueryResultLike<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- pg's rows are `any`
  connect(): Promise<PgPoolClientLike>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
  listenerCount(event: "error"): number;
}

/** A PGlite transaction. */
export interface PGliteTransactionLike {
  query<Row>(text: string, params?: unknown[]): Promise<QueryResultLike<Row>>;
}

/** A PGlite instance (what `await PGlite.create(…)` resolves). */
export interface PGliteLike extends PGliteTransactionLike {
  readonly closed: boolean;
  transaction<T>(work: (tx: PGliteTransactionLike) => Promise<T>): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
