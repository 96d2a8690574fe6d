/**
 * Finding keys in text, in every form a file may hold one: plain, after any character (JSON `\n`
 * escapes, `%2F`, `_`), with an encoded prefix or key character (`%5F`, `%255F`, `\u005f`, `\x5f`,
 * `&#95;`), with an upper-case prefix, wrapped over lines, and base64-encoded at any byte alignment
 * (Basic credentials, Kubernetes secrets). Everything here is linear in the input: each position
 * starts at most one bounded match attempt, and each base64 run is decoded a fixed number of times.
 */

/** A key found at `index` (a UTF-16 index into the scanned text); `keyId` is its public part. */
export interface KeyMatch {
  index: number;
  keyId: string;
}

const SECRET_LENGTH = 32;
/** Line breaks a key may be wrapped over, at most this many per key. */
const MAX_WRAPS = 3;
/** A key is 36 bytes: 48 base64 characters when aligned, so shorter runs cannot hold one. */
const MIN_BASE64_RUN = 48;

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Decodes the one character that starts at `i`: an escape (`%XX`, `%25XX`…, `\uXXXX`, `\xXX`,
 * `&#NN;`, `&#xHH;`) or the plain character. `wrap` is a line break (with its indentation and a
 * `\` continuation) that a key may continue after. Bounded work per call.
 */
function decodeAt(text: string, i: number): { code: number; next: number; wrap: boolean } {
  const c = text.charCodeAt(i);
  if (c === 37 /* % */) {
    let j = i + 1;
    // %25 repeated: a percent sign encoded again (double and triple encoding).
    for (
      let k = 0;
      k < 3 && text.startsWith("25", j) && hexValue(text.charCodeAt(j + 2)) >= 0;
      k++
    ) {
      if (hexValue(text.charCodeAt(j + 3)) < 0) break;
      j += 2;
    }
    const high = hexValue(text.charCodeAt(j));
    const low = hexValue(text.charCodeAt(j + 1));
    if (high >= 0 && low >= 0) return { code: high * 16 + low, next: j + 2, wrap: false };
  } else if (c === 92 /* \ */) {
    const kind = text.charCodeAt(i + 1);
    if (kind === 117 /* u */) {
      let value = 0;
      for (let k = 2; k < 6; k++) {
        const digit = hexValue(text.charCodeAt(i + k));
        if (digit < 0) return { code: c, next: i + 1, wrap: false };
        value = value * 16 + digit;
      }
      return { code: value, next: i + 6, wrap: false };
    }
    if (kind === 120 /* x */) {
      const high = hexValue(text.charCodeAt(i + 2));
      const low = hexValue(text.charCodeAt(i + 3));
      if (high >= 0 && low >= 0) return { code: high * 16 + low, next: i + 4, wrap: false };
    }
    if (kind === 10 || kind === 13) return wrapAt(text, i + 1);
  } else if (c === 38 /* & */ && text.charCodeAt(i + 1) === 35 /* # */) {
    const hex = text.charCodeAt(i + 2) === 120 || text.charCodeAt(i + 2) === 88;
    let j = i + (hex ? 3 : 2);
    let value = 0;
    const start = j;
    for (; j < start + 6; j++) {
      const code = text.charCodeAt(j);
      const digit = hex ? hexValue(code) : code >= 48 && code <= 57 ? code - 48 : -1;
      if (digit < 0) break;
      value = value * (hex ? 16 : 10) + digit;
    }
    if (j > start && text.charCodeAt(j) === 59 /* ; */)
      return { code: value, next: j + 1, wrap: false };
  } else if (c === 10 || c === 13) {
    return wrapAt(text, i);
  }
  return { code: c, next: i + 1, wrap: false };
}

/** A line break (`\r\n` or `\n`) and the indentation after it, as one wrap. */
function wrapAt(text: string, i: number): { code: number; next: number; wrap: boolean } {
  let j = i;
  if (text.charCodeAt(j) === 13) j++;
  if (text.charCodeAt(j) !== 10) return { code: text.charCodeAt(i), next: i + 1, wrap: false };
  j++;
  for (let k = 0; k < 64 && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9); k++) j++;
  return { code: 10, next: j, wrap: true };
}

const PREFIX = [109, 103, 119, 95]; // m g w _

/** The key starting at `start`, if one does: its key id, or `undefined`. Bounded work. */
function keyAt(text: string, start: number): string | undefined {
  let i = start;
  for (let p = 0; p < PREFIX.length; p++) {
    const { code, next, wrap } = decodeAt(text, i);
    if (wrap) return undefined;
    // The prefix in any case (MGW_, Mgw_): the secret is the same 32 characters.
    const lower = code >= 65 && code <= 90 ? code + 32 : code;
    if (lower !== PREFIX[p]) return undefined;
    i = next;
  }
  let keyId = "";
  let length = 0;
  let wraps = 0;
  while (length < SECRET_LENGTH) {
    if (i >= text.length) return undefined;
    const { code, next, wrap } = decodeAt(text, i);
    i = next;
    if (wrap) {
      // A wrapped key continues on the next line; a key never starts or ends with a wrap.
      if (length === 0 || ++wraps > MAX_WRAPS) return undefined;
      continue;
    }
    if (!isAlnum(code)) return undefined;
    if (length < 8) keyId += String.fromCharCode(code);
    length++;
  }
  // Not a key if more key characters follow (a longer token). A line break ends it.
  if (i < text.length) {
    const { code, wrap } = decodeAt(text, i);
    if (!wrap && isAlnum(code)) return undefined;
  }
  return keyId;
}

/** Positions where a prefix (plain or escaped) may start: `m`, `M`, `%`, `\`, `&`. */
function mayStart(code: number): boolean {
  return code === 109 || code === 77 || code === 37 || code === 92 || code === 38;
}

/** Keys in `text` written out (plain or escaped, possibly wrapped). */
export function findPlainKeys(text: string): KeyMatch[] {
  const found: KeyMatch[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!mayStart(text.charCodeAt(i))) continue;
    const keyId = keyAt(text, i);
    if (keyId === undefined) continue;
    found.push({ index: i, keyId });
  }
  return found;
}

function isBase64Char(code: number): boolean {
  return isAlnum(code) || code === 43 || code === 47 || code === 45 || code === 95;
}

/**
 * Keys inside base64 (standard or URL-safe): every run of base64 characters long enough to hold a
 * key is decoded from each of its first four characters, so a key at any byte alignment, in a run
 * that starts anywhere, is found. Reported where its base64 starts.
 */
export function findBase64Keys(text: string): KeyMatch[] {
  const found: KeyMatch[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isBase64Char(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && isBase64Char(text.charCodeAt(i))) i++;
    if (i - start < MIN_BASE64_RUN) continue;
    const run = text.slice(start, i);
    const seen = new Set<string>();
    for (let offset = 0; offset < 4; offset++) {
      // The last, unpadded quantum decodes too (padding `=` ends the run).
      const decoded = Buffer.from(run.slice(offset), "base64").toString("latin1");
      if (!/mgw_/i.test(decoded)) continue;
      for (const match of findPlainKeys(decoded)) {
        if (seen.has(match.keyId)) continue;
        seen.add(match.keyId);
        // Where the key's first base64 quantum is in the text.
        found.push({ index: start + offset + Math.floor(match.index / 3) * 4, keyId: match.keyId });
      }
    }
  }
  return found;
}

/** Every key in `text`, plain, escaped, wrapped or base64, in order of position. */
export function findKeysIn(text: string): KeyMatch[] {
  return [...findPlainKeys(text), ...findBase64Keys(text)].sort((a, b) => a.index - b.index);
}
