/**
 * The `mgw_` key format: generation, recognition and parsing. Pure, no I/O.
 */
import { randomBytes } from "node:crypto";
import { MalformedKeyError, withoutStack } from "./errors.js";

/** Every key starts with this prefix, so secret scanners can spot it. */
export const KEY_PREFIX = "mgw_";
/** Number of random characters after the prefix. */
export const KEY_SECRET_LENGTH = 32;
/** The first this-many random characters are the key's public id. */
export const KEY_ID_LENGTH = 8;
/** Total length of a key, prefix included. */
export const KEY_LENGTH = KEY_PREFIX.length + KEY_SECRET_LENGTH;
/** The one anchored pattern of a key. Also the pattern to give secret scanners. */
export const KEY_PATTERN = /^mgw_[A-Za-z0-9]{32}$/;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Largest multiple of 62 that fits in a byte: bytes at or above it are discarded (no modulo bias). */
const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);
const ALNUM = /^[A-Za-z0-9]*$/;

/** A key that passed {@link parseKey}. */
export interface ParsedKey {
  /** The full key, `mgw_` + 32 characters. Secret. */
  readonly key: string;
  /** The public key id: the first 8 characters after `mgw_`. Safe to log and store. */
  readonly keyId: string;
}

/**
 * Turns a stream of random bytes into key characters by rejection sampling.
 * Exported for tests only; {@link generateKey} feeds it `crypto.randomBytes`.
 * @internal
 */
export function keyFromRandom(nextBytes: (count: number) => Uint8Array): string {
  let secret = "";
  while (secret.length < KEY_SECRET_LENGTH) {
    // 40 bytes yield 32 accepted ones with probability > 99.9 %; loop for the rest.
    for (const byte of nextBytes(40)) {
      if (byte >= UNBIASED_LIMIT) continue;
      secret += ALPHABET.charAt(byte % ALPHABET.length);
      if (secret.length === KEY_SECRET_LENGTH) break;
    }
  }
  return KEY_PREFIX + secret;
}

/**
 * Generates a new key: `mgw_` + 32 characters uniform over `[A-Za-z0-9]` (~190 bits) from the
 * operating system's CSPRNG.
 *
 * @example
 * ```ts
 * const key = generateKey(); // "mgw_Q3x…" (36 characters)
 * ```
 */
export function generateKey(): string {
  return keyFromRandom(randomBytes);
}

/**
 * True when `value` is a well-formed key. Says nothing about whether the key is valid for an app.
 *
 * @example
 * ```ts
 * isKey(generateKey()); // true
 * ```
 */
export function isKey(value: unknown): boolean {
  return typeof value === "string" && value.length === KEY_LENGTH && KEY_PATTERN.test(value);
}

/**
 * Parses a key into the key and its public key id.
 *
 * @throws {@link MalformedKeyError} (`malformed_key`) with a `reason` (`not_a_string`,
 *   `missing_prefix`, `wrong_length`, `bad_character`, `surrounding_whitespace`); the error carries the input's key id only
 *   when the input starts like a key, and nothing else of it.
 * @example
 * ```ts
 * const { keyId } = parseKey(generateKey()); // 8 characters
 * ```
 */
export function parseKey(input: unknown): ParsedKey {
  if (typeof input === "string" && isKey(input)) {
    return { key: input, keyId: input.slice(KEY_PREFIX.length, KEY_PREFIX.length + KEY_ID_LENGTH) };
  }
  throw withoutStack(() => diagnoseKey(input));
}

/**
 * The reason `input` is not a key, checked cheapest first (a 1 MB string is never scanned).
 * @internal
 */
export function diagnoseKey(input: unknown): MalformedKeyError {
  if (typeof input !== "string") return new MalformedKeyError("not_a_string");
  // One whitespace policy everywhere: a key with whitespace around it is malformed, not trimmed.
  if (input.length > KEY_LENGTH && input.length <= KEY_LENGTH + 8 && isKey(input.trim()))
    return new MalformedKeyError("surrounding_whitespace");
  if (!input.startsWith(KEY_PREFIX)) return new MalformedKeyError("missing_prefix");
  const candidateId = input.slice(KEY_PREFIX.length, KEY_PREFIX.length + KEY_ID_LENGTH);
  const keyId =
    candidateId.length === KEY_ID_LENGTH && ALNUM.test(candidateId) ? candidateId : undefined;
  if (input.length !== KEY_LENGTH) return new MalformedKeyError("wrong_length", keyId);
  return new MalformedKeyError("bad_character", keyId);
}

/**
 * The display form of a key id: `mgw_a1b2c3d4…`. Safe for logs and dashboards.
 *
 * @example
 * ```ts
 * formatKeyId("a1b2c3d4"); // "mgw_a1b2c3d4…"
 * ```
 */
export function formatKeyId(keyId: string): string {
  return `${KEY_PREFIX}${keyId}…`;
}
