/** Key primitives against their floors: randomBytes, the bare regex, SHA-256; Argon2id at defaults. */
import { createHash, randomBytes } from "node:crypto";
import { KEY_PATTERN, createKeyHasher, generateKey, parseKey } from "@mcpgate/core";
import { compare } from "./compare.js";

export async function keysBench(): Promise<void> {
  const key = generateKey();
  await compare(
    "generateKey vs crypto.randomBytes(24)",
    { name: "crypto.randomBytes(24)", fn: () => randomBytes(24) },
    [{ name: "generateKey()", fn: generateKey }],
  );
  await compare(
    "parseKey vs the bare regex",
    { name: "KEY_PATTERN.test(key)", fn: () => KEY_PATTERN.test(key) },
    [{ name: "parseKey(key)", fn: () => parseKey(key) }],
  );

  const hasher = createKeyHasher();
  const phc = await hasher.hash(key);
  await compare(
    "Argon2id at OWASP defaults (m=19456, t=2, p=1) vs SHA-256 of a key (the cached-verify floor)",
    { name: "sha256(key)", fn: () => createHash("sha256").update(key).digest() },
    [
      { name: "hashKey(key)", fn: () => hasher.hash(key) },
      { name: "verifyKeyHash(phc, key)", fn: () => hasher.verify(phc, key) },
    ],
    { time: 1000 },
  );
}
