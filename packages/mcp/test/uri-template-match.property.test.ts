/**
 * The linear URI-template matcher answers exactly what the MCP SDK's `UriTemplate.match` (which
 * McpServer routes with) answers, and stays linear where the SDK's regular expression backtracks.
 */
import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTemplate, matchesTemplate } from "../src/uri-template-match.js";

const chars = fc.constantFrom("a", "b", "/", ",", ".", "?", "&", "=", "#", "\n", "é", "😀");
const uris = fc.array(chars, { maxLength: 14 }).map((parts) => parts.join(""));
const expression = fc
  .tuple(
    fc.constantFrom("", "+", "#", ".", "/", "?", "&"),
    fc.constantFrom("a", "b", "a,b", "a*", "x*,y"),
  )
  .map(([operator, names]) => `{${operator}${names}}`);
const templates = fc
  .array(fc.oneof(expression, fc.constantFrom("a", "/", ".", "x://", ",", "?a=", "😀")), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => parts.join(""));

describe("matchesTemplate", () => {
  it("law: agrees with the SDK's UriTemplate.match on every template and URI", () => {
    fc.assert(
      fc.property(templates, uris, (template, uri) => {
        const pieces = compileTemplate(template);
        expect(pieces).toBeDefined();
        const sdk = new UriTemplate(template).match(uri) !== null;
        expect(matchesTemplate(pieces ?? [], uri)).toBe(sdk);
      }),
      { numRuns: 3000 },
    );
  });

  it("law: every URI the SDK expands from a template matches it", () => {
    fc.assert(
      fc.property(templates, fc.stringMatching(/^[a-z]{1,5}$/), (template, value) => {
        const uri = new UriTemplate(template).expand({ a: value, b: value, x: value, y: value });
        const sdk = new UriTemplate(template).match(uri) !== null;
        expect(matchesTemplate(compileTemplate(template) ?? [], uri)).toBe(sdk);
      }),
    );
  });

  it("refuses an unclosed expression", () => {
    expect(compileTemplate("file:///{name")).toBeUndefined();
  });

  it("is linear where a backtracking expression is cubic", () => {
    const pieces = compileTemplate("{+a}{+b}{+c}z") ?? [];
    const started = performance.now();
    expect(matchesTemplate(pieces, "x".repeat(65_536))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
