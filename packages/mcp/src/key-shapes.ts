/**
 * Finding a key in any header value, whatever its encoding: plain, prefix case variants (`MGW_`),
 * percent-encoded once or more, JSON `\u` escapes, and base64 (Basic credentials, tokens).
 *
 * LOCAL DETECTION, to be replaced: core's redact.ts is gaining encoding-aware helpers (branch
 * `redact`). When that lands, `containsKeyShape` and `redactHeaderValue` below become thin calls
 * to it (or disappear); the tests in test/key-hygiene.test.ts keep their meaning.
 */
import { redactUrl } from "@mcpgate/core";

/**
 * `mgw_` + more key characters than the public key id (8), any case of the prefix: a key id alone
 * (`mgw_a1b2c3d4…`, the redacted form) is public, anything longer is a secret.
 */
const KEY_SHAPE = /mgw_[A-Za-z0-9]{9}/i;
/** Text that could hide a key once percent- or `\u`-decoded (or a plain key, any case). */
const MAY_HIDE_ESCAPED_KEY = /mgw|%|\\u/i;

/**
 * The base64 characters that `mgw_` (any case of `mgw`) always encodes to, at each of the three
 * byte offsets within a base64 quantum, in the standard and the URL-safe alphabet. A value without
 * any of them holds no base64-encoded key, so ordinary values (`application/json`, UUIDs) are
 * cleared by one regex instead of being decoded.
 */
function base64PrefixPattern(): RegExp {
  const literals = new Set<string>();
  for (const m of "mM") {
    for (const g of "gG") {
      for (const w of "wW") {
        const prefix = Buffer.from(`${m}${g}${w}_`, "latin1");
        for (let offset = 0; offset < 3; offset++) {
          const bytes = Buffer.concat([Buffer.alloc(offset), prefix, Buffer.alloc(3)]);
          const encoded = bytes.toString("base64");
          // Character k carries bits [6k, 6k + 6): keep those inside the prefix's bytes only.
          const first = Math.ceil((8 * offset) / 6);
          const last = Math.floor((8 * (offset + 4)) / 6) - 1;
          const standard = encoded.slice(first, last + 1);
          literals.add(standard);
          literals.add(standard.replace(/\+/g, "-").replace(/\//g, "_"));
        }
      }
    }
  }
  const escaped = [...literals].map((l) => l.replace(/[+/]/g, "\\$&"));
  return new RegExp(escaped.join("|"));
}
const MAY_HIDE_BASE64_KEY = base64PrefixPattern();
/** Base64 (standard or URL-safe) runs long enough to hold `mgw_` + 9 key characters (13 bytes). */
const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
/** Values longer than this are not decoded: they are replaced whole (bounded work). */
const MAX_DECODED_LENGTH = 16 * 1024;
const DECODE_ROUNDS = 3;

function decodeEscapes(text: string): string {
  return text
    .replace(/%([0-7][0-9A-Fa-f])/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\u00([0-7][0-9A-Fa-f])/gi, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
}

function plainOrEscaped(text: string): boolean {
  let current = text;
  for (let round = 0; round <= DECODE_ROUNDS; round++) {
    if (KEY_SHAPE.test(current)) return true;
    const decoded = decodeEscapes(current);
    if (decoded === current) return false;
    current = decoded;
  }
  return KEY_SHAPE.test(current);
}

function inBase64(text: string): boolean {
  for (const run of text.match(BASE64_RUN) ?? []) {
    // The run may start mid-quantum when other base64-alphabet text precedes it: try each offset.
    for (let offset = 0; offset < 4; offset++) {
      const decoded = Buffer.from(run.slice(offset), "base64").toString("latin1");
      if (plainOrEscaped(decoded)) return true;
    }
  }
  return false;
}

/**
 * True when `value` holds something shaped like a key in any encoding listed above. Linear in the
 * value's length; an over-long value that may hide a key counts as holding one.
 */
export function containsKeyShape(value: string): boolean {
  const escaped = MAY_HIDE_ESCAPED_KEY.test(value);
  const base64 = MAY_HIDE_BASE64_KEY.test(value);
  if (!escaped && !base64) return false;
  if (value.length > MAX_DECODED_LENGTH) return true;
  return (escaped && plainOrEscaped(value)) || (base64 && inBase64(value));
}

/**
 * `value` without its keys: redacted to the key-id form where core's `redactUrl` can (plain and
 * percent-encoded `mgw_…`), replaced whole where it cannot (other encodings).
 */
export function redactHeaderValue(value: string): string {
  // Header values are Latin-1: the SDK's `new Headers()` throws on core's "…".
  const redacted = redactUrl(value).replace(/\u2026/g, "...");
  return containsKeyShape(redacted) ? "[redacted]" : redacted;
}
