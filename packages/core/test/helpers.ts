import { keyCheckTag } from "../src/digest.js";
import { createKeyHasher, type KeyHasher, type MemoryStore, type Store } from "../src/index.js";

/** Holds whoever passes it while held; `hold()` returns the release function. */
function createBarrier(): { pass: () => Promise<void>; hold: () => () => void } {
  let gate: Promise<void> | undefined;
  return {
    pass: async () => {
      if (gate) await gate;
    },
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

/** A real Argon2id hasher that counts its calls and can hold verifications until released. */
export function countingHasher(): {
  hasher: KeyHasher;
  calls: { hash: number; verify: number };
  hold: () => () => void;
} {
  const real = createKeyHasher();
  const calls = { hash: 0, verify: 0 };
  const barrier = createBarrier();
  const hasher: KeyHasher = {
    parameters: real.parameters,
    async hash(key) {
      calls.hash++;
      return real.hash(key);
    },
    async verify(phc, key) {
      calls.verify++;
      await barrier.pass();
      return real.verify(phc, key);
    },
    needsRehash: (phc) => real.needsRehash(phc),
  };
  return {
    hasher,
    calls,
    hold: barrier.hold,
  };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 10, 24)): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** The same key with one secret character changed (same key id). */
export function sameIdOtherSecret(key: string, variant = 0): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const position = 12 + (variant % 24);
  const current = key.charAt(position);
  const replacement = alphabet.charAt(
    (alphabet.indexOf(current) + 1 + Math.floor(variant / 24)) % 62,
  );
  return key.slice(0, position) + replacement + key.slice(position + 1);
}

/**
 * A real MemoryStore whose `getByKeyId` can be made to hang until released (a database that
 * stopped answering). Counts the lookups that were started and those still unsettled.
 */
export function hangingLookups(inner: Store): {
  store: Store;
  stats: { started: number; unsettled: number };
  hang: () => () => void;
} {
  const stats = { started: 0, unsettled: 0 };
  const barrier = createBarrier();
  const store: Store = {
    create: (record) => inner.create(record),
    getById: (id) => inner.getById(id),
    getByKeyId: (keyId) => inner.getByKeyId(keyId),
    list: () => inner.list(),
    update: (id, patch, at) => inner.update(id, patch, at),
    replaceKey: (id, replacement) => inner.replaceKey(id, replacement),
    updateKeyHash: (id, generation, hash) => inner.updateKeyHash(id, generation, hash),
    touch: (id, at) => inner.touch(id, at),
    delete: (id) => inner.delete(id),
  };
  if (inner.subscribe) store.subscribe = (listener) => inner.subscribe?.(listener) ?? (() => {});
  store.getByKeyId = async (keyId) => {
    stats.started++;
    stats.unsettled++;
    try {
      await barrier.pass();
      return await inner.getByKeyId(keyId);
    } finally {
      stats.unsettled--;
    }
  };
  return {
    store,
    stats,
    hang: barrier.hold,
  };
}

/** The settled outcome of a promise: its value, or the error it rejected with. */
export function outcome<T>(promise: Promise<T>): Promise<T | unknown> {
  return promise.then(
    (value) => value,
    (error: unknown) => error,
  );
}

/** A wrong key with the same key id and the same check tag as `key` (~65k tries, a few ms). */
export function sameTagOtherSecret(key: string): string {
  const tag = keyCheckTag(key);
  const start = Math.floor(Math.random() * 2 ** 40);
  for (let i = start; ; i++) {
    const candidate = key.slice(0, 12) + i.toString(36).padStart(24, "0");
    if (candidate !== key && keyCheckTag(candidate) === tag) return candidate;
  }
}

/**
 * Turns an app into one written before check tags existed (`keyCheck: ""`), as a store migrated
 * from the first data model holds it.
 */
export async function makeLegacy(store: MemoryStore, appId: string): Promise<void> {
  const record = await store.getById(appId);
  if (!record) throw new Error(`no app ${appId}`);
  await store.delete(appId);
  await store.create({ ...record, keyCheck: "" });
}
