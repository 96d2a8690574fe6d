/**
 * Decoding for redaction: percent-encoding (`%6D`, `%u006D`), JSON/JS escapes (`\u005f`, `\x5f`,
 * `\\`) and HTML character references (`&#95;`, `&#x5F;`, `&amp;`), applied in a bounded number of
 * rounds (so `%256D` and `\\u005f` are read too). Each round is one left-to-right scan with
 * fixed-length escapes; the result remembers where each of its units came from in the input, so a
 * match in the decoded text can be replaced in the input.
 */

/** Decoding rounds at most (`%2525256D` needs four); each round is one linear scan. */
const MAX_DECODING_ROUNDS = 8;
/** Text decoded by {@link decodeRounds}, with the index in the input where each unit came from. */
export interface Decoded {
  text: string;
  /** `null` while nothing was decoded (the identity). */
  origin: Int32Array | null;
}

/** The value of a hex digit, or -1. */
export function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** `length` hex digits at `start` as a number, or -1. */
function hexAt(text: string, start: number, length: number): number {
  if (start + length > text.length) return -1;
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const digit = hexDigit(text.charCodeAt(i));
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** `&#95;`, `&#x5F;`, `&amp;`, `&lowbar;` at `i` (which holds `&`): [code, length] or null. */
function characterReference(text: string, i: number): [number, number] | null {
  if (text.startsWith("&amp;", i)) return [0x26, 5];
  if (text.startsWith("&lowbar;", i)) return [0x5f, 8];
  if (text.charCodeAt(i + 1) !== 0x23 /* # */) return null;
  const hex = (text.charCodeAt(i + 2) | 0x20) === 0x78; /* x */
  const from = i + (hex ? 3 : 2);
  let code = 0;
  // At most 7 digits (enough for any code point): the look-ahead is bounded.
  for (let end = from; end < text.length && end - from <= 7; end++) {
    const c = text.charCodeAt(end);
    if (c === 0x3b /* ; */) return end > from && code <= 0x10ffff ? [code, end + 1 - i] : null;
    const digit = hex ? hexDigit(c) : c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
    if (digit < 0) return null;
    code = code * (hex ? 16 : 10) + digit;
  }
  return null;
}

/** The escape at `i`: [code point, length in `text`], or null when `text[i]` stands for itself. */
function escapeAt(text: string, i: number): [number, number] | null {
  const c = text.charCodeAt(i);
  if (c === 0x25 /* % */) {
    const byte = hexAt(text, i + 1, 2);
    if (byte >= 0) return [byte, 3];
    const unit = (text.charCodeAt(i + 1) | 0x20) === 0x75 /* u */ ? hexAt(text, i + 2, 4) : -1;
    return unit >= 0 ? [unit, 6] : null;
  }
  if (c === 0x5c /* \ */) {
    const next = text.charCodeAt(i + 1);
    if (next === 0x5c || next === 0x2f /* / */) return [next, 2];
    if (next === 0x75 /* u */) {
      const code = hexAt(text, i + 2, 4);
      return code >= 0 ? [code, 6] : null;
    }
    if (next === 0x78 /* x */) {
      const code = hexAt(text, i + 2, 2);
      return code >= 0 ? [code, 4] : null;
    }
    return null;
  }
  if (c === 0x26 /* & */) return characterReference(text, i);
  return null;
}

/** One left-to-right decoding pass; null when there was nothing to decode. */
function decodeOnce(text: string): { text: string; origin: Int32Array } | null {
  let out: string[] | null = null;
  let origin: Int32Array | null = null;
  let length = 0;
  let copiedUpTo = 0;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    const escape = c === 0x25 || c === 0x5c || c === 0x26 ? escapeAt(text, i) : null;
    if (escape === null) {
      i += 1;
      continue;
    }
    // Decoding only shrinks the text: the input's length bounds the output's.
    out ??= [];
    origin ??= new Int32Array(text.length);
    for (let k = copiedUpTo; k < i; k++) origin[length++] = k;
    out.push(text.slice(copiedUpTo, i));
    const decoded = String.fromCodePoint(escape[0]);
    for (let k = 0; k < decoded.length; k++) origin[length++] = i;
    out.push(decoded);
    i += escape[1];
    copiedUpTo = i;
  }
  if (out === null || origin === null) return null;
  for (let k = copiedUpTo; k < text.length; k++) origin[length++] = k;
  out.push(text.slice(copiedUpTo));
  return { text: out.join(""), origin: origin.subarray(0, length) };
}

/** Decodes repeatedly (bounded rounds), keeping where each unit of the result came from. */
export function decodeRounds(input: string): Decoded {
  let current: Decoded = { text: input, origin: null };
  for (let round = 0; round < MAX_DECODING_ROUNDS; round++) {
    const next = decodeOnce(current.text);
    if (next === null) break;
    const previous = current.origin;
    const origin = previous ? next.origin.map((index) => previous[index] ?? index) : next.origin;
    current = { text: next.text, origin };
  }
  return current;
}

/** Where in the input the unit at `index` of the decoded text begins. */
export function inputIndex(decoded: Decoded, index: number, inputLength: number): number {
  if (index >= decoded.text.length) return inputLength;
  return decoded.origin ? (decoded.origin[index] ?? inputLength) : index;
}
