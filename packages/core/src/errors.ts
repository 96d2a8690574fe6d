/**
 * The error hierarchy. Every failure @mcpgate reports is an {@link McpgateError} with a stable
 * string `code`; {@link toChallenge} is the one place that turns a code into HTTP.
 */

const BRAND = Symbol.for("@mcpgate/error");

/** Every code an {@link McpgateError} can carry. Stable across releases: switch on it. */
export type McpgateErrorCode =
  | "missing_credentials"
  | "malformed_authorization"
  | "malformed_path"
  | "conflicting_credentials"
  | "key_in_query"
  | "malformed_key"
  | "invalid_key"
  | "key_expired"
  | "rate_limited"
  | "overloaded"
  | "store_unavailable"
  | "corrupt_record"
  | "store_locked"
  | "store_insecure"
  | "hashing_failed"
  | "closed"
  | "app_not_found"
  | "duplicate_key_id"
  | "generation_conflict"
  | "tool_not_allowed"
  | "invalid_signature"
  | "payload_too_large"
  | "malformed_payload"
  | "signing_keys_unavailable"
  | "internal_error";

/**
 * Base class of every error @mcpgate throws or returns. `code` is stable; `message` is for humans
 * and never contains a plaintext key.
 */
export abstract class McpgateError extends Error {
  abstract readonly code: McpgateErrorCode;
  /** Brand that survives two copies of this package in one process (see {@link isMcpgateError}). */
  readonly [BRAND] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * True when `value` is an {@link McpgateError}, even one thrown by another copy of @mcpgate/core.
 *
 * @example
 * ```ts
 * try { await gate.authenticate(key) } catch (err) { if (isMcpgateError(err)) console.log(err.code) }
 * ```
 */
export function isMcpgateError(value: unknown): value is AnyMcpgateError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}

/**
 * Builds an error without capturing a stack trace. For expected request-time outcomes (a missing
 * or invalid key): capturing a stack is ~90 % of the cost of rejecting a request, and the stack of
 * a 401 tells nobody anything. Programmer errors keep their stacks.
 * @internal
 */
export function withoutStack<T extends McpgateError>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * A fresh copy of `template` (an error made once, without a stack): same class, same fields, built
 * without running Error's constructor, which costs ~550 ns even without a stack against ~90 ns for
 * this. For the hottest rejections only (an invalid key answered from a memo), where it is most of
 * the cost of a 401. Each caller gets its own object, so mutating one changes no other.
 * @internal
 */
export function copyError<T extends McpgateError>(template: T): T {
  const copy = Object.assign(
    Object.create(Object.getPrototypeOf(template) as object) as T,
    template,
  );
  copy.message = template.message;
  copy.stack = template.stack;
  return copy;
}

/**
 * Why no credential was found: `none` (no key in the path, no Bearer header), or
 * `key_outside_base_path` (a path segment holds a key, but not right under the base path the gate
 * reads keys from; a mounting mistake more often than an attack).
 */
export type MissingCredentialsReason = "none" | "key_outside_base_path";

/**
 * No credential: no key under the base path and no `Authorization: Bearer` header. For
 * `key_outside_base_path` the error carries the misplaced key's public id (never more of it).
 */
export class MissingCredentialsError extends McpgateError {
  readonly code = "missing_credentials";
  constructor(
    readonly reason: MissingCredentialsReason = "none",
    readonly keyId?: string,
  ) {
    super(
      reason === "none"
        ? "An API key is required."
        : "The URL path holds an API key outside the gate's base path, where keys are not read.",
    );
  }
}

/**
 * Why an `Authorization` header was rejected. `missing_scheme`: the value is a bare `mgw_` key
 * without `Bearer `.
 */
export type MalformedAuthorizationReason =
  "not_bearer" | "missing_scheme" | "empty_token" | "bad_syntax" | "multiple_headers" | "too_long";

/** The `Authorization` header is present but is not one well-formed `Bearer <token>`. */
export class MalformedAuthorizationError extends McpgateError {
  readonly code = "malformed_authorization";
  constructor(readonly reason: MalformedAuthorizationReason) {
    super(`The Authorization header is malformed (${reason}).`);
  }
}

/** The request path has dot segments or encoded separators; no router's reading of it is trusted. */
export class MalformedPathError extends McpgateError {
  readonly code = "malformed_path";
  constructor() {
    super("The request path is not in normal form.");
  }
}

/** A key in the path and a different one in the `Authorization` header. */
export class ConflictingCredentialsError extends McpgateError {
  readonly code = "conflicting_credentials";
  constructor() {
    super("The request carries two different API keys.");
  }
}

/** A key was sent in the query string, which the MCP specification forbids. */
export class KeyInQueryError extends McpgateError {
  readonly code = "key_in_query";
  constructor() {
    super("API keys are not accepted in the query string; use the path or a Bearer header.");
  }
}

/** What is wrong with a string that is not an `mgw_` key. */
export type MalformedKeyReason =
  "not_a_string" | "missing_prefix" | "wrong_length" | "bad_character" | "surrounding_whitespace";

/**
 * Thrown by `parseKey`: the input is not an `mgw_` key. Carries the key id only when the input
 * starts like a key, never any other part of it.
 */
export class MalformedKeyError extends McpgateError {
  readonly code = "malformed_key";
  constructor(
    readonly reason: MalformedKeyReason,
    readonly keyId?: string,
  ) {
    super(`Not an mgw_ key (${reason.replaceAll("_", " ")}).`);
  }
}

/**
 * The key is unknown, malformed or was regenerated. The three are deliberately indistinguishable.
 */
export class InvalidKeyError extends McpgateError {
  readonly code = "invalid_key";
  constructor() {
    super("The API key is invalid.");
  }
}

/**
 * The key is right but past its expiry (`keyExpiresAt`). Only reported for a key that verified, so
 * it tells nothing to someone who does not hold the key. The app's owner regenerates the key.
 */
export class KeyExpiredError extends McpgateError {
  readonly code = "key_expired";
  constructor(
    /** The public key id of the expired key. */
    readonly keyId: string,
    readonly expiredAt: Date,
  ) {
    super("The API key has expired; regenerate it.");
  }
}

/** Too many requests for this app; retry after `retryAfterSeconds`. */
export class RateLimitedError extends McpgateError {
  readonly code = "rate_limited";
  constructor(readonly retryAfterSeconds: number) {
    super("Too many requests.");
  }
}

/** What is saturated: the Argon2 pool's queue, or the cap on concurrent store lookups. */
export type OverloadedReason = "verification_queue" | "store_lookups";

/** Key verification is saturated (a bounded queue is full); retry after `retryAfterSeconds`. */
export class OverloadedError extends McpgateError {
  readonly code = "overloaded";
  constructor(
    readonly retryAfterSeconds = 1,
    readonly reason: OverloadedReason = "verification_queue",
  ) {
    super(
      reason === "verification_queue"
        ? "The server is busy verifying keys; retry shortly."
        : "Too many key lookups are waiting on the store; retry shortly.",
    );
  }
}

/** Why the store is unavailable: it failed, or it did not answer within `store.timeoutMs`. */
export type StoreUnavailableReason = "failed" | "timeout";

/** The store failed or is unreachable. The original failure is kept as `cause`, never shown to clients. */
export class StoreUnavailableError extends McpgateError {
  readonly code = "store_unavailable";
  constructor(
    options?: { cause?: unknown; message?: string },
    readonly retryAfterSeconds = 1,
    readonly reason: StoreUnavailableReason = "failed",
  ) {
    // A specific message (e.g. why a store could not be opened) is for operators; clients only
    // ever see the challenge built from the code.
    super(
      options?.message ??
        (reason === "failed"
          ? "The key store is unavailable."
          : "The key store did not answer in time."),
      options,
    );
  }
}

/**
 * A record read from the store failed validation (a corrupt or hand-edited row, or a store that
 * breaks the contract). Nobody is admitted with it; answered as 503. `issues` names the fields.
 */
export class CorruptRecordError extends McpgateError {
  readonly code = "corrupt_record";
  constructor(
    readonly issues: readonly string[] = [],
    readonly retryAfterSeconds = 60,
  ) {
    super(
      `A record read from the store is invalid (${Array.isArray(issues) ? issues.join("; ") : "unknown fields"}).`,
    );
  }
}

/** The gate (or another @mcpgate object) was closed and refuses new work. */
export class ClosedError extends McpgateError {
  readonly code = "closed";
  constructor(readonly retryAfterSeconds = 1) {
    super("This gate is closed.");
  }
}

/**
 * An embedded store's directory is already open in another process (or another store in this
 * one). Thrown when a store is opened, never at request time; the message names the fix.
 */
export class StoreLockedError extends McpgateError {
  readonly code = "store_locked";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An embedded store's directory is not private (other users can write it, or it belongs to
 * someone else). Thrown when a store is opened; the message names the fix.
 */
export class StoreInsecureError extends McpgateError {
  readonly code = "store_insecure";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Argon2 failed for a reason other than a wrong key. */
export class HashingFailedError extends McpgateError {
  readonly code = "hashing_failed";
  constructor(options?: { cause?: unknown }) {
    super("Key hashing failed.", options);
  }
}

/** No app with this id. */
export class AppNotFoundError extends McpgateError {
  readonly code = "app_not_found";
  constructor(readonly appId: string) {
    super(`No app with id ${JSON.stringify(appId)}.`);
  }
}

/** A store already holds a record with this key id. */
export class DuplicateKeyIdError extends McpgateError {
  readonly code = "duplicate_key_id";
  constructor(readonly keyId: string) {
    super(`Key id ${keyId} is already in use.`);
  }
}

/** A compare-and-swap on an app's key generation lost: someone else changed the app first. */
export class GenerationConflictError extends McpgateError {
  readonly code = "generation_conflict";
  constructor(
    readonly appId: string,
    readonly expectedGeneration: number,
  ) {
    super(
      `App ${JSON.stringify(appId)} changed concurrently (expected key generation ${expectedGeneration}).`,
    );
  }
}

/** The app's policy does not allow this tool, or a guardrail refused the call. */
export class ToolNotAllowedError extends McpgateError {
  readonly code = "tool_not_allowed";
  constructor(
    readonly tool: string,
    message = `Tool ${JSON.stringify(tool)} is not available to this app.`,
  ) {
    super(message);
  }
}

/** Why a signed payload (a leak report) was refused. */
export type InvalidSignatureReason = "missing" | "malformed" | "unknown_key" | "mismatch";

/** A signed request (a secret-scanning leak report) is unsigned or its signature does not verify. */
export class InvalidSignatureError extends McpgateError {
  readonly code = "invalid_signature";
  constructor(readonly reason: InvalidSignatureReason) {
    super(`The request signature is invalid (${reason.replaceAll("_", " ")}).`);
  }
}

/** A request body is larger than the configured limit. */
export class PayloadTooLargeError extends McpgateError {
  readonly code = "payload_too_large";
  constructor(readonly limitBytes: number) {
    super(`The request body exceeds ${limitBytes} bytes.`);
  }
}

/** A request body is not the JSON document the endpoint accepts. */
export class MalformedPayloadError extends McpgateError {
  readonly code = "malformed_payload";
  constructor(options?: { cause?: unknown }) {
    super("The request body is malformed.", options);
  }
}

/** The public keys that verify signed requests could not be fetched. */
export class SigningKeysUnavailableError extends McpgateError {
  readonly code = "signing_keys_unavailable";
  constructor(
    options?: { cause?: unknown },
    readonly retryAfterSeconds = 5,
  ) {
    super("The signing keys are unavailable.", options);
  }
}

/** Something failed that has no better code (a bug, or a dependency misbehaving). Answered as a bare 500. */
export class InternalError extends McpgateError {
  readonly code = "internal_error";
  constructor(options?: { cause?: unknown }) {
    super("Internal error.", options);
  }
}

/** Union of every concrete error, so `switch (err.code)` narrows to the subclass. */
export type AnyMcpgateError =
  | MissingCredentialsError
  | MalformedAuthorizationError
  | MalformedPathError
  | ConflictingCredentialsError
  | KeyInQueryError
  | MalformedKeyError
  | InvalidKeyError
  | KeyExpiredError
  | RateLimitedError
  | OverloadedError
  | StoreUnavailableError
  | CorruptRecordError
  | StoreLockedError
  | StoreInsecureError
  | HashingFailedError
  | ClosedError
  | AppNotFoundError
  | DuplicateKeyIdError
  | GenerationConflictError
  | ToolNotAllowedError
  | InvalidSignatureError
  | PayloadTooLargeError
  | MalformedPayloadError
  | SigningKeysUnavailableError
  | InternalError;
