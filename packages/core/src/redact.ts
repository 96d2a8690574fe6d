/**
 * Key redaction for logs, errors and anything else a human or a log pipeline reads.
 *
 * A key is found by its characters in every form a logger or an error page may print: as written,
 * percent-encoded (once or repeatedly, `%6D`, `%256D`, `%u006D`), JSON/JS-escaped (`\u005f`,
 * `\\u005f`, `\x5f`), HTML character references (`&#95;`, `&#x5F;`, `&amp;#95;`), with any case of
 * the `mgw_` prefix, and inside base64 (Basic credentials). Every pass is linear in the input: a
 * bounded number of decoding rounds, each one left-to-right scan with fixed-length escapes.
 */
import { KEY_ID_LENGTH, KEY_PREFIX, KEY_SECRET_LENGTH } from "./key-format.js";
import { decodeRounds, hexDigit, inputIndex } from "./redact-decoding.js";

/** A base64 run shorter than this cannot hold `mgw_` + more than a key id. */
const MIN_BASE64_RUN = 16;
/** Fast paths: no underscore and no escape means no key; no long run and no escape, no base64. */
const MAY_HOLD_PREFIX = /[wW]_|[%\\&]/;
const MAY_ESCAPE = /[%\\&]/;
/** The display marker after a key id; base64 payloads get an ASCII one (they are bytes). */
const ELLIPSIS = "…";
const ASCII_ELLIPSIS = "...";

function isKeyChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** `mgw_` at `i`, in any case. */
function prefixAt(text: string, i: number): boolean {
  return (
    (text.charCodeAt(i) | 0x20) === 0x6d &&
    (text.charCodeAt(i + 1) | 0x20) === 0x67 &&
    (text.charCodeAt(i + 2) | 0x20) === 0x77 &&
    text.charCodeAt(i + 3) === 0x5f
  );
}

/** A key-like run in decoded text: `[start, end)` and its key id. */
interface Match {
  start: number;
  end: number;
  keyId: string;
}

/**
 * Every `mgw_` (any case) followed by more than a key id's worth of key characters. Longer runs
 * than a key are matched too (a key glued to other characters is still a leaked key), but a run
 * stops before the next `mgw_` so that key is matched on its own.
 */
function findKeys(text: string): Match[] {
  const matches: Match[] = [];
  for (let i = text.indexOf("_"); i >= 0 && i < text.length;) {
    const start = i - 3;
    if (start < 0 || !prefixAt(text, start)) {
      i = text.indexOf("_", i + 1);
      continue;
    }
    let end = i + 1;
    while (end < text.length && isKeyChar(text.charCodeAt(end)) && !prefixAt(text, end)) end++;
    if (end - (i + 1) > KEY_ID_LENGTH) {
      matches.push({ start, end, keyId: text.slice(i + 1, i + 1 + KEY_ID_LENGTH) });
    }
    i = text.indexOf("_", i + 1);
  }
  return matches;
}

/** Replaces `[start, end)` spans of `input` (sorted, disjoint). */
function splice(input: string, spans: ReadonlyArray<[number, number, string]>): string {
  let out = "";
  let at = 0;
  for (const [start, end, replacement] of spans) {
    out += input.slice(at, start) + replacement;
    at = end;
  }
  return out + input.slice(at);
}

/** Redacts keys in every decoding of `input` (no base64 step). */
function redactDecodings(input: string, ellipsis: string): string {
  // Every key has an underscore, written as one or produced by an escape.
  if (!MAY_HOLD_PREFIX.test(input)) return input;
  const decoded = decodeRounds(input);
  const matches = findKeys(decoded.text);
  if (matches.length === 0) return input;
  return splice(
    input,
    matches.map(({ start, end, keyId }) => [
      inputIndex(decoded, start, input.length),
      inputIndex(decoded, end, input.length),
      `${KEY_PREFIX}${keyId}${ellipsis}`,
    ]),
  );
}

function isBase64Char(c: number): boolean {
  return isKeyChar(c) || c === 0x2b || c === 0x2f || c === 0x2d || c === 0x5f; // + / - _
}

/**
 * Redacts keys hidden in base64 runs (standard or URL-safe; e.g. `Basic` credentials whose user or
 * password is a key). A run is decoded at each of the four alignments, so a run glued to other
 * text is still read; the part holding a key is re-encoded with the key redacted.
 */
function redactBase64(input: string): string {
  if (!hasLongRun(input) && !MAY_ESCAPE.test(input)) return input;
  const decoded = decodeRounds(input);
  const text = decoded.text;
  const spans: Array<[number, number, string]> = [];
  for (let i = 0; i < text.length;) {
    if (!isBase64Char(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i;
    while (end < text.length && isBase64Char(text.charCodeAt(end))) end++;
    while (end < text.length && text.charCodeAt(end) === 0x3d /* = */ && end - i < 2) end++;
    if (end - i >= MIN_BASE64_RUN) {
      const run = text.slice(i, end);
      const replacement = redactedBase64Run(run);
      if (replacement !== null) {
        spans.push([
          inputIndex(decoded, i, input.length),
          inputIndex(decoded, end, input.length),
          replacement,
        ]);
      }
    }
    i = end;
  }
  return spans.length === 0 ? input : splice(input, spans);
}

/** Base64 digit values (standard and URL-safe alphabets), -1 for other characters. */
const BASE64_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < alphabet.length; i++) values[alphabet.charCodeAt(i)] = i;
  values[0x2d] = 62; // -
  values[0x5f] = 63; // _
  return values;
})();

/** What may follow an escape introducer (`%6D`, `%u`, `\u`, `\x`, `\\`, `&#`, `&amp;`, `&lowbar;`). */
function escapeFollower(byte: number): boolean {
  return hexDigit(byte) >= 0 || [0x75, 0x55, 0x78, 0x23, 0x5c, 0x2f, 0x61, 0x6c].includes(byte);
}

/**
 * Whether the bytes a run decodes to, read from `skip`, might hold a key: `mgw_` in any case, or an
 * escape that could produce one. Decodes without allocating, so the common run (a session id, a
 * MIME type) costs one scan.
 */
function mayHideKey(run: string, skip: number): boolean {
  let bits = 0;
  let bitCount = 0;
  let last = 0; // the previous three bytes, lowest is the latest
  for (let i = skip; i < run.length; i++) {
    const value = BASE64_VALUES[run.charCodeAt(i)] ?? -1;
    if (value < 0) break;
    bits = ((bits << 6) | value) & 0xfff;
    bitCount += 6;
    if (bitCount < 8) continue;
    bitCount -= 8;
    const byte = (bits >> bitCount) & 0xff;
    if (byte === 0x5f && (last | 0x202020) === 0x6d6777) return true; // mgw_
    const previous = last & 0xff;
    if ((previous === 0x25 || previous === 0x5c || previous === 0x26) && escapeFollower(byte)) {
      return true;
    }
    last = ((last << 8) | byte) & 0xffffff;
  }
  return false;
}

/** Whether `text` has a run of base64 characters long enough to hide a key. One scan. */
function hasLongRun(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    run = c < 128 && (BASE64_VALUES[c] ?? -1) >= 0 ? run + 1 : 0;
    if (run >= MIN_BASE64_RUN) return true;
  }
  return false;
}

/** The run re-encoded without keys, or null when none of its alignments holds one. */
function redactedBase64Run(run: string): string | null {
  const urlSafe = run.includes("-") || run.includes("_");
  for (let skip = 0; skip < 4; skip++) {
    if (!mayHideKey(run, skip)) continue;
    const bytes = Buffer.from(run.slice(skip), "base64").toString("latin1");
    const redacted = redactDecodings(bytes, ASCII_ELLIPSIS);
    if (redacted !== bytes) {
      const encoded = Buffer.from(redacted, "latin1").toString(urlSafe ? "base64url" : "base64");
      return run.slice(0, skip) + encoded;
    }
  }
  return null;
}

/**
 * Replaces every key in `text` by its key-id form (`mgw_a1b2c3d4…`), whatever its encoding:
 * percent-encoded (repeatedly), JSON/JS or HTML escaped, any case of the prefix, or inside base64
 * (Basic credentials). Text that holds no key in any of these forms is returned unchanged. Linear
 * in the length of `text`.
 *
 * @example
 * ```ts
 * redactKey(`key=${generateKey()}`); // "key=mgw_a1b2c3d4…"
 * redactKey("/x/%6Dgw%5Fa1b2c3d4e5F6g7H8i9J0k1L2m3N4o5P6"); // "/x/mgw_a1b2c3d4…"
 * ```
 */
export function redactKey(text: string): string {
  return redactBearerKey(text) ?? redactBase64(redactDecodings(text, ELLIPSIS));
}

const BEARER = "bearer";

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * The redaction of exactly `Bearer <key>` (scheme in any case, spaces or tabs around), which every
 * authenticated header request's `Authorization` holds, in one short scan; `undefined` for any
 * other text. It is what the general path gives for such a value: no escape and no base64 run can
 * hide a key in it, so only the key itself is replaced.
 */
function redactBearerKey(text: string): string | undefined {
  let i = 0;
  while (i < text.length && isOws(text.charCodeAt(i))) i++;
  for (let k = 0; k < BEARER.length; k++, i++) {
    if ((text.charCodeAt(i) | 0x20) !== BEARER.charCodeAt(k)) return undefined;
  }
  const schemeEnd = i;
  while (i < text.length && isOws(text.charCodeAt(i))) i++;
  const keyEnd = i + KEY_PREFIX.length + KEY_SECRET_LENGTH;
  if (i === schemeEnd || keyEnd > text.length || !prefixAt(text, i)) return undefined;
  for (let k = i + KEY_PREFIX.length; k < keyEnd; k++) {
    if (!isKeyChar(text.charCodeAt(k))) return undefined;
  }
  for (let k = keyEnd; k < text.length; k++) if (!isOws(text.charCodeAt(k))) return undefined;
  const idStart = i + KEY_PREFIX.length;
  return `${text.slice(0, i)}${KEY_PREFIX}${text.slice(idStart, idStart + KEY_ID_LENGTH)}${ELLIPSIS}${text.slice(keyEnd)}`;
}

/**
 * Redacts every key in a URL (or a path), in every encoding {@link redactKey} knows, such as
 * `mgw%5F…`, `%256Dgw_…` or `MGW_…`.
 *
 * @example
 * ```ts
 * redactUrl(`/mcp/${generateKey()}?x=1`); // "/mcp/mgw_a1b2c3d4…?x=1"
 * ```
 */
export function redactUrl(url: string | URL): string {
  return redactKey(String(url));
}

/**
 * True when `text` holds a key (more than its key id) in any form {@link redactKey} redacts.
 *
 * @example
 * ```ts
 * containsKey(`Basic ${btoa(`${generateKey()}:`)}`); // true
 * containsKey("mgw_a1b2c3d4…"); // false: a key id alone is public
 * ```
 */
export function containsKey(text: string): boolean {
  return redactKey(text) !== text;
}

/** Header values as Node gives them (`req.headers`). */
export type RedactableHeaders = Record<string, string | readonly string[] | number | undefined>;

/**
 * A copy of `headers` with every key redacted from every value (`Authorization`, `Referer`,
 * `X-Forwarded-Uri`, `X-Original-URL`, `Cookie`, Basic credentials…), for logging a request or
 * handing it to code that must not see a key. Names listed in `keep` are copied unchanged (for a
 * credential that code after this still has to read). Values without a key keep their identity.
 *
 * @example
 * ```ts
 * const safe = redactHeaders(req.headers, { keep: ["authorization"] });
 * ```
 */
export function redactHeaders<Headers extends RedactableHeaders>(
  headers: Headers,
  options: { keep?: readonly string[] } = {},
): Headers {
  const keep = options.keep ?? [];
  const copy: RedactableHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (keep.includes(name.toLowerCase()) || value === undefined || typeof value === "number") {
      copy[name] = value;
    } else if (typeof value === "string") {
      copy[name] = redactKey(value);
    } else {
      copy[name] = value.map(redactKey);
    }
  }
  return copy as Headers;
}

/** The parts of a Node request (Express' `originalUrl` included) that {@link redactRequest} cleans. */
export interface RedactableRequest {
  url?: string | undefined;
  originalUrl?: string | undefined;
  headers: RedactableHeaders;
  rawHeaders?: string[] | undefined;
}

/**
 * Removes every key from a request in place, in every encoding {@link redactKey} knows: `url`,
 * Express' `originalUrl`, every header value (the `headers` object itself is kept, so framework
 * views of it such as Fastify's `request.headers` see the change) and `rawHeaders`. Header names in
 * `keep` are left alone. For adapters, after authenticating, so that loggers which read the request
 * when the response finishes (morgan, pino-http) and error pages never see a key.
 *
 * @example
 * ```ts
 * const result = await gate.authenticateRequest(req);
 * redactRequest(req); // req.url, req.headers and req.rawHeaders no longer hold a key
 * ```
 */
export function redactRequest(
  request: RedactableRequest,
  options: { keep?: readonly string[] } = {},
): void {
  if (typeof request.url === "string") request.url = redactUrl(request.url);
  if (typeof request.originalUrl === "string") request.originalUrl = redactUrl(request.originalUrl);
  const keep = options.keep ?? NOTHING_KEPT;
  // `headers` and `rawHeaders` mostly hold the same values: each distinct value is scanned once
  // and remembered here (a Map, so a request with thousands of headers stays linear).
  const memo = new Map<string, string>();
  const raw = request.rawHeaders;
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (keep.length > 0 && keep.includes((raw[i] ?? "").toLowerCase())) continue;
      const value = raw[i + 1] ?? "";
      const redacted = redactMemo(value, memo, raw[i]);
      if (redacted !== value) raw[i + 1] = redacted;
    }
  }
  const headers = request.headers;
  for (const name of Object.keys(headers)) {
    if (keep.length > 0 && keep.includes(name.toLowerCase())) continue;
    const value = headers[name];
    if (typeof value === "string") {
      const redacted = redactMemo(value, memo, name);
      if (redacted !== value) headers[name] = redacted;
    } else if (Array.isArray(value)) {
      let copy: string[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = value[i] ?? "";
        const redacted = redactMemo(item, memo);
        if (redacted !== item) (copy ??= [...value])[i] = redacted;
      }
      if (copy !== undefined) headers[name] = copy;
    }
  }
}

const NOTHING_KEPT: readonly string[] = [];

/**
 * Values of these headers are the same on most requests (`Accept: application/json,
 * text/event-stream`, a client's `User-Agent`, a session's id) and are no secrets: once scanned clean, such a
 * value is remembered across requests, up to {@link CLEAN_VALUES} values of at most
 * {@link CLEAN_VALUE_LENGTH} characters. A value is clean or not whatever header holds it, so any
 * header's value is looked up; only these headers' values are kept (never `Cookie`, never a token).
 */
const CACHEABLE_HEADERS = new Set([
  "accept",
  "accept-encoding",
  "accept-language",
  "cache-control",
  "connection",
  "content-type",
  "host",
  "mcp-protocol-version",
  // Held by the MCP transport for the session's life anyway, and no credential here: every
  // request is authenticated by its key, and a session is bound to the app and key generation.
  "mcp-session-id",
  "pragma",
  "user-agent",
]);
const CLEAN_VALUES = 512;
const CLEAN_VALUE_LENGTH = 256;
/** Header values scanned and found free of keys (forgotten all at once when full). */
const cleanValues = new Set<string>();

function remembersCleanValue(name: string | undefined, value: string): boolean {
  return (
    value.length <= CLEAN_VALUE_LENGTH &&
    name !== undefined &&
    name.length <= 20 &&
    CACHEABLE_HEADERS.has(name.toLowerCase())
  );
}

/**
 * {@link redactKey}, remembering every value scanned in `memo` (value → redacted) for the rest of
 * the request, and clean values of common headers across requests.
 */
function redactMemo(value: string, memo: Map<string, string>, name?: string): string {
  if (cleanValues.has(value)) return value;
  const known = memo.get(value);
  if (known !== undefined) return known;
  const redacted = redactKey(value);
  memo.set(value, redacted);
  if (redacted === value && remembersCleanValue(name, value)) {
    if (cleanValues.size >= CLEAN_VALUES) cleanValues.clear();
    cleanValues.add(value);
  }
  // Redacting is idempotent: the redacted value, met again (Node builds `headers` from the
  // redacted `rawHeaders`), needs no second scan.
  if (redacted !== value) memo.set(redacted, redacted);
  return redacted;
}

/** Nested objects deeper than this are cut (a log line is not a heap dump). */
const MAX_FIELD_DEPTH = 6;

/**
 * A copy of a log record (any JSON-like value) with every key redacted from every string, at any
 * depth up to a bound, and byte buffers (a Node parser error's `rawPacket`) written as redacted text
 * instead of byte arrays. Errors become `{ type, message, stack, …fields }`. For logger
 * serializers, e.g. pino-http's `req`, which also logs the parsed `query` and `params`.
 *
 * @example
 * ```ts
 * redactFields({ url: `/x?k=${generateKey()}`, query: { k: "…" } }); // every string redacted
 * ```
 */
export function redactFields(value: unknown): unknown {
  return redactFieldsAt(value, 0);
}

function redactFieldsAt(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactKey(value);
  if (value instanceof Uint8Array) return redactKey(Buffer.from(value).toString("latin1"));
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_FIELD_DEPTH) return "[object]";
  if (Array.isArray(value)) return value.map((item: unknown) => redactFieldsAt(item, depth + 1));
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    out.type = value.constructor.name;
    out.message = redactKey(value.message);
    out.stack = redactKey(value.stack ?? "");
    if (value.cause !== undefined) out.cause = redactFieldsAt(value.cause, depth + 1);
  }
  for (const [name, item] of Object.entries(value)) out[name] = redactFieldsAt(item, depth + 1);
  return out;
}
