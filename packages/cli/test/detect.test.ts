/**
 * Key detection in every form a file may hold a key, near-misses that must not match, and linear
 * time on adversarial input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateKey } from "@mcpgate/core";
import { findKeysIn } from "../src/detect.js";

const key = generateKey();
const id = key.slice(4, 12);
const secret = key.slice(4);
const b64 = (text: string): string => Buffer.from(text).toString("base64");

function ids(text: string): string[] {
  return findKeysIn(text).map((match) => match.keyId);
}

describe("findKeysIn finds a key", () => {
  it.each([
    ["plain", `token: ${key}\n`],
    ["after a JSON \\n escape", `{"env":"A=1\\n${key}"}`],
    ["after a JSON \\t escape", `{"env":"\\t${key}\\t"}`],
    ["after %2F in a URL", `https://h/mcp%2F${key}`],
    ["after _", `MY_TOKEN_${key}`],
    ["with the underscore as %5F", `https://h/mcp/mgw%5F${secret}`],
    ["with the underscore as %5f, double-encoded %255F", `u=mgw%255F${secret}&x`],
    ["with the underscore as \\u005f", `"mgw\\u005f${secret}"`],
    ["with the underscore as \\x5f", `'mgw\\x5f${secret}'`],
    ["with the underscore as &#95;", `<a href="mgw&#95;${secret}">`],
    ["with the prefix percent-encoded", `%6D%67%77%5F${secret}`],
    ["with an upper-case prefix", `MGW_${secret}`],
    ["wrapped over two lines", `key = ${key.slice(0, 20)}\n      ${key.slice(20)}\n`],
    ["wrapped with a \\ continuation", `KEY=${key.slice(0, 30)}\\\n${key.slice(30)}`],
    ["wrapped with CRLF", `${key.slice(0, 10)}\r\n${key.slice(10)}\r\n`],
    ["in a Basic auth header (user)", `Authorization: Basic ${b64(`${key}:`)}`],
    ["in a Basic auth header (password)", `Authorization: Basic ${b64(`user:${key}`)}`],
    ["in a Kubernetes secret", `data:\n  MCPGATE_KEY: ${b64(key)}\n`],
    ["in URL-safe base64", `t=${b64(`x${key}`).replaceAll("+", "-").replaceAll("/", "_")}`],
  ])("%s", (_, text) => {
    expect(ids(text)).toContain(id);
  });

  it("in base64 at all three byte alignments, and with the run starting anywhere", () => {
    for (const pad of ["", "a", "ab", "abc", "abcd"]) {
      const encoded = b64(`${pad}${key} trailing`);
      expect(ids(encoded), pad).toContain(id);
      expect(ids(`xyz${encoded}`), `xyz+${pad}`).toContain(id);
    }
  });

  it("reports line and index of the start", () => {
    const text = `a\nbb ${key}`;
    expect(findKeysIn(text)).toEqual([{ index: 5, keyId: id }]);
  });
});

describe("findKeysIn ignores near-misses", () => {
  it.each([
    ["31 characters", `mgw_${secret.slice(1)} `],
    ["33 characters", `${key}X`],
    ["followed by an encoded key character", `${key}%41`],
    ["a dash instead of the underscore", `mgw-${secret}`],
    ["a character outside base62 inside", `mgw_${secret.slice(0, 10)}-${secret.slice(11)}`],
    ["a bad escape", `mgw%5G${secret}`],
    ["a wrap right after the prefix", `mgw_\n${secret}`],
    ["too short on the next line", `mgw_abc\ndefghij`],
    ["base64 of a 31-character secret", b64(`mgw_${secret.slice(1)}!`)],
    ["mgw_ alone", "mgw_ mgw_ MGW_ %6D%67%77%5F"],
  ])("%s", (_, text) => {
    expect(ids(text)).toEqual([]);
  });
});

describe("findKeysIn runs in linear time", () => {
  const adversarial = [
    (n: number) => "mgw_".repeat(n / 4),
    (n: number) => `mgw_${"A".repeat(31)}!`.repeat(n / 36),
    (n: number) => "%25".repeat(n / 3),
    (n: number) => "%6D%67%77%5F".repeat(n / 12),
    (n: number) => "\\u005f".repeat(n / 6),
    (n: number) => "A".repeat(n),
    (n: number) => `mgw_${"a".repeat(20)}\n`.repeat(n / 25),
    (n: number) => "&#".repeat(n / 2),
  ];

  function timeOf(text: string): number {
    const start = process.hrtime.bigint();
    findKeysIn(text);
    return Number(process.hrtime.bigint() - start) / 1e6;
  }

  it("time grows linearly with input size on adversarial and random inputs (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...adversarial.keys()),
        fc.string({ minLength: 1, maxLength: 8 }),
        (which, noise) => {
          const make = adversarial[which] ?? adversarial[0]!;
          const small = make(40_000) + noise;
          const large = make(640_000) + noise;
          timeOf(large); // warm up (JIT) on the large input first
          const smallMs = Math.min(...Array.from({ length: 5 }, () => timeOf(small)));
          const largeMs = Math.min(...Array.from({ length: 3 }, () => timeOf(large)));
          // 16× the input: linear is ~16× the time, quadratic 256×. Generous for a loaded machine.
          expect(largeMs).toBeLessThan(Math.max(smallMs, 2) * 100);
        },
      ),
      { numRuns: 16 },
    );
  }, 120_000);
});
