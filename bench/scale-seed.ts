/**
 * Seeds a MemoryStore with many apps fast: records are written directly (`store.create`), not
 * through `gate.createApp`, and only the keys a benchmark presents get a real Argon2id hash. The
 * others hold a placeholder PHC string (never verified: nobody presents their keys) and their own
 * check tag. `hashedWith: "cheap"` hashes the presented keys with tiny Argon2 parameters (m=8 KiB,
 * t=1) — fine for the cached path, which never runs Argon2 after the first verify; `"default"` uses
 * the production parameters (the cold path).
 */
import { createRequire } from "node:module";
import { generateKey, MemoryStore, parseKey, type AppRecord, type KeyHasher } from "@mcpgate/core";
import { keyCheckTag } from "../packages/core/src/digest.js";

const argon2 = createRequire(new URL("../packages/core/package.json", import.meta.url))(
  "@node-rs/argon2",
) as {
  hash(password: string, options: Record<string, number>): Promise<string>;
  verify(phc: string, password: string): Promise<boolean>;
};

/**
 * A hasher that verifies the cheap seeding hashes (the gate's own refuses parameters below OWASP's)
 * and never asks to rehash them. Only for the cached-path bench: after the first verify of a key the
 * cached path runs no Argon2 at all.
 */
export const cheapHasher: KeyHasher = {
  parameters: { memoryCost: 8, timeCost: 1, parallelism: 1 },
  hash: (key) => argon2.hash(key, { memoryCost: 8, timeCost: 1 }),
  verify: (phc, key) => argon2.verify(phc, key),
  needsRehash: () => false,
};

const policy = { tools: [], resources: [], prompts: [], scopes: [], rateLimit: null };

function record(i: number, key: string, keyHash: string): AppRecord {
  const at = new Date(1_700_000_000_000 + i);
  return {
    id: `app_${i.toString(36).padStart(8, "0")}`,
    name: `app ${i}`,
    ownerId: null,
    keyId: parseKey(key).keyId,
    keyGeneration: 1,
    createdAt: at,
    updatedAt: at,
    keyIssuedAt: at,
    keyExpiresAt: null,
    lastUsedAt: null,
    keyHash,
    keyCheck: keyCheckTag(key),
    policy,
    metadata: {},
  };
}

/** A store of `apps` apps; resolves it and the plaintext keys of the first `presented`. */
export async function seedStore(
  apps: number,
  presented: number,
  hashedWith: "cheap" | "default",
): Promise<{ store: MemoryStore; keys: string[] }> {
  const store = new MemoryStore({ changeFeed: false });
  const params =
    hashedWith === "cheap"
      ? { memoryCost: 8, timeCost: 1, parallelism: 1 }
      : { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
  const placeholder = await argon2.hash(generateKey(), { memoryCost: 8, timeCost: 1 });
  const keys: string[] = [];
  const seen = new Set<string>();
  const all: string[] = [];
  while (all.length < apps) {
    const key = generateKey();
    const { keyId } = parseKey(key);
    if (seen.has(keyId)) continue;
    seen.add(keyId);
    all.push(key);
  }
  keys.push(...all.slice(0, presented));
  // The presented keys' hashes, four at a time (the libuv threadpool's default size).
  const hashes: string[] = [];
  for (let i = 0; i < presented; i += 4) {
    hashes.push(...(await Promise.all(keys.slice(i, i + 4).map((k) => argon2.hash(k, params)))));
  }
  for (let i = 0; i < apps; i++) {
    await store.create(record(i, all[i] as string, hashes[i] ?? placeholder));
  }
  return { store, keys };
}
