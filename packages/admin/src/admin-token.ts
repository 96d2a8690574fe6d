/**
 * The standalone admin token: `mga_` + 40 base62 characters from a CSPRNG, issued by
 * `mcpgate admin token`. Only its Argon2id hash is configured on the server.
 */
import { randomInt } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Anchored pattern of an admin token, for secret scanners. */
export const ADMIN_TOKEN_PATTERN: RegExp = /^mga_[A-Za-z0-9]{40}$/;

/** A new admin token and the hash to configure the server with. */
export interface IssuedAdminToken {
  /** The token: shown once, kept by the administrator (a password manager). */
  token: string;
  /** Argon2id PHC string for `createAdminHandler({ adminTokenHash })`. Not secret, but keep it private. */
  hash: string;
}

/**
 * Issues an admin token (~238 bits) and its Argon2id hash (OWASP parameters: m=19456 KiB, t=2, p=1).
 *
 * @example
 * ```ts
 * const { token, hash } = await issueAdminToken();
 * ```
 */
export async function issueAdminToken(): Promise<IssuedAdminToken> {
  let secret = "";
  // randomInt draws uniformly (rejection sampling inside), so no character is favoured.
  for (let i = 0; i < 40; i++) secret += ALPHABET[randomInt(ALPHABET.length)];
  const token = `mga_${secret}`;
  return {
    token,
    hash: await hash(token, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 }),
  };
}

/** True when `token` is an admin token that matches `phc`. Never throws. @internal */
export async function verifyAdminToken(phc: string, token: string): Promise<boolean> {
  if (!ADMIN_TOKEN_PATTERN.test(token)) return false;
  try {
    return await verify(phc, token);
  } catch {
    return false;
  }
}
