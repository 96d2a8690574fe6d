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
  /** The key (secret). Hand it to `authenticate`; never log it. */
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

/** Every `Authorization` value, untouched (no trimming before the length check). */
function authorizationValues(request: RequestLike): readonly string[] {
  const raw = request.rawHeaders;
  if (Array.isArray(raw)) {
    const values: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name: unknown = raw[i];
      const value: unknown = raw[i + 1];
      if (
        typeof name === "string" &&
        name.length === 13 &&
        name.toLowerCase() === "authorization" &&
        typeof value === "string"
      ) {
        values.push(value);
      }
    }
    return values;
  }
  const value = request.headersDistinct?.authorization ?? request.headers?.authorization;
  if (value === undefined) return [];
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
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
 * The token of `Bearer <token>` (RFC 6750 §2.1: scheme case-insensitive, then one or more spaces),
 * `undefined` for another scheme (RFC 7235). Length first, then one linear scan; no regex.
 */
function bearerToken(header: string): string | undefined {
  if (header.length > MAX_AUTHORIZATION_LENGTH) return malformedAuthorization("too_long");
  const value = trimOws(header);
  if (value.slice(0, KEY_PREFIX.length).toLowerCase() === KEY_PREFIX)
    return malformedAuthorization("missing_scheme");
  const scheme = "bearer";
  if (value.slice(0, scheme.length).toLowerCase() !== scheme) return undefined;
  if (value.length === scheme.length) return malformedAuthorization("empty_token");
  const separator = value.charCodeAt(scheme.length);
  if (!isOws(separator)) return undefined; // e.g. `Bearerx`: another scheme
  let tokenStart = scheme.length;
  let tab = false;
  while (tokenStart < value.length && isOws(value.charCodeAt(tokenStart))) {
    tab ||= value.charCodeAt(tokenStart) === TAB;
    tokenStart++;
  }
  // Trimmed, so the value cannot end in whitespace: only spaces after the scheme is impossible here.
  if (tab || !isB64Token(value, tokenStart)) return malformedAuthorization("bad_syntax");
  return value.slice(tokenStart);
}

/** The key from `Authorization`, `undefined` when there is none (or another scheme, RFC 7235). */
function keyFromHeader(request: RequestLike): string | undefined {
  const values = authorizationValues(request);
  if (values.length === 0) return undefined;
  if (values.length > 1) return malformedAuthorization("multiple_headers");
  const token = bearerToken(values[0] ?? "");
  if (token === undefined) return undefined;
  if (!isKey(token)) throw withoutStack(() => new MalformedKeyError("missing_prefix"));
  return token;
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
