/**
 * Argon2id hashing of keys (PHC strings via @node-rs/argon2), with parameters validated once.
 */
import { hash, parseOptions, verify } from "@node-rs/argon2";
import { z } from "zod";
import { HashingFailedError } from "./errors.js";
import { isKey, parseKey } from "./key-format.js";
import { zodFieldError } from "./options.js";

// `Algorithm` and `Version` are ambient const enums in the binding's types; name their values here.
const ARGON2ID = 2;
const VERSION_0X13 = 1;

/** RFC 9106's first recommendation (2 GiB) is the most memory a single hash may ask for. */
const MAX_MEMORY_KIB = 2 * 1024 * 1024;
const MAX_TIME_COST = 64;
const MAX_PARALLELISM = 16;
/** OWASP's equivalent-strength rows (m=47104,t=1 … m=7168,t=5) all have memory × passes ≥ this. */
const MIN_MEMORY_TIME_PRODUCT = 7168 * 5;

const hashingOptionsSchema = z
  .object({
    memoryCost: z.number().int().min(7168).max(MAX_MEMORY_KIB).default(19456),
    timeCost: z.number().int().min(1).max(MAX_TIME_COST).default(2),
    parallelism: z.number().int().min(1).max(MAX_PARALLELISM).default(1),
    pepper: z
      .union([z.string(), z.instanceof(Uint8Array)])
      .refine((value) => byteLength(value) >= 16, "must be at least 16 bytes")
      .optional(),
  })
  .strict()
  .refine((o) => o.memoryCost * o.timeCost >= MIN_MEMORY_TIME_PRODUCT, {
    message: `memoryCost × timeCost must be at least ${MIN_MEMORY_TIME_PRODUCT} (OWASP's minimum strength)`,
    path: ["memoryCost"],
  });

function byteLength(value: string | Uint8Array): number {
  return typeof value === "string" ? Buffer.byteLength(value) : value.byteLength;
}

/**
 * Argon2id parameters. Defaults are OWASP's (m=19456 KiB, t=2, p=1). The PHC string of every hash
 * records its parameters, so hashes made with older parameters keep verifying after a change.
 */
export interface HashingOptions {
  /** Memory in KiB. 7168 … 2097152. Default 19456. */
  memoryCost?: number;
  /** Passes. 1 … 64. Default 2. `memoryCost × timeCost` must be at least 35840. */
  timeCost?: number;
  /** Lanes. 1 … 16. Default 1. */
  parallelism?: number;
  /**
   * Optional pepper (Argon2's `secret`), at least 16 bytes, kept outside the database.
   * Changing it invalidates every existing hash.
   */
  pepper?: string | Uint8Array;
}

/** Hashes and verifies keys with one validated set of parameters. */
export interface KeyHasher {
  /** The validated parameters (without the pepper). */
  readonly parameters: Readonly<{ memoryCost: number; timeCost: number; parallelism: number }>;
  /** Argon2id PHC string of `key`. @throws MalformedKeyError, HashingFailedError */
  hash(key: string): Promise<string>;
  /** True when `key` matches `phc`. False for a malformed key or a corrupt, foreign or out-of-bounds hash. @throws HashingFailedError */
  verify(phc: string, key: string): Promise<boolean>;
  /** True when `phc` was not made with this hasher's algorithm and parameters. */
  needsRehash(phc: string): boolean;
}

/** The parameters of a PHC string when it is an Argon2id v1.3 hash within our bounds. */
function boundedParameters(phc: string) {
  if (typeof phc !== "string" || !phc.startsWith("$argon2id$")) return undefined;
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(phc);
  } catch {
    return undefined;
  }
  const withinBounds =
    parsed.algorithm === ARGON2ID &&
    parsed.version === VERSION_0X13 &&
    parsed.memoryCost <= MAX_MEMORY_KIB &&
    parsed.timeCost <= MAX_TIME_COST &&
    parsed.parallelism <= MAX_PARALLELISM;
  return withinBounds ? parsed : undefined;
}

/**
 * Validates Argon2id parameters once and returns a {@link KeyHasher}.
 *
 * @throws TypeError naming the offending field (e.g. `memoryCost: Too small`).
 * @example
 * ```ts
 * const hasher = createKeyHasher({ memoryCost: 19456, timeCost: 2 });
 * const phc = await hasher.hash(generateKey());
 * ```
 */
export function createKeyHasher(options: HashingOptions = {}): KeyHasher {
  const result = hashingOptionsSchema.safeParse(options);
  if (!result.success) throw zodFieldError("hashing options", result.error);
  const { memoryCost, timeCost, parallelism, pepper } = result.data;
  const argonOptions = {
    algorithm: ARGON2ID,
    version: VERSION_0X13,
    memoryCost,
    timeCost,
    parallelism,
    ...(pepper === undefined
      ? {}
      : { secret: typeof pepper === "string" ? Buffer.from(pepper) : new Uint8Array(pepper) }),
  };
  const verifyOptions = pepper === undefined ? undefined : { secret: argonOptions.secret };

  return Object.freeze({
    parameters: Object.freeze({ memoryCost, timeCost, parallelism }),

    async hash(key: string): Promise<string> {
      parseKey(key);
      try {
        return await hash(key, argonOptions);
      } catch (cause) {
        throw new HashingFailedError({ cause });
      }
    },

    async verify(phc: string, key: string): Promise<boolean> {
      // A stored hash is data: never let it pick absurd parameters (m=100 GiB kills the process).
      if (!isKey(key) || boundedParameters(phc) === undefined) return false;
      try {
        return await verify(phc, key, verifyOptions);
      } catch (cause) {
        throw new HashingFailedError({ cause });
      }
    },

    needsRehash(phc: string): boolean {
      const stored = boundedParameters(phc);
      return (
        stored === undefined ||
        stored.memoryCost !== memoryCost ||
        stored.timeCost !== timeCost ||
        stored.parallelism !== parallelism
      );
    },
  });
}

/**
 * Hashes a key with Argon2id. Prefer one {@link createKeyHasher} for repeated use.
 *
 * @throws MalformedKeyError when `key` is not an `mgw_` key; HashingFailedError; TypeError for bad options.
 * @example
 * ```ts
 * const phc = await hashKey(generateKey()); // "$argon2id$v=19$m=19456,t=2,p=1$…"
 * ```
 */
export function hashKey(key: string, options?: HashingOptions): Promise<string> {
  return createKeyHasher(options).hash(key);
}

/**
 * Verifies `key` against a PHC string in constant time (Argon2's own comparison). A corrupt,
 * foreign (not Argon2id v1.3) or out-of-bounds hash verifies as `false` without running Argon2.
 *
 * @throws HashingFailedError when Argon2 itself fails; TypeError for bad options.
 * @example
 * ```ts
 * await verifyKeyHash(phc, key); // true or false
 * ```
 */
export function verifyKeyHash(
  phc: string,
  key: string,
  options?: HashingOptions,
): Promise<boolean> {
  return createKeyHasher(options).verify(phc, key);
}

/**
 * True when `phc` was made with other parameters than `options` (rehash it after the next
 * successful verify). A pepper change cannot be seen in a hash and is not reported.
 *
 * @example
 * ```ts
 * needsRehash(phc, { memoryCost: 65536, timeCost: 3 }); // true for an OWASP-default hash
 * ```
 */
export function needsRehash(phc: string, options?: HashingOptions): boolean {
  return createKeyHasher(options).needsRehash(phc);
}
