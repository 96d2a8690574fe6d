/**
 * A corpus of the forms a key takes in logs and error pages, and an independent decoder that reads
 * them all back: for testing that redaction (ours or an adapter's) leaves no secret in any of them.
 */

/** One way of writing a single character. */
export type CharEncoding =
  | "plain"
  | "percent"
  | "percent-lower"
  | "percent-u"
  | "json"
  | "html-decimal"
  | "html-hex"
  | "js-hex";

/** Every {@link CharEncoding}. */
export const CHAR_ENCODINGS: readonly CharEncoding[] = [
  "plain",
  "percent",
  "percent-lower",
  "percent-u",
  "json",
  "html-decimal",
  "html-hex",
  "js-hex",
];

const hex2 = (c: string) => c.charCodeAt(0).toString(16).padStart(2, "0");
const hex4 = (c: string) => c.charCodeAt(0).toString(16).padStart(4, "0");

function encodeOne(text: string, encoding: CharEncoding): string {
  return [...text]
    .map((c) => {
      switch (encoding) {
        case "plain":
          return c;
        case "percent":
          return `%${hex2(c).toUpperCase()}`;
        case "percent-lower":
          return `%${hex2(c)}`;
        case "percent-u":
          return `%u${hex4(c).toUpperCase()}`;
        case "json":
          return `\\u${hex4(c)}`;
        case "html-decimal":
          return `&#${c.charCodeAt(0)};`;
        case "html-hex":
          return `&#x${hex2(c).toUpperCase()};`;
        case "js-hex":
          return `\\x${hex2(c)}`;
      }
    })
    .join("");
}

/**
 * Writes `char` through a chain of encodings, innermost first: `["percent", "percent"]` turns `m`
 * into `%256D` (percent-encoded, then the `%` percent-encoded again).
 */
export function encodeChar(char: string, chain: readonly CharEncoding[]): string {
  let text = char;
  for (const encoding of chain) {
    // Re-encoding an escape encodes its introducer only, as a second encoding layer does.
    text =
      text === char
        ? encodeOne(char, encoding)
        : encodeOne(text.charAt(0), encoding) + text.slice(1);
  }
  return text;
}

/**
 * Writes a key with one chain of encodings per character (missing chains: plain) and its prefix in
 * the given case (`"MGW_"`, `"Mgw_"`…).
 */
export function encodeKey(
  key: string,
  chains: ReadonlyArray<readonly CharEncoding[]>,
  prefix = "mgw_",
): string {
  const text = prefix + key.slice(4);
  return [...text].map((c, i) => encodeChar(c, chains[i] ?? [])).join("");
}

/** Whole-key forms that are not per-character: base64 (Basic credentials) and JSON strings. */
export function wholeKeyForms(key: string): Record<string, string> {
  const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString("base64")}`;
  return {
    plain: key,
    "upper prefix": `MGW_${key.slice(4)}`,
    "mixed-case prefix": `mGw_${key.slice(4)}`,
    "percent-encoded underscore": `mgw%5F${key.slice(4)}`,
    "percent-encoded twice": key.replace(/./g, (c) => `%25${hex2(c).toUpperCase()}`),
    "percent-encoded three times, lower hex": key.replace(/./g, (c) => `%2525${hex2(c)}`),
    "JSON-escaped underscore": `mgw\\u005f${key.slice(4)}`,
    "JSON-escaped twice": `mgw\\\\u005F${key.slice(4)}`,
    "HTML entity underscore": `mgw&#95;${key.slice(4)}`,
    "HTML entity, escaped again": `mgw&amp;#x5f;${key.slice(4)}`,
    "Basic user": basic(`${key}:`),
    "Basic password": basic(`user:${key}`),
    "Basic password, 2-byte user": basic(`us:${key}`),
    "Basic password, 1-byte user": basic(`u:${key}`),
    "Basic user and password": basic(`${key}:${key}`),
    "base64url of the key": Buffer.from(key).toString("base64url"),
    "JSON string": JSON.stringify({ key }),
  };
}

const PERCENT = /%([0-9A-Fa-f]{2})/g;
const PERCENT_U = /%u([0-9A-Fa-f]{4})/gi;
const JSON_UNICODE = /\\u([0-9A-Fa-f]{4})/g;
const JS_HEX = /\\x([0-9A-Fa-f]{2})/g;
const BACKSLASH = /\\\\/g;
const HTML_DECIMAL = /&#([0-9]{1,7});/g;
const HTML_HEX = /&#[xX]([0-9A-Fa-f]{1,6});/g;
const BASE64_RUN = /[A-Za-z0-9+/_-]{8,}={0,2}/g;
/** A JSON-serialized Buffer or byte array (`"data":[109,103,119,…]`), as loggers print one. */
const BYTE_ARRAY = /\[(\d{1,3}(?:,\s*\d{1,3}){3,})\]/g;

const fromCode = (code: string, radix: number) => String.fromCodePoint(parseInt(code, radix));

const decoders: ReadonlyArray<(text: string) => string> = [
  (t) => t.replace(PERCENT, (_, h: string) => fromCode(h, 16)),
  (t) => t.replace(PERCENT_U, (_, h: string) => fromCode(h, 16)),
  (t) =>
    t
      .replace(JSON_UNICODE, (_, h: string) => fromCode(h, 16))
      .replace(JS_HEX, (_, h: string) => fromCode(h, 16)),
  (t) => t.replace(BACKSLASH, "\\"),
  (t) =>
    t
      .replace(/&amp;/g, "&")
      .replace(/&lowbar;/g, "_")
      .replace(HTML_DECIMAL, (_, d: string) => (Number(d) <= 0x10ffff ? fromCode(d, 10) : _))
      .replace(HTML_HEX, (_, h: string) => fromCode(h, 16)),
  (t) =>
    t.replace(BYTE_ARRAY, (_, list: string) =>
      String.fromCharCode(...list.split(",").map((n) => Number(n.trim()) & 0xff)),
    ),
];

function base64Decodings(text: string): string[] {
  const found: string[] = [];
  for (const [run] of text.matchAll(BASE64_RUN)) {
    for (let skip = 0; skip < 4; skip++) {
      found.push(Buffer.from(run.slice(skip), "base64").toString("latin1"));
    }
  }
  return found;
}

/**
 * Every text a reader could get from `text` by decoding it any number of times (up to `rounds`)
 * with percent-decoding, JSON/JS and HTML unescaping, byte arrays and base64 (of any run, at every
 * alignment), in any order. Independent of `redactKey`'s implementation (plain regexes), to be an
 * oracle for it.
 */
export function decodeAll(text: string, rounds = 8, base64 = true): Set<string> {
  const all = new Set([text]);
  let frontier = [text];
  for (let round = 0; round < rounds && frontier.length > 0; round++) {
    const next: string[] = [];
    for (const variant of frontier) {
      const everything = decoders.reduce((t, decode) => decode(t), variant);
      for (const decoded of [everything, ...decoders.map((decode) => decode(variant))]) {
        if (!all.has(decoded)) {
          all.add(decoded);
          next.push(decoded);
        }
      }
    }
    frontier = next;
  }
  if (!base64) return all;
  for (const variant of [...all]) {
    // One level of base64 (Basic credentials), whose content is decoded again.
    for (const inner of base64Decodings(variant)) {
      for (const decoded of decodeAll(inner, 3, false)) all.add(decoded);
    }
  }
  return all;
}

/**
 * The secret tail of `key` (its last 24 characters, after the public key id) if any decoding of
 * `text` holds it, otherwise `null`.
 */
export function leakedSecret(text: string, key: string): string | null {
  const secret = key.slice(12);
  for (const decoded of decodeAll(text)) if (decoded.includes(secret)) return secret;
  return null;
}
