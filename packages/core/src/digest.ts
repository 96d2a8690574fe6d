/**
 * The in-memory lookup digest of a key: SHA-256, so caches never hold a plaintext key. It is never
 * persisted (a fast hash of a key on disk would be brute-forceable per key id; Argon2id is for that).
 */
import { hash, timingSafeEqual } from "node:crypto";

export function lookupDigest(key: string): string {
  return hash("sha256", key, "base64");
}

/** Constant-time equality of two digests (or any two strings of equal length). */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The check tag stored with a key: the first 16 bits of SHA-256 of the whole key, as 4 hex digits.
 * It lets the authenticator reject all but ~1 in 65,536 wrong secrets for a known key id without
 * running Argon2. Stored, it reveals 16 of the secret's ~143 bits (see docs/security-model.md).
 */
export function keyCheckTag(key: string): string {
  return hash("sha256", key, "hex").slice(0, 4);
}
