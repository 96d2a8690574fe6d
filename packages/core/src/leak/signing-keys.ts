/**
 * The public keys that sign secret-scanning reports: configured ones, or GitHub's published list,
 * fetched with a timeout, cached, and refetched on an unknown identifier at most once per interval.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { z } from "zod";
import { SigningKeysUnavailableError } from "../errors.js";

/** GitHub's documented list of secret-scanning signing keys. */
export const GITHUB_SECRET_SCANNING_KEYS_URL =
  "https://api.github.com/meta/public_keys/secret_scanning";

/** Largest key list accepted from the key endpoint (GitHub's is ~1 KiB). */
const MAX_KEY_LIST_BYTES = 256 * 1024;

const keyListSchema = z.object({
  public_keys: z
    .array(
      z.object({
        key_identifier: z.string().min(1).max(256),
        key: z.string().min(1).max(4096),
      }),
    )
    .max(100),
});

/** Where signing keys come from. */
export type SigningKeySource =
  | { kind: "static"; keys: ReadonlyMap<string, KeyObject> }
  | {
      kind: "url";
      url: string;
      fetch: typeof globalThis.fetch;
      timeoutMs: number;
      /** Least time between two fetches caused by unknown identifiers. */
      refetchIntervalMs: number;
      clock: () => number;
    };

/** Looks a key identifier up; `undefined` when no configured or published key has it. */
export type SigningKeyLookup = (identifier: string) => Promise<KeyObject | undefined>;

/**
 * Parses a PEM (SPKI) ECDSA P-256 public key.
 * @throws TypeError when it is not one.
 */
export function parseP256PublicKey(pem: string, field: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (cause) {
    throw new TypeError(`${field}: not a PEM public key`, { cause });
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new TypeError(`${field}: not an ECDSA P-256 public key`);
  }
  return key;
}

/** Builds the lookup for a key source. */
export function createSigningKeyLookup(source: SigningKeySource): SigningKeyLookup {
  if (source.kind === "static") return (identifier) => Promise.resolve(source.keys.get(identifier));

  let cached = new Map<string, KeyObject>();
  let lastFetchAt = Number.NEGATIVE_INFINITY;
  let lastFetchFailed = false;
  let inFlight: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    // Single-flight: concurrent reports with an unknown identifier share one fetch.
    inFlight ??= fetchKeys(source).then(
      (keys) => {
        cached = keys;
        lastFetchFailed = false;
        inFlight = undefined;
      },
      (error: unknown) => {
        lastFetchFailed = true;
        inFlight = undefined;
        throw error;
      },
    );
    return inFlight;
  };

  return async (identifier) => {
    const known = cached.get(identifier);
    if (known) return known;
    if (inFlight) {
      await inFlight;
      return cached.get(identifier);
    }
    // Anyone can send an unknown identifier: refetch at most once per interval, never per request.
    const now = source.clock();
    if (now - lastFetchAt < source.refetchIntervalMs) {
      // Until the endpoint answers again, say so (503, the sender retries) rather than "unknown".
      if (lastFetchFailed) throw new SigningKeysUnavailableError();
      return undefined;
    }
    lastFetchAt = now;
    await refresh();
    return cached.get(identifier);
  };
}

async function fetchKeys(
  source: Extract<SigningKeySource, { kind: "url" }>,
): Promise<Map<string, KeyObject>> {
  let text: string;
  try {
    const response = await source.fetch(source.url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(source.timeoutMs),
      redirect: "error",
    });
    if (!response.ok) throw new Error(`key endpoint answered ${response.status}`);
    text = (await readLimited(response, MAX_KEY_LIST_BYTES)).toString("utf8");
  } catch (cause) {
    throw new SigningKeysUnavailableError({ cause });
  }
  const parsed = keyListSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new SigningKeysUnavailableError({ cause: new Error("key endpoint: unexpected body") });
  }
  const keys = new Map<string, KeyObject>();
  for (const entry of parsed.data.public_keys) {
    try {
      keys.set(entry.key_identifier, parseP256PublicKey(entry.key, "public_keys[].key"));
    } catch {
      // A key we cannot use verifies nothing; the others still do.
    }
  }
  return keys;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Reads a body's bytes, refusing more than `limit` bytes without buffering them.
 * @internal
 */
export async function readLimited(
  message: Request | Response,
  limit: number,
  onTooLarge: () => Error = () => new Error(`body larger than ${limit} bytes`),
): Promise<Buffer> {
  const declared = Number(message.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw onTooLarge();
  if (message.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = message.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw onTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
