/**
 * Linear scans of untrusted URLs, one pass each, no regular expressions: what a regex engine does
 * with a 64 KiB path of `%2%2%2…` is up to the engine (V8 turned out superlinear there), what a
 * loop does is not.
 * @internal
 */

const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const BACKSLASH = 0x5c;

/**
 * True when `needle` (lowercase ASCII) occurs in `text` at `at`, letters compared
 * case-insensitively.
 */
export function matchesAt(text: string, at: number, needle: string): boolean {
  if (at + needle.length > text.length) return false;
  for (let k = 0; k < needle.length; k++) {
    const c = text.charCodeAt(at + k);
    const n = needle.charCodeAt(k);
    if (c !== n && !(n >= 0x61 && n <= 0x7a && (c | 0x20) === n)) return false;
  }
  return true;
}

/**
 * True when a path has a dot segment (`.`, `..`), an encoded dot, slash or backslash (`%2e`,
 * `%2f`, `%5c`) or a backslash: no legitimate client sends them, and routers disagree on them.
 */
export function isSuspiciousPath(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === BACKSLASH) return true;
    if (
      c === PERCENT &&
      (matchesAt(path, i, "%2e") || matchesAt(path, i, "%2f") || matchesAt(path, i, "%5c"))
    )
      return true;
    if (c === DOT && (i === 0 || path.charCodeAt(i - 1) === SLASH)) {
      let end = i + 1;
      if (end < path.length && path.charCodeAt(end) === DOT) end++;
      if (end === path.length || path.charCodeAt(end) === SLASH) return true;
    }
  }
  return false;
}

/** Length of the key prefix at `at` (`mgw_` or `mgw%5f`, any case), or 0 when there is none. */
export function keyPrefixAt(text: string, at: number): number {
  if (!matchesAt(text, at, "mgw")) return 0;
  if (matchesAt(text, at + 3, "_")) return 4;
  return matchesAt(text, at + 3, "%5f") ? 6 : 0;
}

/** True when a query string holds a key (raw or percent-encoded) or an `access_token` parameter. */
export function hasQueryCredential(query: string): boolean {
  for (let i = 0; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (keyPrefixAt(query, i) > 0) return true;
    if ((c === 0x3f || c === 0x26 || c === 0x3b) && matchesAt(query, i + 1, "access_token="))
      return true;
  }
  return false;
}

const isAlnum = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * The first path segment that starts like a key: `found` and, when the 8 characters after the
 * prefix are alphanumeric, its public key id (nothing else of it).
 */
export function findKeySegment(path: string): { found: boolean; keyId?: string } {
  for (let i = 0; i < path.length; i++) {
    if (i !== 0 && path.charCodeAt(i - 1) !== SLASH) continue;
    const prefix = keyPrefixAt(path, i);
    if (prefix === 0) continue;
    const idStart = i + prefix;
    let idEnd = idStart;
    while (idEnd < path.length && idEnd < idStart + 8 && isAlnum(path.charCodeAt(idEnd))) idEnd++;
    return idEnd === idStart + 8
      ? { found: true, keyId: path.slice(idStart, idEnd) }
      : { found: true };
  }
  return { found: false };
}
