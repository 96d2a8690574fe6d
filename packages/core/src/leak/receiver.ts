/**
 * The receiver for GitHub secret scanning's partner program: a fetch-standard handler that
 * verifies the report's ECDSA P-256 signature, looks each reported token up and disables the keys
 * that are live, within the request.
 */
import { hash, verify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { BoundedMap } from "../bounded-map.js";
import {
  AppNotFoundError,
  GenerationConflictError,
  InvalidSignatureError,
  MalformedPayloadError,
  PayloadTooLargeError,
  isMcpgateError,
} from "../errors.js";
import type { EventBus } from "../event-bus.js";
import { makeEvent } from "../events.js";
import { challengeResponse } from "../fetch.js";
import { isGate, regenerateKeyFor, telemetryOf, type Gate } from "../gate.js";
import { isKey, parseKey } from "../key-format.js";
import { zodFieldError } from "../options.js";
import { leakReportSchema, tokenHash, type LeakMatch, type LeakVerdict } from "./payload.js";
import {
  GITHUB_SECRET_SCANNING_KEYS_URL,
  createSigningKeyLookup,
  parseP256PublicKey,
  readLimited,
} from "./signing-keys.js";

/** What to do with a reported key that is live. */
export type LeakAction = "revoke" | "report";

/** A live key found in a leak report; handed to `onLeak`. Never holds the key. */
export interface LeakNotice {
  appId: string;
  /** The leaked key's id (public). */
  keyId: string;
  /** What the receiver did: `revoke` = the key no longer works. */
  action: LeakAction;
  tokenType: string;
  url?: string;
  leakSource?: string;
}

/** Options of {@link createLeakReceiver}. Validated once; a bad one throws a `TypeError`. */
export interface LeakReceiverOptions {
  gate: Gate;
  /**
   * Signing keys by identifier (PEM, SPKI, ECDSA P-256). Exclusive with `keysUrl`; without either,
   * GitHub's published keys are fetched from {@link GITHUB_SECRET_SCANNING_KEYS_URL}.
   */
  publicKeys?: Record<string, string>;
  /** Where to fetch signing keys (`{ public_keys: [{ key_identifier, key }] }`). HTTPS in production. */
  keysUrl?: string;
  /**
   * `"revoke"` (default): regenerate the key and discard the new one, so the leaked key stops
   * working at once and only the owner, regenerating in the dashboard or CLI, gets a new key.
   * `"report"`: label and emit only.
   */
  action?: LeakAction;
  /** Told about every live key found (to notify its owner). Not awaited; failures go to `onError`. */
  onLeak?: (notice: LeakNotice) => void | Promise<void>;
  /** Receives `leak.revoked` / `leak.reported` events. Default: the gate's `events` bus. */
  events?: EventBus;
  /** The `fetch` used for the key endpoint. Default: the global one. */
  fetch?: typeof globalThis.fetch;
  /** Largest accepted body. Default 256 KiB. */
  maxBodyBytes?: number;
  /** Most matches per report. Default 500. */
  maxTokens?: number;
  /**
   * How long an answered report is remembered (default 15 min): the same body again is answered
   * from memory, touching no key (GitHub retries a delivery it did not see answered).
   */
  replayWindowMs?: number;
  /** Timeout of a key-endpoint fetch. Default 5 000 ms. */
  keyFetchTimeoutMs?: number;
  /** Least time between key-endpoint fetches caused by unknown identifiers. Default 60 000 ms. */
  keyRefetchIntervalMs?: number;
  /** Failures off the response path (`onLeak`). Default: ignored. */
  onError?: (error: unknown, context: string) => void;
  /** Milliseconds clock; for tests. Default `Date.now`. */
  clock?: () => number;
}

const fn = <T>(name: string) =>
  z.custom<T>((value) => typeof value === "function", `${name}: expected a function`).optional();

const optionsSchema = z
  .strictObject({
    gate: z.custom<Gate>((value) => isGate(value), "Expected a gate from createGate()"),
    publicKeys: z.record(z.string().min(1).max(256), z.string().min(1).max(4096)).optional(),
    keysUrl: z.url({ protocol: /^https?$/ }).optional(),
    action: z.enum(["revoke", "report"]).default("revoke"),
    onLeak: fn<NonNullable<LeakReceiverOptions["onLeak"]>>("onLeak"),
    events: z
      .custom<EventBus>(
        (value) =>
          value === undefined || (typeof value === "object" && value !== null && "emit" in value),
        "Expected an event bus from createEventBus()",
      )
      .optional(),
    fetch: fn<typeof globalThis.fetch>("fetch"),
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(256 * 1024),
    maxTokens: z.number().int().min(1).max(10_000).default(500),
    replayWindowMs: z
      .number()
      .int()
      .min(0)
      .max(86_400_000)
      .default(15 * 60_000),
    keyFetchTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    keyRefetchIntervalMs: z.number().int().min(0).max(86_400_000).default(60_000),
    onError: fn<NonNullable<LeakReceiverOptions["onError"]>>("onError"),
    clock: fn<() => number>("clock"),
  })
  .refine((o) => !(o.publicKeys && o.keysUrl), {
    message: "publicKeys and keysUrl are exclusive",
    path: ["publicKeys"],
  });

const IDENTIFIER = /^[A-Za-z0-9._:-]{1,256}$/;
/** A DER ECDSA P-256 signature is at most 72 bytes: 96 base64 characters. */
const SIGNATURE = /^[A-Za-z0-9+/]{1,128}={0,2}$/;
const REPLAY_ENTRIES = 10_000;

/**
 * Creates the leak receiver: `(request) => Promise<Response>`, for any fetch-standard server, or
 * node:http / Express / Fastify through a `Request` conversion (see docs/key-rotation.md).
 *
 * Unsigned, wrongly signed, oversized or malformed reports are refused (401/413/400) before any
 * token is looked at; a token that is not `mgw_`-shaped never reaches the store or Argon2.
 *
 * @throws TypeError for bad options (including a public key that is not ECDSA P-256).
 * @example
 * ```ts
 * const receiveLeak = createLeakReceiver({ gate, onLeak: (n) => mailOwner(n.appId, n.url) });
 * // Hono: app.post("/github/secret-scanning", (c) => receiveLeak(c.req.raw));
 * ```
 */
export function createLeakReceiver(
  options: LeakReceiverOptions,
): (request: Request) => Promise<Response> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw zodFieldError("leak receiver options", parsed.error);
  const o = parsed.data;
  const gate = o.gate;
  const clock = o.clock ?? Date.now;
  // Default: the gate's own bus, so one subscription sees the regeneration and the leak.
  const events = o.events ?? telemetryOf(gate)?.events;
  const reportSchema = leakReportSchema(o.maxTokens);
  const lookupKey = createSigningKeyLookup(
    o.publicKeys
      ? {
          kind: "static",
          keys: new Map(
            Object.entries(o.publicKeys).map(([id, pem]) => [
              id,
              parseP256PublicKey(pem, `publicKeys.${id}`),
            ]),
          ),
        }
      : {
          kind: "url",
          url: o.keysUrl ?? GITHUB_SECRET_SCANNING_KEYS_URL,
          fetch: o.fetch ?? globalThis.fetch,
          timeoutMs: o.keyFetchTimeoutMs,
          refetchIntervalMs: o.keyRefetchIntervalMs,
          clock,
        },
  );
  // Body digest → the answer (or the answer being computed, shared by a concurrent duplicate).
  const answered = new BoundedMap<string, Promise<string>>(REPLAY_ENTRIES, o.replayWindowMs);
  // Digests of tokens this receiver disabled: a retry still labels them true positives.
  const revoked = new BoundedMap<string, true>(REPLAY_ENTRIES, o.replayWindowMs);

  const report = (error: unknown, context: string): void => {
    try {
      o.onError?.(error, context);
    } catch {
      // The error hook failing must not fail the response.
    }
  };

  const judge = async (match: LeakMatch): Promise<LeakVerdict> => {
    const verdict = (label: LeakVerdict["label"]): LeakVerdict => ({
      token_hash: tokenHash(match.token),
      token_type: match.type,
      label,
    });
    // Shape first: anything that is not an mgw_ key never reaches the store or Argon2.
    if (!isKey(match.token)) return verdict("false_positive");
    const digest = hash("sha256", match.token, "base64");
    if (revoked.get(digest, clock()) !== undefined) return verdict("true_positive");
    let appId: string;
    try {
      appId = (await gate.authenticate(match.token)).id;
    } catch (error) {
      if (
        isMcpgateError(error) &&
        (error.code === "invalid_key" || error.code === "malformed_key")
      ) {
        return verdict("false_positive");
      }
      throw error;
    }
    if (o.action === "revoke") {
      try {
        // The new key is discarded: nobody but the owner may receive a replacement.
        await regenerateKeyFor(gate, appId, "leak");
      } catch (error) {
        // Someone else regenerated or deleted the app meanwhile: the leaked key is dead either way.
        if (!(error instanceof GenerationConflictError || error instanceof AppNotFoundError)) {
          throw error;
        }
      }
      revoked.set(digest, true, clock());
    }
    announce(appId, parseKey(match.token).keyId, match);
    return verdict("true_positive");
  };

  const announce = (appId: string, keyId: string, match: LeakMatch): void => {
    const location = {
      tokenType: match.type,
      ...(match.url === undefined ? {} : { url: match.url }),
      ...(match.source === undefined ? {} : { leakSource: match.source }),
    };
    if (events?.hasSubscribers) {
      const type = o.action === "revoke" ? "leak.revoked" : "leak.reported";
      events.emit(makeEvent({ type, appId, keyId, ...location }, clock()));
    }
    if (o.onLeak) {
      const notice: LeakNotice = { appId, keyId, action: o.action, ...location };
      try {
        Promise.resolve(o.onLeak(notice)).catch((error: unknown) => report(error, "onLeak"));
      } catch (error) {
        report(error, "onLeak");
      }
    }
  };

  const process = async (body: Buffer): Promise<string> => {
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      // No cause kept: a JSON parser's message quotes the input, which may hold a key.
      throw new MalformedPayloadError();
    }
    const matches = reportSchema.safeParse(json);
    if (!matches.success) throw new MalformedPayloadError();
    const verdicts: LeakVerdict[] = [];
    // One at a time: a report's Argon2 work queues behind live traffic instead of flooding the pool.
    for (const match of matches.data) verdicts.push(await judge(match));
    return JSON.stringify(verdicts);
  };

  const receive = async (request: Request): Promise<Response> => {
    const identifier = request.headers.get("github-public-key-identifier");
    const signature = request.headers.get("github-public-key-signature");
    if (identifier === null || signature === null) throw new InvalidSignatureError("missing");
    if (!IDENTIFIER.test(identifier) || !SIGNATURE.test(signature)) {
      throw new InvalidSignatureError("malformed");
    }
    const body = await readLimited(
      request,
      o.maxBodyBytes,
      () => new PayloadTooLargeError(o.maxBodyBytes),
    );
    const key = await lookupKey(identifier);
    if (key === undefined) throw new InvalidSignatureError("unknown_key");
    if (!verifies(key, body, signature)) throw new InvalidSignatureError("mismatch");

    const digest = hash("sha256", body, "base64");
    let answer = answered.get(digest, clock());
    if (answer === undefined) {
      answer = process(body);
      answered.set(digest, answer, clock());
      // A failed run is not an answer: the retry must be processed again.
      answer.catch(() => answered.delete(digest));
    }
    return new Response(await answer, {
      status: 200,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    });
  };

  return async (request: Request): Promise<Response> => {
    if (request.method !== "POST") {
      return new Response(null, { status: 405, headers: { allow: "POST" } });
    }
    try {
      return await receive(request);
    } catch (error) {
      return challengeResponse(gate.challenge(error));
    }
  };
}

function verifies(key: KeyObject, body: Buffer, signatureBase64: string): boolean {
  try {
    return verify(
      "sha256",
      body,
      { key, dsaEncoding: "der" },
      Buffer.from(signatureBase64, "base64"),
    );
  } catch {
    return false;
  }
}
