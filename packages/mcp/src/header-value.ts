/**
 * The header value encoding of MCP 2026-07-28 (`Mcp-Name`, `Mcp-Param-*`): a value that is not
 * safe as a plain ASCII header value is sent as `=?base64?<Base64 of its UTF-8>?=`. The markers are
 * case-sensitive; a plain value that looks like the sentinel must be encoded too.
 */

const PREFIX = "=?base64?";
const SUFFIX = "?=";
/** Visible ASCII and inner spaces/tabs, no leading or trailing whitespace (RFC 9110 field value). */
const SAFE_PLAIN = /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/;
/** Canonical standard Base64: whole quanta, padding only at the end. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function isSentinel(value: string): boolean {
  return (
    value.length >= PREFIX.length + SUFFIX.length &&
    value.startsWith(PREFIX) &&
    value.endsWith(SUFFIX)
  );
}

/** The header value for `value`: itself when it is safe plain ASCII, else the Base64 sentinel form. */
export function encodeHeaderValue(value: string): string {
  if (SAFE_PLAIN.test(value) && !isSentinel(value)) return value;
  return `${PREFIX}${Buffer.from(value, "utf8").toString("base64")}${SUFFIX}`;
}

/**
 * The value a header carries, decoded; `undefined` when it is malformed: invalid characters in a
 * plain value, or a sentinel whose payload is not canonical Base64 of valid UTF-8. Linear in the
 * value's length.
 */
export function decodeHeaderValue(header: string): string | undefined {
  if (!isSentinel(header)) return SAFE_PLAIN.test(header) ? header : undefined;
  const payload = header.slice(PREFIX.length, header.length - SUFFIX.length);
  if (!BASE64.test(payload)) return undefined;
  try {
    return utf8.decode(Buffer.from(payload, "base64"));
  } catch {
    return undefined;
  }
}
