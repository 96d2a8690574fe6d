/**
 * Key redaction for logs, errors and anything else a human or a log pipeline reads.
 */
import { KEY_ID_LENGTH } from "./key-format.js";

/**
 * `mgw_` followed by at least a key id's worth of key characters. Longer runs than a key are
 * redacted too (a key glued to other characters is still a leaked key), but a run stops before
 * the next `mgw_` so that key is redacted on its own.
 */
const KEY_CHAR = "(?:(?!mgw_)[A-Za-z0-9])";
const KEYISH = new RegExp(`mgw_(${KEY_CHAR}{${KEY_ID_LENGTH}})${KEY_CHAR}+`, "g");

/**
 * Replaces every `mgw_` key in `text` by its key-id form (`mgw_a1b2c3d4…`).
 *
 * @example
 * ```ts
 * redactKey(`key=${generateKey()}`); // "key=mgw_a1b2c3d4…"
 * ```
 */
export function redactKey(text: string): string {
  return text.includes("mgw_") ? text.replace(KEYISH, "mgw_$1…") : text;
}

/** Decodes ASCII `%XX` escapes only, leniently: a stray `%ZZ` elsewhere must not stop it. */
function decodeAsciiEscapes(part: string): string {
  return part.replace(/%([0-7][0-9A-Fa-f])/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

/**
 * Redacts every key in a URL (or a path), including percent-encoded ones such as `mgw%5F…`.
 *
 * @example
 * ```ts
 * redactUrl(`/mcp/${generateKey()}?x=1`); // "/mcp/mgw_a1b2c3d4…?x=1"
 * ```
 */
export function redactUrl(url: string | URL): string {
  const text = String(url);
  if (!text.includes("%")) return redactKey(text);
  // Look at each segment between URL delimiters both as written and percent-decoded.
  return text.replace(/[^/?#&=;]+/g, (segment) => {
    const plain = redactKey(segment);
    if (!segment.includes("%")) return plain;
    const decoded = decodeAsciiEscapes(segment);
    const redacted = redactKey(decoded);
    return redacted === decoded ? plain : redacted;
  });
}
