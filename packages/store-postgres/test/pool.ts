/** A `pg` pool for tests of other packages (which do not depend on `@types/pg` themselves). */
import pg from "pg";

export type TestPool = pg.Pool;

export function testPool(connectionString: string, max = 2): pg.Pool {
  return new pg.Pool({ connectionString, max });
}
