/**
 * `createGate`: app lifecycle (create, regenerate, update, delete) and authentication, wired to a
 * store. Options are validated once, here.
 */
import os from "node:os";
import { z } from "zod";
import {
  parseCreateAppInput,
  parseUpdateAppInput,
  toApp,
  type App,
  type AppRecord,
  type CreateAppInput,
  type UpdateAppInput,
} from "./app.js";
import { Authenticator, storeError, type Answer } from "./authenticator.js";
import { createChallenger, type Challenge } from "./challenge.js";
import {
  createCredentialExtractor,
  createUrlCleaner,
  type Credential,
  type RequestLike,
} from "./credential.js";
import {
  AppNotFoundError,
  ClosedError,
  DuplicateKeyIdError,
  InternalError,
  isMcpgateError,
  withoutStack,
  type AnyMcpgateError,
} from "./errors.js";
import type { EventBus } from "./event-bus.js";
import type { RegenerationCause } from "./events.js";
import { createKeyHasher, type HashingOptions, type KeyHasher } from "./hashing.js";
import { keyCheckTag } from "./digest.js";
import { keyExpiresAt, parseKeyExpiry, type KeyExpiryOptions } from "./key-expiry.js";
import { generateKey, parseKey } from "./key-format.js";
import { zodFieldError } from "./options.js";
import { RevocationLog } from "./revocations.js";
import { parseStoredRecord } from "./stored-record.js";
import { STORE_METHODS, type ListQuery, type Store, type StoreEvent } from "./store.js";
import {
  createReporter,
  type AuthReport,
  type ClientAddressOption,
  type GateReporter,
  type GateTelemetry,
} from "./telemetry.js";

/** Options of {@link createGate}. Validated once; a bad one throws a `TypeError` naming it. */
export interface GateOptions {
  /** Where apps live: `new MemoryStore()`, a PostgreSQL store, or your own. */
  store: Store;
  /** Argon2id parameters and pepper for new hashes (old ones keep verifying). */
  hashing?: HashingOptions;
  /** Or a ready hasher (e.g. one shared by several gates). Exclusive with `hashing`. */
  hasher?: KeyHasher;
  /** Base path of path keys (`/mcp/mgw_…`). Default `"/mcp"`. */
  basePath?: string;
  /** Realm of `WWW-Authenticate` challenges. Default `"mcpgate"`. */
  realm?: string;
  /**
   * Positive cache. `ttlMs` is the worst-case time another instance keeps accepting a regenerated
   * key when the store's change feed is missing or lost. Default 5 000 ms, 10 000 entries.
   */
  cache?: { ttlMs?: number; maxEntries?: number };
  /**
   * Memory of rejected keys. `ttlMs`: a wrong secret for a known key id, remembered with the hash
   * it failed against (default 60 000 ms). `unknownKeyTtlMs`: a key whose id the store does not
   * know, such as a regenerated one a client keeps sending (default 1 000 ms; keep it short if
   * you read from replicas, which may not see a brand-new key at once). 10 000 entries.
   */
  negativeCache?: { ttlMs?: number; maxEntries?: number; unknownKeyTtlMs?: number };
  /**
   * Argon2 verifications at once and how many may wait (default 64) before requests get
   * `overloaded` (503). Default concurrency: the libuv threadpool size (`UV_THREADPOOL_SIZE`,
   * default 4) minus 2, at least 1 and at most the CPU count, so the host's fs, DNS and zlib work
   * still finds free threads during a burst of cold keys. Raise `UV_THREADPOOL_SIZE` (before the
   * first async fs/crypto call) for more verifications at once.
   */
  verification?: { concurrency?: number; maxQueue?: number };
  /**
   * Bounds on `store.getByKeyId` during authentication: each lookup that takes longer than
   * `timeoutMs` (default 2 000) answers 503 `store_unavailable` (reason `timeout`), and at most
   * `maxConcurrent` lookups (default 256) may be unsettled at once (a timed-out one keeps its slot
   * until the store answers); past that, requests get 503 `overloaded` at once. So a hung database
   * cannot pile up pending requests.
   */
  storeLookups?: { timeoutMs?: number; maxConcurrent?: number };
  /**
   * Argon2 failures allowed per key id and window before `rate_limited` (429), for keys issued
   * before check tags existed (`keyCheck: ""`) only; tagged keys need no budget (a budget keyed by
   * a public key id could lock the owner out). Default 10 per 60 s. Regenerate a legacy key to tag it.
   */
  failureBudget?: { failures?: number; windowSeconds?: number };
  /** Debounced "last used" writes: at most one per app per interval. `false` to disable. Default 60 000 ms. */
  lastUsed?: { flushIntervalMs?: number } | false;
  /**
   * Where audit events go (`createEventBus()`): authentication outcomes of `authenticateRequest`,
   * key and policy changes made through this gate, and (through `@mcpgate/mcp` and the leak
   * receiver, which find the bus here) tool calls, sessions and leaks. Pass the same bus to
   * several gates to audit them together. Nothing is built while the bus has no subscriber.
   */
  events?: EventBus;
  /**
   * Record the client address in request events: `"socket"` (the TCP peer) or a function of the
   * request (e.g. the `X-Forwarded-For` hop your proxy sets). Default: no address is recorded.
   */
  clientAddress?: ClientAddressOption;
  /** Failures that happen off the request path (rehash, last-used flush). Default: ignored. */
  onError?: (error: unknown, context: string) => void;
  /** Milliseconds clock; for tests. Default `Date.now`. */
  clock?: () => number;
}

/** The credential of an accepted request: where the key was, the URL without it, its key id. */
export type AcceptedCredential = Omit<Credential, "key"> & { keyId: string };

/** The outcome of {@link Gate.authenticateRequest}: never throws, never holds the key. */
export type AuthResult =
  | {
      ok: true;
      app: App;
      /** Where the key was and the request URL without it. */
      credential: AcceptedCredential;
    }
  | { ok: false; error: AnyMcpgateError; challenge: Challenge };

/** A created app or a regenerated key: the only time the plaintext key exists. */
export interface IssuedKey {
  app: App;
  /** The full key. Show it once; it is not stored and cannot be recovered. */
  key: string;
}

/** What {@link Gate.listApps} and {@link Gate.listAppsPage} return, oldest first. */
export interface ListAppsQuery {
  /** Only this owner's apps. */
  ownerId?: string;
  /** `nextCursor` of the previous page. @throws TypeError when it is not one. */
  cursor?: string;
  /** Page size, 1–1000. Default: all (`listApps`), 100 (`listAppsPage`). */
  limit?: number;
}

/** One page of apps and the cursor of the next one (`null` on the last page). */
export interface AppPage {
  apps: App[];
  nextCursor: string | null;
}

/** App lifecycle and authentication over one store. */
export interface Gate {
  /** Creates an app and its key. @throws TypeError for bad input; StoreUnavailableError */
  createApp(input: CreateAppInput): Promise<IssuedKey>;
  /** @throws AppNotFoundError; StoreUnavailableError */
  getApp(id: string): Promise<App>;
  /** Apps oldest first, optionally one owner's and one page's. @throws StoreUnavailableError */
  listApps(query?: ListAppsQuery): Promise<App[]>;
  /**
   * One page of apps (default 100) and the cursor of the next; stable under concurrent creates and
   * deletes (keyset pagination).
   * @throws TypeError for a bad cursor or limit; StoreUnavailableError
   */
  listAppsPage(query?: ListAppsQuery): Promise<AppPage>;
  /**
   * Changes name, policy fields (tools, resources, prompts, scopes, rate limit) or metadata in one
   * atomic store write; effective at once on this instance.
   * @throws AppNotFoundError; TypeError for bad input; StoreUnavailableError
   */
  updateApp(id: string, input: UpdateAppInput): Promise<App>;
  /**
   * Issues a new key; the old one fails on this instance when this resolves, and elsewhere within
   * the store's change-feed latency (bounded by `cache.ttlMs`). Works the same for an expired key.
   * The new key expires as `expiry` says; without it, after the same lifetime as the old key
   * (never, if the old one never expired).
   * @throws AppNotFoundError; GenerationConflictError when a concurrent regeneration won;
   *   TypeError for a bad `expiry`
   */
  regenerateKey(id: string, expiry?: KeyExpiryOptions): Promise<IssuedKey>;
  /** Deletes an app; its key fails at once. Idempotent: `false` when there was no such app. */
  deleteApp(id: string): Promise<boolean>;
  /**
   * The app a key belongs to.
   * @throws InvalidKeyError (unknown or regenerated: indistinguishable), MalformedKeyError (not an
   *   `mgw_` key, e.g. with whitespace around it; answered over HTTP exactly like invalid_key),
   *   KeyExpiredError (the right key, past its `keyExpiresAt`),
   *   OverloadedError, StoreUnavailableError (store failed or timed out), CorruptRecordError,
   *   HashingFailedError, ClosedError
   */
  authenticate(key: string): Promise<App>;
  /** Extracts the key from a request and authenticates it; for adapters. Never rejects. */
  authenticateRequest(request: RequestLike): Promise<AuthResult>;
  /**
   * Whether a principal returned by `authenticate`/`authenticateRequest` still holds: `false`
   * once this gate observed a regeneration or deletion of its app (locally, or through the
   * store's change feed) after that authentication began, and for objects this gate never
   * returned. A Map lookup: adapters call it after every await before a handler runs.
   *
   * @example
   * ```ts
   * const app = await gate.authenticate(key);
   * await readBody(req);
   * if (!gate.isCurrent(app)) return reject(); // regenerated while the body was arriving
   * ```
   */
  isCurrent(app: App): boolean;
  /**
   * Calls `listener` after every change to an app made through this gate and for every change-feed
   * event of the store (so a change may be reported twice; treat events as idempotent hints).
   * Returns an unsubscribe function.
   */
  onChange(listener: (event: StoreEvent) => void): () => void;
  /**
   * The URL with a key in the path (under this gate's base path) removed and any other key
   * redacted; never throws. For code that routes or logs before authenticating (Fastify's
   * `rewriteUrl`, access loggers).
   */
  cleanUrl(url: string): string;
  /** The challenge (status, headers, body) for any error, with this gate's realm. */
  challenge(error: unknown): Challenge;
  /**
   * Shuts the gate down: from the call on, `authenticate` and every app operation reject with
   * `ClosedError` (`closed`; `authenticateRequest` answers 503 with `Retry-After`), the last-used
   * timer stops, pending last-used times are flushed and the store's change feed is left.
   * Idempotent: every call returns the same promise. Does not close the store (you own it).
   */
  close(): Promise<void>;
}

const limits = (ttl: { min: number; max: number; fallback: number }, entries: number) =>
  z
    .object({
      ttlMs: z.number().int().min(ttl.min).max(ttl.max).default(ttl.fallback),
      maxEntries: z.number().int().min(1).max(10_000_000).default(entries),
    })
    .strict()
    .default({ ttlMs: ttl.fallback, maxEntries: entries });

/** libuv threads kept free for the host application's fs, DNS and zlib work. */
const THREADS_LEFT_TO_HOST = 2;

/** The default Argon2 concurrency for a threadpool size and CPU count (see `verification`). */
export function defaultConcurrency(
  threadpool = Number(process.env.UV_THREADPOOL_SIZE) || 4,
  cpus = os.availableParallelism(),
): number {
  return Math.max(1, Math.min(threadpool - THREADS_LEFT_TO_HOST, cpus));
}

const gateOptionsSchema = z
  .object({
    store: z.custom<Store>(
      (value) =>
        typeof value === "object" &&
        value !== null &&
        STORE_METHODS.every((m) => typeof (value as Record<string, unknown>)[m] === "function"),
      `must implement the Store interface (${STORE_METHODS.join(", ")})`,
    ),
    hashing: z.custom<HashingOptions>((v) => typeof v === "object" && v !== null).optional(),
    hasher: z
      .custom<KeyHasher>(
        (v) => typeof v === "object" && v !== null && typeof (v as KeyHasher).verify === "function",
      )
      .optional(),
    basePath: z.string().optional(),
    realm: z.string().optional(),
    cache: limits({ min: 0, max: 3_600_000, fallback: 5_000 }, 10_000),
    negativeCache: z
      .object({
        ttlMs: z.number().int().min(0).max(3_600_000).default(60_000),
        maxEntries: z.number().int().min(1).max(10_000_000).default(10_000),
        unknownKeyTtlMs: z.number().int().min(0).max(60_000).default(1_000),
      })
      .strict()
      .default({ ttlMs: 60_000, maxEntries: 10_000, unknownKeyTtlMs: 1_000 }),
    verification: z
      .object({
        concurrency: z.number().int().min(1).max(256).default(defaultConcurrency),
        maxQueue: z.number().int().min(0).max(100_000).default(64),
      })
      .strict()
      .default(() => ({ concurrency: defaultConcurrency(), maxQueue: 64 })),
    storeLookups: z
      .object({
        timeoutMs: z.number().int().min(1).max(600_000).default(2_000),
        maxConcurrent: z.number().int().min(1).max(1_000_000).default(256),
      })
      .strict()
      .default({ timeoutMs: 2_000, maxConcurrent: 256 }),
    failureBudget: z
      .object({
        failures: z.number().int().min(1).max(1_000_000).default(10),
        windowSeconds: z.number().min(1).max(86_400).default(60),
      })
      .strict()
      .default({ failures: 10, windowSeconds: 60 }),
    lastUsed: z
      .union([
        z.literal(false),
        z
          .object({ flushIntervalMs: z.number().int().min(100).max(86_400_000).default(60_000) })
          .strict(),
      ])
      .default({ flushIntervalMs: 60_000 }),
    events: z
      .custom<EventBus>(
        (v) =>
          typeof v === "object" &&
          v !== null &&
          typeof (v as EventBus).emit === "function" &&
          typeof (v as EventBus).subscribe === "function",
        "must be an event bus from createEventBus()",
      )
      .optional(),
    clientAddress: z
      .custom<ClientAddressOption>(
        (v) => v === "socket" || typeof v === "function",
        'must be "socket" or a function of the request',
      )
      .optional(),
    onError: z
      .custom<(error: unknown, context: string) => void>((v) => typeof v === "function")
      .optional(),
    clock: z.custom<() => number>((v) => typeof v === "function").optional(),
  })
  .strict()
  .refine((o) => !(o.hashing && o.hasher), {
    message: "give either hashing or hasher, not both",
    path: ["hasher"],
  });

const ISSUE_ATTEMPTS = 5;
const DEFAULT_PAGE_SIZE = 100;

const listQuerySchema = z
  .object({
    ownerId: z.string().min(1).max(256).optional(),
    cursor: z.string().max(512).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

/** Cursors are opaque to callers: base64url of `[createdAt ms, id]` of the page's last app. */
function encodeCursor(record: Pick<AppRecord, "createdAt" | "id">): string {
  return Buffer.from(JSON.stringify([record.createdAt.getTime(), record.id])).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string"
    ) {
      return { createdAt: new Date(value[0] as number), id: value[1] };
    }
  } catch {
    // Reported below.
  }
  throw new TypeError("Invalid list query: cursor is not a nextCursor of listAppsPage.");
}

function toListQuery(query: ListAppsQuery, limit: number | undefined): ListQuery {
  const parsed = listQuerySchema.safeParse(query);
  if (!parsed.success) throw zodFieldError("list query", parsed.error);
  const { ownerId, cursor } = parsed.data;
  const result: ListQuery = {};
  if (ownerId !== undefined) result.ownerId = ownerId;
  if (cursor !== undefined) result.after = decodeCursor(cursor);
  const pageLimit = limit ?? parsed.data.limit;
  if (pageLimit !== undefined) result.limit = pageLimit;
  return result;
}

/**
 * Creates a gate over a store.
 *
 * @throws TypeError when an option is invalid (the message names the field).
 * @example
 * ```ts
 * const gate = createGate({ store: new MemoryStore() });
 * const { app, key } = await gate.createApp({ name: "claude-desktop", tools: ["search"] });
 * const principal = await gate.authenticate(key); // principal.id === app.id
 * ```
 */
export function createGate(options: GateOptions): Gate {
  const parsed = gateOptionsSchema.safeParse(options);
  if (!parsed.success) throw zodFieldError("gate options", parsed.error);
  const settings = parsed.data;
  const { store } = settings;
  const clock = settings.clock ?? Date.now;
  const onError = settings.onError ?? (() => {});
  const hasher = settings.hasher ?? createKeyHasher(settings.hashing);
  const challenger = createChallenger({ realm: settings.realm });
  const extract = createCredentialExtractor({ basePath: settings.basePath });
  const reporter: GateReporter = createReporter({
    events: settings.events,
    clientAddress: settings.clientAddress,
    clock,
    queue: {
      get verificationQueue() {
        return authenticator.verificationQueue;
      },
    },
    onError,
  });
  const authenticator: Authenticator = new Authenticator({
    store,
    hasher: reporter.timed(hasher),
    clock,
    onError,
    cache: settings.cache,
    negativeCache: settings.negativeCache,
    verification: settings.verification,
    storeLookups: settings.storeLookups,
    failureBudget: settings.failureBudget,
    onAdmit: noteUse,
  });
  const listeners = new Set<(event: StoreEvent) => void>();
  const revocations = new RevocationLog();
  function changed(event: StoreEvent): void {
    if (event.type !== "updated") revocations.revoke(event.appId);
    authenticator.evictApp(event.appId);
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        onError(error, "onChange");
      }
    }
  }
  const unsubscribe = store.subscribe?.(changed);

  const lastUsed = new Map<string, number>();
  const flushTimer =
    settings.lastUsed === false
      ? undefined
      : setInterval(() => void flushLastUsed(), settings.lastUsed.flushIntervalMs).unref();

  async function flushLastUsed(): Promise<void> {
    const pending = [...lastUsed];
    lastUsed.clear();
    await Promise.all(
      pending.map(([id, at]) =>
        store.touch(id, new Date(at)).catch((error: unknown) => onError(error, "lastUsed")),
      ),
    );
  }

  async function call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (cause) {
      throw storeError(cause);
    }
  }

  /** A record read from the store, validated (a corrupt one is reported and fails closed). */
  function validated(record: unknown): AppRecord {
    try {
      return parseStoredRecord(record);
    } catch (error) {
      onError(error, "corrupt_record");
      throw error;
    }
  }

  async function requireRecord(id: string): Promise<AppRecord> {
    const record = await call(() => store.getById(id));
    if (record === undefined) throw new AppNotFoundError(id);
    return validated(record);
  }

  /** Generates keys until one's key id is free (a collision is ~1 in 2^47 per existing app). */
  async function issue<T>(
    write: (issued: { keyId: string; keyHash: string; keyCheck: string }) => Promise<T>,
  ): Promise<[T, string]> {
    for (let attempt = 1; ; attempt++) {
      const { key, keyId } = parseKey(generateKey());
      const keyHash = await hasher.hash(key);
      const keyCheck = keyCheckTag(key);
      try {
        return [await call(() => write({ keyId, keyHash, keyCheck })), key];
      } catch (error) {
        if (!(error instanceof DuplicateKeyIdError) || attempt >= ISSUE_ATTEMPTS) throw error;
      }
    }
  }

  let closing: Promise<void> | undefined;
  const closedError = (): ClosedError => withoutStack(() => new ClosedError());
  /** Rejects new work once `close()` was called. */
  function open(): void {
    if (closing !== undefined) throw closedError();
  }

  function noteUse(app: App): void {
    if (flushTimer !== undefined) lastUsed.set(app.id, clock());
  }

  function refused(caught: unknown, report?: AuthReport): AuthResult {
    const error = isMcpgateError(caught) ? caught : new InternalError({ cause: caught });
    if (error.code === "internal_error") onError(caught, "authenticate");
    const challenge = challenger(error);
    if (report !== undefined) {
      const { retryAfterSeconds } = error as { retryAfterSeconds?: number };
      reporter.refused(report, {
        code: error.code,
        status: challenge.status,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      });
    }
    return { ok: false, error, challenge };
  }

  function admitted(
    app: App,
    credential: Credential,
    mark: number,
    report?: AuthReport,
  ): AuthResult {
    const current = revocations.admit(app, mark);
    if (report !== undefined) reporter.authenticated(report, current);
    return { ok: true, app: current, credential: acceptedCredential(credential, current) };
  }

  function answered(
    answer: Answer,
    credential: Credential,
    mark: number,
    report?: AuthReport,
  ): AuthResult {
    return answer instanceof Error
      ? refused(answer, report)
      : admitted(answer, credential, mark, report);
  }

  function authenticateRequestSync(request: RequestLike): AuthResult | Promise<AuthResult> {
    // Reported only when someone listens (a getter and two comparisons otherwise).
    if (reporter.active) return authenticateRequestObserved(request);
    const mark = revocations.begin();
    try {
      open();
      const credential = extract(request);
      const answer = authenticator.authenticateWellFormed(credential.key);
      if (answer instanceof Promise)
        return answer.then((found) => answered(found, credential, mark), refused);
      return answered(answer, credential, mark);
    } catch (caught) {
      return refused(caught);
    }
  }

  /** {@link authenticateRequestSync} with the outcome reported (events, OpenTelemetry). */
  function authenticateRequestObserved(request: RequestLike): AuthResult | Promise<AuthResult> {
    const mark = revocations.begin();
    const otel = reporter.instruments;
    // Timed only for a span: a clock read costs more than the rest of a cached answer.
    const startedAt = otel?.tracer === undefined ? 0 : performance.now();
    const now = clock();
    let credential: Credential | undefined;
    let answer: Answer | Promise<Answer>;
    try {
      open();
      credential = extract(request);
      answer = authenticator.authenticateWellFormed(credential.key, now);
    } catch (caught) {
      return refused(caught, reporter.begin(request, now, otel, startedAt, credential));
    }
    if (otel === undefined && !(answer instanceof Promise) && !(answer instanceof Error)) {
      // An audited gate's hot path (a cached key, no OpenTelemetry SDK): the event, nothing more.
      const current = revocations.admit(answer, mark);
      reporter.accepted(request, credential.source, now, current);
      return { ok: true, app: current, credential: acceptedCredential(credential, current) };
    }
    const report = reporter.begin(request, now, otel, startedAt, credential);
    if (answer instanceof Promise) {
      const found = credential;
      // Settled by a store read: the event is stamped when it settled.
      return answer.then(
        (settled) => {
          report.now = clock();
          return answered(settled, found, mark, report);
        },
        (caught: unknown) => {
          report.now = clock();
          return refused(caught, report);
        },
      );
    }
    report.cacheHit = !(answer instanceof Error);
    return answered(answer, credential, mark, report);
  }

  async function regenerate(
    id: string,
    cause: RegenerationCause,
    options: KeyExpiryOptions = {},
  ): Promise<IssuedKey> {
    open();
    const expiry = parseKeyExpiry(options, "key expiry");
    keyExpiresAt(expiry, new Date(clock())); // a past expiresAt fails before any store read
    const current = await requireRecord(id);
    const [record, key] = await issue(({ keyId, keyHash, keyCheck }) => {
      const keyIssuedAt = new Date(clock());
      return store.replaceKey(id, {
        expectedGeneration: current.keyGeneration,
        keyId,
        keyHash,
        keyCheck,
        keyIssuedAt,
        keyExpiresAt: keyExpiresAt(expiry, keyIssuedAt, current),
      });
    });
    changed({ type: "key_replaced", appId: id });
    reporter.emit({
      type: "key.regenerated",
      appId: id,
      keyId: record.keyId,
      previousKeyId: current.keyId,
      cause,
    });
    return { app: toApp(record), key };
  }

  const gate: Gate = {
    async createApp(input) {
      open();
      const { name, ownerId, policy, metadata, expiry } = parseCreateAppInput(input);
      keyExpiresAt(expiry, new Date(clock())); // a past expiresAt fails before any hashing
      const id = `app_${generateKey().slice(4, 24)}`;
      const [record, key] = await issue(async ({ keyId, keyHash, keyCheck }) => {
        const now = new Date(clock());
        const record: AppRecord = {
          id,
          name,
          ownerId,
          keyId,
          keyHash,
          keyCheck,
          keyGeneration: 1,
          createdAt: now,
          updatedAt: now,
          keyIssuedAt: now,
          keyExpiresAt: keyExpiresAt(expiry, now),
          lastUsedAt: null,
          policy,
          metadata,
        };
        await store.create(record);
        return record;
      });
      reporter.emit({
        type: "key.created",
        appId: id,
        keyId: record.keyId,
        ...(ownerId === null ? {} : { ownerId }),
      });
      return { app: toApp(record), key };
    },

    async getApp(id) {
      open();
      return toApp(await requireRecord(id));
    },

    async listApps(query = {}) {
      open();
      const storeQuery = toListQuery(query, undefined);
      return (await call(() => store.list(storeQuery))).map((r) => toApp(validated(r)));
    },

    async listAppsPage(query = {}) {
      open();
      const limit = query.limit ?? DEFAULT_PAGE_SIZE;
      // One record more than the page tells whether there is a next page.
      const storeQuery = toListQuery(query, limit + 1);
      const records = (await call(() => store.list(storeQuery))).map(validated);
      const page = records.slice(0, limit);
      const last = page.at(-1);
      return {
        apps: page.map(toApp),
        nextCursor: records.length > limit && last ? encodeCursor(last) : null,
      };
    },

    async updateApp(id, input) {
      open();
      const patch = parseUpdateAppInput(input);
      const record = await call(() => store.update(id, patch, new Date(clock())));
      changed({ type: "updated", appId: id });
      reporter.emit({ type: "policy.changed", appId: id, fields: changedFields(patch) });
      return toApp(record);
    },

    regenerateKey(id, options = {}) {
      return regenerate(id, "owner", options);
    },

    async deleteApp(id) {
      open();
      const deleted = await call(() => store.delete(id));
      changed({ type: "deleted", appId: id });
      lastUsed.delete(id);
      if (deleted) reporter.emit({ type: "key.deleted", appId: id });
      return deleted;
    },

    authenticate(key) {
      if (closing !== undefined) return Promise.reject(closedError());
      const mark = revocations.begin();
      const answer = authenticator.authenticateSync(key);
      if (answer instanceof Promise) {
        return answer.then((found) => {
          // Thrown, not `Promise.reject`ed: the caller's handler is already attached to this
          // promise, so no unhandled-rejection bookkeeping runs per refused key.
          if (found instanceof Error) throw found;
          return revocations.admit(found, mark);
        });
      }
      return answer instanceof Error
        ? Promise.reject(answer)
        : Promise.resolve(revocations.admit(answer, mark));
    },

    authenticateRequest(request) {
      return Promise.resolve(authenticateRequestSync(request));
    },

    isCurrent(app) {
      return revocations.isCurrent(app);
    },

    onChange(listener) {
      if (closing !== undefined) return () => false;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    cleanUrl: createUrlCleaner({ basePath: settings.basePath }),

    challenge: challenger,

    close() {
      closing ??= (async () => {
        if (flushTimer !== undefined) clearInterval(flushTimer);
        authenticator.close();
        unsubscribe?.();
        listeners.clear();
        reporter.close();
        await flushLastUsed();
      })();
      return closing;
    },
  };
  authenticators.set(gate, authenticator);
  fastPaths.set(gate.authenticateRequest, authenticateRequestSync);
  Object.freeze(gate);
  internals.set(gate, { reporter, regenerate });
  return gate;
}

const authenticators = new WeakMap<Gate, Authenticator>();
/** A gate's own `authenticateRequest` → the same answer without a promise when it can. */
const fastPaths = new WeakMap<Gate["authenticateRequest"], AuthenticateRequestFast>();
type AuthenticateRequestFast = (request: RequestLike) => AuthResult | Promise<AuthResult>;

/**
 * `gate.authenticateRequest(request)` for adapters' hot path: the result itself, without a promise
 * or a microtask, when no store read is needed (a cached key, a memoized refusal, a request refused
 * before any lookup); a promise that never rejects otherwise. A gate whose `authenticateRequest`
 * was replaced (a wrapper that logs or instruments) is called as it is, so the wrapper still runs.
 *
 * @example
 * ```ts
 * const answer = authenticateRequestFast(gate, req);
 * const result = answer instanceof Promise ? await answer : answer;
 * ```
 */
export function authenticateRequestFast(
  gate: Gate,
  request: RequestLike,
): AuthResult | Promise<AuthResult> {
  const fast = fastPaths.get(gate.authenticateRequest);
  return fast === undefined ? gate.authenticateRequest(request) : fast(request);
}

const internals = new WeakMap<
  Gate,
  {
    reporter: GateTelemetry;
    regenerate: (id: string, cause: RegenerationCause) => Promise<IssuedKey>;
  }
>();

/** What an accepted request's result says of its credential: where the key was, never the key. */
function acceptedCredential(credential: Credential, app: App): AcceptedCredential {
  return { source: credential.source, url: credential.url, keyId: app.keyId };
}

/** The fields an update touched: policy fields, and `name`/`metadata` when given. */
function changedFields(patch: ReturnType<typeof parseUpdateAppInput>): string[] {
  const fields = Object.keys(patch.policy ?? {});
  if (patch.name !== undefined) fields.push("name");
  if (patch.metadata !== undefined) fields.push("metadata");
  return fields;
}

/**
 * The reporting side of a gate (audit events, OpenTelemetry), for the MCP endpoint and adapters;
 * `undefined` for a gate not made by this copy of `createGate`. Hosts subscribe to the bus they
 * passed as `events` instead.
 *
 * @example
 * ```ts
 * const telemetry = telemetryOf(gate);
 * if (telemetry?.active) telemetry.sessionOpened(app);
 * ```
 */
export function telemetryOf(gate: Gate): GateTelemetry | undefined {
  return internals.get(gate)?.reporter;
}

/** `gate.regenerateKey` with the cause reported in `key.regenerated` (the leak receiver's). @internal */
export function regenerateKeyFor(
  gate: Gate,
  id: string,
  cause: RegenerationCause,
): Promise<IssuedKey> {
  const regenerate = internals.get(gate)?.regenerate;
  return regenerate ? regenerate(id, cause) : gate.regenerateKey(id);
}

/**
 * True when `value` was made by {@link createGate} (in this or another copy of @mcpgate/core, as
 * far as its shape tells). Adapters check their `gate` option with it.
 *
 * @example
 * ```ts
 * if (!isGate(options.gate)) throw new TypeError("gate must come from createGate()");
 * ```
 */
export function isGate(value: unknown): value is Gate {
  if (typeof value !== "object" || value === null) return false;
  const gate = value as Record<string, unknown>;
  return typeof gate.authenticateRequest === "function" && typeof gate.challenge === "function";
}

/** The principals a gate holds in its cache (tests and diagnostics only). @internal */
export function cachedAppsOf(gate: Gate): App[] {
  return authenticators.get(gate)?.cachedApps() ?? [];
}
