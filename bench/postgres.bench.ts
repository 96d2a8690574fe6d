/**
 * The store on the authentication path: PostgreSQL (and PGlite) against MemoryStore.
 * - cold authenticate (a fresh gate each time: store lookup + Argon2id verify): Argon2 should dominate;
 * - the lookup alone (nothing cached but the verified-hash memo, so no Argon2): the store's own cost;
 * - cached authenticate: the store is not touched, so it must not matter which one it is;
 * - unknown key id: rejected after one indexed query, without Argon2.
 * The server comes from MCPGATE_TEST_PG_URL or a throwaway cluster, exactly as in the tests.
 */
import { PGlite } from "@electric-sql/pglite";
import { createGate, createKeyHasher, generateKey, MemoryStore, type Store } from "@mcpgate/core";
import { createPGliteStore, createPostgresStore } from "@mcpgate/store-postgres";
import pg from "pg";
import { testDatabase } from "../packages/store-postgres/test/pg-server.js";
import { compare } from "./compare.js";

export async function postgresBench(): Promise<void> {
  const database = await testDatabase("bench");
  const postgres = await createPostgresStore({ connectionString: database.url });
  const pglite = await PGlite.create();
  const embedded = await createPGliteStore({ pglite });
  const memory = new MemoryStore();
  const floor = new pg.Pool({ connectionString: database.url, max: 1 });
  const hasher = createKeyHasher();
  try {
    const stores: [string, Store][] = [
      ["MemoryStore", memory],
      ["PostgreSQL", postgres],
      ["PGlite", embedded],
    ];
    const setups = await Promise.all(
      stores.map(async ([name, store]) => {
        const admin = createGate({ store, hasher, lastUsed: false });
        const { key } = await admin.createApp({ name: `bench-${name}` });
        await admin.close();
        // One gate that never caches (ttl 0): after its first verify only the lookup remains.
        const uncached = createGate({ store, hasher, lastUsed: false, cache: { ttlMs: 0 } });
        const cached = createGate({ store, hasher, lastUsed: false, cache: { ttlMs: 3_600_000 } });
        await uncached.authenticate(key);
        await cached.authenticate(key);
        return { name, store, key, uncached, cached };
      }),
    );
    const [base, ...rest] = setups;
    if (!base) return;

    const cold = (s: (typeof setups)[number]) => ({
      name: `${s.name}: cold authenticate (new gate)`,
      fn: async () => {
        const gate = createGate({ store: s.store, hasher, lastUsed: false });
        await gate.authenticate(s.key);
        await gate.close();
      },
    });
    await compare("Cold authenticate: store lookup + Argon2id verify", cold(base), rest.map(cold), {
      time: 1500,
    });

    const lookup = (s: (typeof setups)[number]) => ({
      name: `${s.name}: authenticate, nothing cached but the hash memo`,
      fn: () => s.uncached.authenticate(s.key),
    });
    await compare("The store lookup alone (getByKeyId, no Argon2)", lookup(base), [
      ...rest.map(lookup),
      { name: "pg: SELECT 1 round trip (the floor)", fn: () => floor.query("SELECT 1") },
    ]);

    const cachedTask = (s: (typeof setups)[number]) => ({
      name: `${s.name}: cached authenticate`,
      fn: () => s.cached.authenticate(s.key),
    });
    await compare(
      "Cached authenticate (the store is not touched)",
      cachedTask(base),
      rest.map(cachedTask),
    );

    // A fresh key every time: each rejection costs one indexed lookup (no Argon2).
    const fresh = Array.from({ length: 4096 }, generateKey);
    let next = 0;
    const reject = (s: (typeof setups)[number]) => ({
      name: `${s.name}: unknown key id rejected`,
      fn: () => s.uncached.authenticate(fresh[next++ % fresh.length] ?? "").catch(() => undefined),
    });
    await compare("Unknown key: one indexed lookup, no Argon2", reject(base), rest.map(reject));

    // The same unknown key again and again (a client still sending a regenerated key): the
    // unknown-key memo answers without a query.
    const stale = generateKey();
    const retry = (s: (typeof setups)[number]) => ({
      name: `${s.name}: the same unknown key, repeated`,
      fn: () => s.uncached.authenticate(stale).catch(() => undefined),
    });
    await compare("Repeated unknown key: remembered, no query", retry(base), rest.map(retry));

    await Promise.all(setups.flatMap((s) => [s.uncached.close(), s.cached.close()]));
  } finally {
    await floor.end();
    await Promise.all([postgres.close(), embedded.close()]);
    await pglite.close();
    await database.drop();
  }
}
