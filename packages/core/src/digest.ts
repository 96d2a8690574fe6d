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
