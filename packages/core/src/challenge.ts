/**
 * The one place that maps error codes to HTTP (RFC 6750 bearer challenges, 429, 503).
 */
import { isMcpgateError, type AnyMcpgateError, type McpgateErrorCode } from "./errors.js";

/**
 * What an HTTP adapter writes for a failed request. Challenges are shared and frozen: the same
 * object answers every request refused for the same reason (copy one before changing it).
 */
export interface Challenge {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ChallengeBody;
}

/** The small JSON body of a failed request. `error` is a public code, `message` a fixed sentence. */
export interface ChallengeBody {
  readonly error: string;
  readonly message: string;
}

/**
 * A challenge as bytes on the wire, built once per challenge: the headers (`WWW-Authenticate`,
 * `Retry-After`, `Content-Type`, `Content-Length`) and the JSON body. Adapters write this instead
 * of serializing a body per refused request.
 */
export interface SerializedChallenge {
  readonly status: number;
  /** Every header of the response, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The same headers as a flat `[name, value, …]` list (what `res.writeHead` takes cheapest). */
  readonly headerList: readonly string[];
  /** The JSON body. */
  readonly body: string;
}

/** The `Content-Type` of every challenge body. */
export const CHALLENGE_CONTENT_TYPE = "application/json; charset=utf-8";

/** Options for {@link createChallenger}. */
export interface ChallengeOptions {
  /** The `realm` of `WWW-Authenticate` challenges. Printable ASCII. Default `"mcpgate"`. */
  realm?: string;
}

type Rfc6750Error = "invalid_request" | "invalid_token" | "insufficient_scope";

interface Rule {
  status: number;
  /** RFC 6750 error code; `null` = a challenge without error information (§3.1); absent = no challenge. */
  bearer?: Rfc6750Error | null;
  error: string;
  message: string;
  /** A more helpful message for some `reason`s of the error (only where no oracle is created). */
  reasons?: Readonly<Record<string, string>>;
  retryAfter?: true;
}

const INVALID_KEY: Rule = {
  status: 401,
  bearer: "invalid_token",
  error: "invalid_key",
  message: "The API key is invalid.",
};
const UNAVAILABLE: Rule = {
  status: 503,
  error: "service_unavailable",
  message: "Authentication is temporarily unavailable; retry shortly.",
  retryAfter: true,
};

const INTERNAL: Rule = { status: 500, error: "internal_error", message: "Internal error." };

const RULES: Record<McpgateErrorCode, Rule> = {
  missing_credentials: {
    status: 401,
    bearer: null,
    error: "missing_credentials",
    message: "An API key is required.",
    reasons: {
      key_outside_base_path:
        "An API key is in the URL path, but not right after the endpoint's base path, where keys are read. Check the URL (or the mount path), or send 'Authorization: Bearer <key>'.",
    },
  },
  malformed_authorization: {
    status: 400,
    bearer: "invalid_request",
    error: "malformed_authorization",
    message: "The Authorization header must be a single 'Bearer <key>'.",
    reasons: {
      missing_scheme:
        "The Authorization header holds an API key without the Bearer scheme; send 'Authorization: Bearer <key>'.",
    },
  },
  malformed_path: {
    status: 400,
    bearer: "invalid_request",
    error: "malformed_path",
    message: "The request path must not contain dot segments or encoded separators.",
  },
  conflicting_credentials: {
    status: 400,
    bearer: "invalid_request",
    error: "conflicting_credentials",
    message: "The request carries two different API keys.",
  },
  key_in_query: {
    status: 400,
    bearer: "invalid_request",
    error: "key_in_query",
    message: "API keys are not accepted in the query string.",
  },
  // Malformed, unknown and regenerated keys must be indistinguishable to the client.
  malformed_key: INVALID_KEY,
  invalid_key: INVALID_KEY,
  // Only a key that verified gets here, so telling its holder it expired creates no oracle.
  key_expired: {
    status: 401,
    bearer: "invalid_token",
    error: "key_expired",
    message: "The API key has expired. Ask the app's owner to regenerate it.",
  },
  rate_limited: {
    status: 429,
    error: "rate_limited",
    message: "Too many requests.",
    retryAfter: true,
  },
  overloaded: {
    status: 503,
    error: "overloaded",
    message: "The server is busy; retry shortly.",
    retryAfter: true,
  },
  store_unavailable: UNAVAILABLE,
  // The operator learns what is corrupt through onError; the client learns nothing about the row.
  corrupt_record: UNAVAILABLE,
  store_locked: UNAVAILABLE,
  store_insecure: UNAVAILABLE,
  hashing_failed: UNAVAILABLE,
  closed: {
    status: 503,
    error: "closed",
    message: "The server is shutting down; retry shortly.",
    retryAfter: true,
  },
  tool_not_allowed: {
    status: 403,
    bearer: "insufficient_scope",
    error: "tool_not_allowed",
    message: "This tool is not available to this app.",
  },
  app_not_found: { status: 404, error: "app_not_found", message: "No such app." },
  duplicate_key_id: { status: 409, error: "conflict", message: "Conflict; retry." },
  generation_conflict: { status: 409, error: "conflict", message: "Conflict; retry." },
  // Signed webhooks (the leak receiver): no bearer challenge, the caller is not a key holder.
  invalid_signature: {
    status: 401,
    error: "invalid_signature",
    message: "The request signature is missing or invalid.",
  },
  payload_too_large: { status: 413, error: "payload_too_large", message: "The body is too large." },
  malformed_payload: { status: 400, error: "malformed_payload", message: "The body is malformed." },
  signing_keys_unavailable: {
    status: 503,
    error: "service_unavailable",
    message: "Signature verification is temporarily unavailable; retry shortly.",
    retryAfter: true,
  },
  internal_error: INTERNAL,
};

/** Quoted-string per RFC 9110 §5.6.4: printable ASCII only, with `"` and `\` escaped. */
function quote(value: string, field: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) {
    throw new TypeError(`${field} must be printable ASCII`);
  }
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E, so no quote and no backslash. */
function description(text: string): string {
  return `"${text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "")}"`;
}

function retryAfterOf(error: AnyMcpgateError): number {
  const seconds = "retryAfterSeconds" in error ? error.retryAfterSeconds : 1;
  return Math.max(1, Math.ceil(seconds));
}

/** Challenges with a `Retry-After` up to this many seconds are kept (bounded: rules × this). */
const MAX_SHARED_RETRY_AFTER = 300;

const serialized = new WeakMap<Challenge, SerializedChallenge>();

/** A frozen challenge with its wire form recorded (see {@link serializeChallenge}). */
function sealed(status: number, headers: Record<string, string>, body: ChallengeBody): Challenge {
  const challenge: Challenge = Object.freeze({
    status,
    headers: Object.freeze(headers),
    body: Object.freeze(body),
  });
  serialized.set(challenge, wireOf(challenge));
  return challenge;
}

function wireOf(challenge: Challenge): SerializedChallenge {
  const body = JSON.stringify({ error: challenge.body.error, message: challenge.body.message });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(challenge.headers))
    headers[name.toLowerCase()] = value;
  headers["content-type"] = CHALLENGE_CONTENT_TYPE;
  headers["content-length"] = String(Buffer.byteLength(body));
  return Object.freeze({
    status: challenge.status,
    headers: Object.freeze(headers),
    headerList: Object.freeze(Object.entries(headers).flat()),
    body,
  });
}

/**
 * The response bytes of a challenge: built once for the challenges a challenger hands out (a
 * lookup per refused request), built on the spot for any other object of the same shape.
 *
 * @example
 * ```ts
 * const { status, headerList, body } = serializeChallenge(gate.challenge(error));
 * res.writeHead(status, headerList).end(body);
 * ```
 */
export function serializeChallenge(challenge: Challenge): SerializedChallenge {
  return serialized.get(challenge) ?? wireOf(challenge);
}

/** Maps an error (anything thrown) to the response an HTTP adapter writes. */
export type Challenger = (error: unknown) => Challenge;

/**
 * Builds a {@link Challenger} for one realm. Validates the realm once and precomputes every
 * `WWW-Authenticate` value, so mapping an error per request is a table lookup.
 *
 * @throws TypeError when `realm` is not printable ASCII.
 * @example
 * ```ts
 * const challenge = createChallenger({ realm: "my-api" });
 * const { status, headers, body } = challenge(new InvalidKeyError());
 * ```
 */
export function createChallenger(options: ChallengeOptions = {}): Challenger {
  const realm = quote(options.realm ?? "mcpgate", "realm");
  const headerOf = (rule: Rule, message: string): string | undefined => {
    if (rule.bearer === undefined) return undefined;
    if (rule.bearer === null) return `Bearer realm=${realm}`;
    return `Bearer realm=${realm}, error="${rule.bearer}", error_description=${description(message)}`;
  };
  /** One (rule, message) pair: its challenge, and its variants by `Retry-After` seconds. */
  interface Prepared {
    challenge: Challenge;
    byRetryAfter: Map<number, Challenge>;
  }
  const prepare = (rule: Rule, message: string): Prepared => {
    const header = headerOf(rule, message);
    const headers: Record<string, string> =
      header === undefined ? {} : { "www-authenticate": header };
    return {
      challenge: sealed(rule.status, headers, { error: rule.error, message }),
      byRetryAfter: new Map(),
    };
  };
  // Every (rule, message) pair is known up front: mapping an error per request is a lookup, and
  // the same frozen challenge (with its serialized form) answers every request refused alike.
  const prepared = new Map<Rule, { plain: Prepared; reasons: Map<string, Prepared> }>();
  for (const rule of Object.values(RULES)) {
    const reasons = new Map<string, Prepared>();
    for (const [reason, message] of Object.entries(rule.reasons ?? {}))
      reasons.set(reason, prepare(rule, message));
    prepared.set(rule, { plain: prepare(rule, rule.message), reasons });
  }

  return (error: unknown): Challenge => {
    const known = isMcpgateError(error) ? error : undefined;
    const rule = known ? RULES[known.code] : INTERNAL;
    const forRule = prepared.get(rule) as { plain: Prepared; reasons: Map<string, Prepared> };
    const reason = known && "reason" in known ? known.reason : undefined;
    const entry = (reason === undefined ? undefined : forRule.reasons.get(reason)) ?? forRule.plain;
    if (!rule.retryAfter || known === undefined) return entry.challenge;
    const seconds = retryAfterOf(known);
    const shared = entry.byRetryAfter.get(seconds);
    if (shared !== undefined) return shared;
    const { status, headers, body } = entry.challenge;
    const challenge = sealed(status, { ...headers, "retry-after": String(seconds) }, { ...body });
    if (seconds <= MAX_SHARED_RETRY_AFTER) entry.byRetryAfter.set(seconds, challenge);
    return challenge;
  };
}

/**
 * Maps any error to `{ status, headers, body }` following RFC 6750: 401 without error information
 * when credentials are missing, 400 `invalid_request`, 401 `invalid_token` (identical for
 * malformed, unknown and regenerated keys), 429/503 with `Retry-After`, and a bare 500 for anything
 * that is not an {@link McpgateError} (its message is never exposed).
 *
 * @example
 * ```ts
 * const { status, headers, body } = toChallenge(new MissingCredentialsError());
 * // 401, { "www-authenticate": 'Bearer realm="mcpgate"' }
 * ```
 */
export const toChallenge: Challenger = createChallenger();

/** A JSON-RPC 2.0 error response for a challenge (what MCP endpoints answer instead of a plain body). */
export interface JsonRpcChallengeBody {
  jsonrpc: "2.0";
  error: { code: -32000; message: string; data: { error: string } };
  id: null;
}

/**
 * The JSON-RPC error body an MCP endpoint writes with a challenge's status and headers: code
 * -32000 (the MCP SDK's code for HTTP-level refusals), the fixed message, and the public error code
 * in `data.error`.
 *
 * @example
 * ```ts
 * const challenge = toChallenge(new InvalidKeyError());
 * toJsonRpcErrorBody(challenge).error.data.error; // "invalid_key"
 * ```
 */
export function toJsonRpcErrorBody(challenge: Challenge): JsonRpcChallengeBody {
  return {
    jsonrpc: "2.0",
    error: { code: -32000, message: challenge.body.message, data: { error: challenge.body.error } },
    id: null,
  };
}
