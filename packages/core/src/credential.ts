/**
 * Finding the key in a request: the URL path under a base path (`/mcp/mgw_…`) or
 * `Authorization: Bearer mgw_…`. Pure, no I/O; every failure is a coded McpgateError.
 */
import { z } from "zod";
import { digestsEqual } from "./digest.js";
import {
  ConflictingCredentialsError,
  KeyInQueryError,
  MalformedAuthorizationError,
  MalformedKeyError,
  MalformedPathError,
  MissingCredentialsError,
  withoutStack,
  type MalformedAuthorizationReason,
} from "./errors.js";
import { isKey, KEY_LENGTH, KEY_PREFIX } from "./key-format.js";
import { zodFieldError } from "./options.js";
import { redactUrl } from "./redact.js";
import { findKeySegment, hasQueryCredential, isSuspiciousPath, keyPrefixAt } from "./url-scan.js";

/** Header values as Node gives them: `headers` (string | string[]) or `headersDistinct` (string[]). */
export type HeaderValues = Record<string, string | readonly string[] | undefined>;

/** The parts of a request extraction reads. Node's `IncomingMessage` is one. */
export interface RequestLike {
  url?: string | undefined;
  headers?: HeaderValues | undefined;
  /**
   * Node's `rawHeaders` (name, value, name, value…). Preferred when present: scanning it for
   * `Authorization` costs ~35 ns, while Node builds `headersDistinct` for every header (~1 µs).
   */
  rawHeaders?: readonly string[] | undefined;
  /** Node ≥ 18.3: every header's values, duplicates kept. Used when `rawHeaders` is absent. */
  headersDistinct?: HeaderValues | undefined;
  /**
   * The connection (Node's `req.socket`). Read only by a gate configured with
   * `clientAddress: "socket"`, for audit events; never by extraction.
   */
  socket?: { readonly remoteAddress?: string | undefined } | undefined;
}

/** A key found in a request. */
export interface Credential {
  /** The key (secret), well-formed (`isKey`). Hand it to `authenticate`; never log it. */
  key: string;
  /** Where it was found (`path` when it was in both, identically). */
  source: "path" | "header";
  /** The request URL with the key removed from the path (`/mcp/mgw_…/x?q` → `/mcp/x?q`). */
  url: string;
}

/** Options of {@link createCredentialExtractor}. */
export interface ExtractionOptions {
  /** Path prefix under which `/<base>/mgw_…` is read. Default `"/mcp"`. */
  basePath?: string;
}

/** Authorization values longer than this (surrounding whitespace included) are refused unread. */
const MAX_AUTHORIZATION_LENGTH = 1024;

const optionsSchema = z
  .object({
    basePath: z
      .string()
      .regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/, "must be an absolute path")
      .refine((p) => !isSuspiciousPath(p), "must not contain dot segments or escapes")
      .default("/mcp"),
  })
  .strict();

/** Extracts a credential from a request, or throws the McpgateError that says why it cannot. */
export type CredentialExtractor = (request: RequestLike) => Credential;

/**
 * The request's one `Authorization` value, untouched (no trimming before the length check);
 * `undefined` without one. Two or more (repeated headers, or a list) are refused. No copies.
 */
function authorizationValue(request: RequestLike): string | undefined {
  const raw = request.rawHeaders;
  let found: string | undefined;
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name: unknown = raw[i];
      const value: unknown = raw[i + 1];
      if (
        typeof name === "string" &&
        name.length === 13 &&
        name.toLowerCase() === "authorization" &&
        typeof value === "string"
      ) {
        if (found !== undefined) return malformedAuthorization("multiple_headers");
        found = value;
      }
    }
    return found;
  }
  const value = request.headersDistinct?.authorization ?? request.headers?.authorization;
  if (value === undefined || typeof value === "string") return value;
  if (!Array.isArray(value)) return undefined;
  for (const item of value as readonly unknown[]) {
    if (typeof item !== "string") continue;
    if (found !== undefined) return malformedAuthorization("multiple_headers");
    found = item;
  }
  return found;
}

const SPACE = 0x20;
const TAB = 0x09;

/**
 * Removes the optional whitespace (spaces, tabs) HTTP allows around a field value, as Node does for
 * `headers`. One pass from each end: linear, unlike a `/[ \t]+$/` regex, which rescans every run
 * of spaces from each of its positions (15k spaces cost ~80 ms that way).
 */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isOws(code: number): boolean {
  return code === SPACE || code === TAB;
}

/** RFC 6750 §2.1 b64token: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. */
function isB64Token(value: string, from: number): boolean {
  let i = from;
  while (i < value.length && isB64TokenChar(value.charCodeAt(i))) i++;
  if (i === from) return false;
  while (i < value.length && value.charCodeAt(i) === 0x3d) i++;
  return i === value.length;
}

function isB64TokenChar(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x5f || // _
    c === 0x7e || // ~
    c === 0x2b || // +
    c === 0x2f // /
  );
}

const malformedAuthorization = (reason: MalformedAuthorizationReason): never => {
  throw withoutStack(() => new MalformedAuthorizationError(reason));
};

/**
 * Whether `value` starts with `word` (lower-case ASCII), ASCII letters compared case-insensitively,
 * without a copy of either.
 */
function startsWithWord(value: string, word: string): boolean {
  if (value.length < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== word.charCodeAt(i)) return false;
  }
  return true;
}

const BEARER = "bearer";

/**
 * The key of `Bearer <token>` (RFC 6750 §2.1: scheme case-insensitive, then one or more spaces),
 * `undefined` for another scheme (RFC 7235). A token that is a key is scanned once (a key is a
 * valid b64token); any other token is checked against the b64token syntax, then refused as not a
 * key. Length first, then linear scans; no regex, no copies but the key itself.
 */
function bearerKey(header: string): string | undefined {
  if (header.length > MAX_AUTHORIZATION_LENGTH) return malformedAuthorization("too_long");
  const value = trimOws(header);
  if (startsWithWord(value, KEY_PREFIX)) return malformedAuthorization("missing_scheme");
  if (!startsWithWord(value, BEARER)) return undefined;
  if (value.length === BEARER.length) return malformedAuthorization("empty_token");
  const separator = value.charCodeAt(BEARER.length);
  if (!isOws(separator)) return undefined; // e.g. `Bearerx`: another scheme
  let tokenStart = BEARER.length;
  let tab = false;
  while (tokenStart < value.length && isOws(value.charCodeAt(tokenStart))) {
    tab ||= value.charCodeAt(tokenStart) === TAB;
    tokenStart++;
  }
  if (tab) return malformedAuthorization("bad_syntax");
  const token = tokenStart === 0 ? value : value.slice(tokenStart);
  if (isKey(token)) return token;
  // Trimmed, so the value cannot end in whitespace: only spaces after the scheme is impossible here.
  if (!isB64Token(token, 0)) return malformedAuthorization("bad_syntax");
  throw withoutStack(() => new MalformedKeyError("missing_prefix"));
}

/** The key from `Authorization`, `undefined` when there is none (or another scheme, RFC 7235). */
function keyFromHeader(request: RequestLike): string | undefined {
  const value = authorizationValue(request);
  return value === undefined ? undefined : bearerKey(value);
}

/** No usable credential: say so, and say why when the path holds a key where none is read. */
function missingCredentials(path: string): MissingCredentialsError {
  const misplaced = findKeySegment(path);
  return withoutStack(() =>
    misplaced.found
      ? new MissingCredentialsError("key_outside_base_path", misplaced.keyId)
      : new MissingCredentialsError(),
  );
}

/**
 * Builds an extractor for one base path (validated once).
 *
 * @throws TypeError for a bad `basePath`.
 * @example
 * ```ts
 * const extract = createCredentialExtractor({ basePath: "/mcp" });
 * const { key, source, url } = extract(req); // throws a McpgateError when there is no usable key
 * ```
 */
export function createCredentialExtractor(options: ExtractionOptions = {}): CredentialExtractor {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw zodFieldError("extraction options", parsed.error);
  const basePath = parsed.data.basePath.replace(/\/+$/, "") || "";
  const prefix = `${basePath}/`;

  return (request: RequestLike): Credential => {
    const url = typeof request.url === "string" ? request.url : "/";
    const queryAt = url.indexOf("?");
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = queryAt === -1 ? "" : url.slice(queryAt);
    if (query.length > 0 && hasQueryCredential(query))
      throw withoutStack(() => new KeyInQueryError());
    // Refuse rather than guess what a router downstream will make of `/mcp/../admin` or `%2f`.
    if (isSuspiciousPath(path)) throw withoutStack(() => new MalformedPathError());

    let pathKey: string | undefined;
    let strippedPath = path;
    if (path.startsWith(prefix)) {
      const segmentEnd = path.indexOf("/", prefix.length);
      const segment = path.slice(prefix.length, segmentEnd === -1 ? undefined : segmentEnd);
      if (keyPrefixAt(segment, 0) > 0) {
        if (!isKey(segment))
          throw withoutStack(
            () =>
              new MalformedKeyError(
                segment.length === KEY_LENGTH ? "bad_character" : "wrong_length",
              ),
          );
        pathKey = segment;
        strippedPath = basePath + (segmentEnd === -1 ? "" : path.slice(segmentEnd)) || "/";
      }
    }

    const headerKey = keyFromHeader(request);
    if (pathKey !== undefined && headerKey !== undefined && !digestsEqual(pathKey, headerKey)) {
      throw withoutStack(() => new ConflictingCredentialsError());
    }
    const key = pathKey ?? headerKey;
    if (key === undefined) throw missingCredentials(path);
    return { key, source: pathKey !== undefined ? "path" : "header", url: strippedPath + query };
  };
}

/**
 * Extracts the key from a request with the default base path `/mcp`. See
 * {@link createCredentialExtractor}.
 *
 * @throws McpgateError: `missing_credentials`, `malformed_authorization` (several Authorization
 *   headers, bad Bearer syntax, trailing data, over 1 KiB), `malformed_key`,
 *   `conflicting_credentials` (path and header differ), `key_in_query`.
 * @example
 * ```ts
 * extractCredential({ url: `/mcp/${key}`, headers: {} }); // { key, source: "path", url: "/mcp" }
 * ```
 */
export const extractCredential: CredentialExtractor = createCredentialExtractor();

/**
 * Builds a function that makes a URL safe to route on and to log, before authentication: a key in
 * the path under `basePath` is removed, any other key-like text is redacted. Never throws (a URL
 * the extractor refuses is only redacted; authentication will refuse it later).
 *
 * @example
 * ```ts
 * const clean = createUrlCleaner({ basePath: "/mcp" });
 * clean(`/mcp/${generateKey()}/sse`); // "/mcp/sse"
 * ```
 */
export function createUrlCleaner(options: ExtractionOptions = {}): (url: string) => string {
  const extract = createCredentialExtractor(options);
  return (url) => {
    if (!/mgw/i.test(url)) return url;
    try {
      return redactUrl(extract({ url }).url);
    } catch {
      return redactUrl(url);
    }
  };
}
