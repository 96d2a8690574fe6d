/**
 * Key → app, fast. The hot path is one SHA-256 and one Map lookup; everything expensive sits
 * behind it:
 *
 *   positive cache (digest → app, TTL from the store read) ── hit ──▶ app
 *   └ miss ─▶ unknown a moment ago? ── yes ──▶ invalid_key (no store read)
 *            └ single-flight per digest ─▶ store.getByKeyId (timeout, bounded) ── none ──▶ invalid_key
 *            (a key id whose check tag is known and differs: invalid_key before all of this)
 *            └ record (validated) ─▶ check tag ≠ ─▶ invalid_key (no Argon2)
 *                       └ verified or failed memo for this exact hash? ─▶ answer, no Argon2
 *                       └ neither ─▶ (legacy untagged record: failure budget) ─▶ bounded Argon2 pool ─▶ cache ─▶ app
 *   every caller, the verifier and each waiter alike, re-checks the epoch when its flight lands
 *   a key past its expiry is refused (key_expired) only once it verified, from the cache as well
 *
 * The two memos remember "this digest verified / failed against this PHC string". They let an
 * expired cache entry be renewed with one store read instead of an Argon2 run, and they cannot go
 * stale: a regenerated key has a new hash, so the memo no longer matches.
 */
import { toApp, type App, type AppRecord } from "./app.js";
import { BoundedMap } from "./bounded-map.js";
import { digestsEqual, keyCheckTagOfDigest, lookupDigest } from "./digest.js";
import {
  copyError,
  InvalidKeyError,
  OverloadedError,
  StoreUnavailableError,
  type MalformedKeyError,
  isMcpgateError,
  withoutStack,
  type KeyExpiredError,
} from "./errors.js";
import type { KeyHasher } from "./hashing.js";
import { expiredKeyError } from "./key-expiry.js";
import { KEY_ID_LENGTH, KEY_PREFIX, diagnoseKey, isKey } from "./key-format.js";
import { FailureBudget } from "./failure-budget.js";
import type { Store } from "./store.js";
import { parseStoredRecord } from "./stored-record.js";
import { StoreLookups } from "./store-lookups.js";
import { VerificationPool } from "./verification-pool.js";

const KEY_ID_END = KEY_PREFIX.length + KEY_ID_LENGTH;
const INVALID_KEY = withoutStack(() => new InvalidKeyError());
const invalidKey = (): InvalidKeyError => copyError(INVALID_KEY);

/**
 * A refusal: returned (or resolved), never thrown, because a throw costs more than the rest of a
 * refusal and refusals are what a flood of bad keys is made of. Failures to answer (store down,
 * overloaded, corrupt record, hashing failed) still reject.
 */
export type Refusal = MalformedKeyError | InvalidKeyError | KeyExpiredError;

/** What authentication answers: the app, or a refusal. */
export type Answer = App | Refusal;

/** Why `input` is not a key (`malformed_key`; answered over HTTP exactly like `invalid_key`). */
const malformed = (input: unknown): MalformedKeyError => withoutStack(() => diagnoseKey(input));

export interface AuthenticatorSettings {
  store: Store;
  hasher: KeyHasher;
  clock: () => number;
  cache: { ttlMs: number; maxEntries: number };
  negativeCache: { ttlMs: number; maxEntries: number; unknownKeyTtlMs: number };
  verification: { concurrency: number; maxQueue: number };
  storeLookups: { timeoutMs: number; maxConcurrent: number };
  failureBudget: { failures: number; windowSeconds: number };
  onError: (error: unknown, context: string) => void;
  /** Called for every admitted request, synchronously (the gate's debounced last-used). */
  onAdmit: (app: App) => void;
}

interface HashMemo {
  digest: string;
  keyHash: string;
}

/** One cold verification in progress, shared by every request for the same key (single-flight). */
interface Flight {
  epoch: number;
  promise: Promise<Answer>;
}

/**
 * How often a caller whose flight was overtaken by an eviction starts over before giving up with
 * `overloaded`. Each retry is one store read (the verified memo spares Argon2); needing more than a
 * few means apps are being changed faster than the store answers.
 */
const MAX_FLIGHTS = 3;

/** Wraps anything a store throws that is not already a coded error. */
export function storeError(cause: unknown): Error {
  return isMcpgateError(cause) ? cause : new StoreUnavailableError({ cause });
}

export class Authenticator {
  readonly #s: AuthenticatorSettings;
  readonly #positive: BoundedMap<string, App>;
  readonly #verified: BoundedMap<string, HashMemo>;
  readonly #failed: BoundedMap<string, string>;
  /** Digests of keys the store did not know: a client still sending a regenerated key costs no query. */
  readonly #unknown: BoundedMap<string, true>;
  readonly #budget: FailureBudget;
  /**
   * Key id → check tag of its key, as last read from the store. A key id names one key for good
   * (a regenerated key gets a new id), so a wrong secret for a known id is refused from here
   * without a store read or Argon2, however many arrive.
   */
  readonly #tags: BoundedMap<string, { tag: string; appId: string }>;
  readonly #inflight = new Map<string, Flight>();
  readonly #pool: VerificationPool;
  readonly #lookups: StoreLookups;
  /** Bumped by every eviction: a verification that started before it must not fill the cache. */
  #epoch = 0;

  constructor(settings: AuthenticatorSettings) {
    this.#s = settings;
    const { cache, negativeCache, verification, failureBudget } = settings;
    this.#positive = new BoundedMap(cache.maxEntries, cache.ttlMs);
    this.#verified = new BoundedMap(cache.maxEntries, Number.POSITIVE_INFINITY);
    this.#failed = new BoundedMap(negativeCache.maxEntries, negativeCache.ttlMs);
    this.#unknown = new BoundedMap(negativeCache.maxEntries, negativeCache.unknownKeyTtlMs);
    this.#budget = new FailureBudget(
      failureBudget.failures,
      failureBudget.windowSeconds,
      negativeCache.maxEntries,
    );
    this.#tags = new BoundedMap(negativeCache.maxEntries, negativeCache.ttlMs);
    this.#pool = new VerificationPool(verification.concurrency, verification.maxQueue);
    const { timeoutMs, maxConcurrent } = settings.storeLookups;
    this.#lookups = new StoreLookups(timeoutMs, maxConcurrent, storeError);
  }

  /**
   * The app for `key` without a promise when no store read is needed: the app from the cache,
   * or the {@link Refusal} when a memo refuses the key; a promise only on a cache miss, which
   * resolves to the app or a refusal (and rejects only when it cannot answer).
   */
  authenticateSync(key: string, now?: number): Answer | Promise<Answer> {
    return isKey(key) ? this.authenticateWellFormed(key, now) : malformed(key);
  }

  /**
   * {@link authenticateSync} for a key whose shape is already checked (`isKey`: the credential
   * extractor checks every key it returns), so the hot path scans it once. `now`: the caller's
   * clock reading, when it has one (a clock read is not free).
   */
  authenticateWellFormed(key: string, now = this.#s.clock()): Answer | Promise<Answer> {
    const digest = lookupDigest(key);
    const cached = this.#positive.get(digest, now);
    if (cached !== undefined) {
      // The cached principal carries its key's expiry: no store read to enforce it.
      if (cached.keyExpiresAt !== null) {
        const expired = expiredKeyError(cached, now);
        if (expired !== undefined) return expired;
      }
      this.#s.onAdmit(cached);
      return cached;
    }
    if (this.#unknown.get(digest, now) === true) return invalidKey();
    const known = this.#tags.get(key.slice(KEY_PREFIX.length, KEY_ID_END), now);
    if (known !== undefined && !digestsEqual(known.tag, keyCheckTagOfDigest(digest)))
      return invalidKey();
    return this.#admit(key, digest, 1);
  }

  /** Forgets everything cached for one app (after a local change or a store event). */
  evictApp(appId: string): void {
    this.#epoch++;
    this.#positive.deleteWhere((app) => app.id === appId);
    this.#tags.deleteWhere((entry) => entry.appId === appId);
  }

  /** Forgets every cached key (e.g. when a change feed reconnects and events may have been lost). */
  evictAll(): void {
    this.#epoch++;
    this.#positive.clear();
    this.#tags.clear();
  }

  /** Stops lookup timers; lookups still waiting reject with `closed`. */
  close(): void {
    this.#lookups.close();
  }

  /** Argon2 verifications waiting for a pool slot (the queue-depth gauge). */
  get verificationQueue(): number {
    return this.#pool.queued;
  }

  /** Cached principals (diagnostics and tests). */
  cachedApps(): App[] {
    return [...this.#positive.values(this.#s.clock())];
  }

  /**
   * Joins (or starts) the flight for this key and admits its result only if no eviction happened
   * meanwhile: a request still waiting when `regenerateKey()`/`deleteApp()` resolves is never
   * admitted on a read made before it. It starts over instead (one store read, no Argon2).
   */
  #admit(key: string, digest: string, attempt: number): Promise<Answer> {
    const epoch = this.#epoch;
    return this.#flight(key, digest).then((app) => {
      // A refusal needs no epoch check: a regeneration never turns a wrong key into a right one.
      if (app instanceof Error) return app;
      if (epoch === this.#epoch) {
        const expired = expiredKeyError(app, this.#s.clock());
        if (expired !== undefined) return expired;
        this.#s.onAdmit(app);
        return app;
      }
      if (attempt >= MAX_FLIGHTS) throw withoutStack(() => new OverloadedError(1, "store_lookups"));
      return this.#admit(key, digest, attempt + 1);
    });
  }

  #flight(key: string, digest: string): Promise<Answer> {
    const current = this.#inflight.get(digest);
    if (current !== undefined && current.epoch === this.#epoch) return current.promise;
    const flight: Flight = { epoch: this.#epoch, promise: undefined as unknown as Promise<Answer> };
    flight.promise = this.#verify(key, digest, flight);
    this.#inflight.set(digest, flight);
    return flight.promise;
  }

  async #verify(key: string, digest: string, flight: Flight): Promise<Answer> {
    const keyId = key.slice(KEY_PREFIX.length, KEY_ID_END);
    // The record may be stale from this moment on: the cache TTL counts from here, not from the
    // end of Argon2, so a lost change notification extends acceptance by nothing.
    const readAt = this.#s.clock();
    try {
      const found = await this.#lookups.run(() => this.#s.store.getByKeyId(keyId));
      if (found === undefined) {
        this.#unknown.set(digest, true, readAt);
        return invalidKey();
      }
      return await this.#check(this.#validate(found, keyId), key, digest, flight.epoch, readAt);
    } finally {
      // A try/finally here costs no extra promise, unlike `.finally()` on the caller's side.
      if (this.#inflight.get(digest) === flight) this.#inflight.delete(digest);
    }
  }

  /** The record if it is well-formed; otherwise reports it and fails closed (corrupt_record). */
  #validate(found: unknown, keyId: string): AppRecord {
    try {
      return parseStoredRecord(found, keyId);
    } catch (error) {
      this.#s.onError(error, "corrupt_record");
      throw error;
    }
  }

  /** Verifies `key` against the record read at `readAt` (check tag, memos, Argon2 last). */
  async #check(
    record: AppRecord,
    key: string,
    digest: string,
    epoch: number,
    readAt: number,
  ): Promise<Answer> {
    const { keyId, keyCheck } = record;
    const now = this.#s.clock();
    if (keyCheck !== "") {
      this.#tags.set(keyId, { tag: keyCheck, appId: record.id }, readAt);
      if (!digestsEqual(keyCheck, keyCheckTagOfDigest(digest))) return invalidKey();
    }
    const known = this.#verified.get(keyId, now);
    const matchesMemo =
      known !== undefined && known.keyHash === record.keyHash && digestsEqual(known.digest, digest);
    if (!matchesMemo) {
      if (this.#failed.get(digest, now) === record.keyHash) return invalidKey();
      if (!(await this.#verifyWithArgon2(record, key, digest))) return invalidKey();
    }

    const app = toApp(record);
    if (epoch === this.#epoch) this.#positive.set(digest, app, readAt);
    return app;
  }

  /** Whether `key` matches the record's Argon2id hash (memoized either way). */
  async #verifyWithArgon2(record: AppRecord, key: string, digest: string): Promise<boolean> {
    const { keyId, keyHash } = record;
    // Only untagged (legacy) records need a budget; see failure-budget.ts.
    const budget = record.keyCheck === "" ? this.#budget : undefined;
    budget?.spend(keyId, this.#s.clock());
    const valid = await this.#pool
      .run(() => this.#s.hasher.verify(keyHash, key))
      .catch((error: unknown) => {
        budget?.refund(keyId, this.#s.clock());
        throw error;
      });
    if (!valid) {
      this.#failed.set(digest, keyHash, this.#s.clock());
      return false;
    }
    budget?.refund(keyId, this.#s.clock());
    this.#verified.set(keyId, { digest, keyHash }, this.#s.clock());
    if (this.#s.hasher.needsRehash(keyHash)) this.#rehash(record, key, digest);
    return true;
  }

  /** Re-hashes with the current parameters in the background; a failure only means "next time". */
  #rehash(record: AppRecord, key: string, digest: string): void {
    const { hasher, store } = this.#s;
    this.#pool
      .run(() => hasher.hash(key))
      .then(async (keyHash) => {
        if (await store.updateKeyHash(record.id, record.keyGeneration, keyHash)) {
          this.#verified.set(record.keyId, { digest, keyHash }, this.#s.clock());
        }
      })
      .catch((error: unknown) => this.#s.onError(error, "rehash"));
  }
}
