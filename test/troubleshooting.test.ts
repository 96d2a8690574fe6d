/**
 * docs/troubleshooting.md cannot drift from the code: every error code in the source (the members of
 * every `…ErrorCode` union type and every class's `code = "…"` literal, in any package) has exactly
 * one row, no row names a code that no longer exists, and each row's HTTP column is what
 * `toChallenge` answers for an error with that code.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as core from "@mcpgate/core";

const root = join(import.meta.dirname, "..");
const page = "docs/troubleshooting.md";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every error code declared in packages/src, with the file that declares it. */
function codesInSource(): Map<string, string> {
  const files = readdirSync(join(root, "packages")).flatMap((pkg) =>
    sourceFiles(join(root, "packages", pkg, "src")),
  );
  const program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const codes = new Map<string, string>();
  const add = (type: ts.Type, file: string): void => {
    for (const member of type.isUnion() ? type.types : [type]) {
      if (member.isStringLiteral() && !codes.has(member.value)) codes.set(member.value, file);
    }
  };
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (source === undefined) continue;
    const where = relative(root, file);
    const visit = (node: ts.Node): void => {
      if (ts.isTypeAliasDeclaration(node) && /ErrorCode$/.test(node.name.text)) {
        add(checker.getTypeAtLocation(node.name), where);
      }
      if (
        ts.isPropertyDeclaration(node) &&
        ts.isClassLike(node.parent) &&
        node.name.getText(source) === "code" &&
        node.initializer !== undefined &&
        ts.isStringLiteralLike(node.initializer)
      ) {
        if (!codes.has(node.initializer.text)) codes.set(node.initializer.text, where);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return codes;
}

/** code → `<status> (\`<body error>\`)` for every McpgateError class @mcpgate/core exports. */
function httpByCode(): Map<string, string> {
  const http = new Map<string, string>();
  for (const value of Object.values(core)) {
    if (typeof value !== "function" || !(value.prototype instanceof core.McpgateError)) continue;
    const ErrorClass = value as unknown as new (...args: unknown[]) => core.McpgateError;
    const error = new ErrorClass("x", 1);
    const { status, body } = core.toChallenge(error);
    http.set(error.code, `${status} (\`${body.error}\`)`);
  }
  return http;
}

/** The rows of the error-code table: first cell `code`, second cell the HTTP column. */
function rowsOfPage(): Map<string, string> {
  const markdown = readFileSync(join(root, page), "utf8");
  const section = markdown.split(/^## /m).find((part) => part.startsWith("Error codes")) ?? "";
  const rows = new Map<string, string>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const code = /^`([a-z_]+)`$/.exec(cells[1] ?? "")?.[1];
    if (code !== undefined) rows.set(code, cells[2] ?? "");
  }
  return rows;
}

describe(page, () => {
  const codes = codesInSource();
  const http = httpByCode();
  const rows = rowsOfPage();

  it("finds the codes it checks (the scan works)", () => {
    expect(codes.get("invalid_key")).toBe("packages/core/src/errors.ts");
    expect(http.get("invalid_key")).toBe("401 (`invalid_key`)");
    expect(rows.size).toBeGreaterThan(10);
  });

  it("has a row for every error code in the source", () => {
    const missing = [...codes].filter(([code]) => !rows.has(code));
    const advice = missing.map(
      ([code, file]) =>
        `  ${code} (declared in ${file}): add to the table under "## Error codes" in ${page}:\n` +
        `  | \`${code}\` | ${http.get(code) ?? "<status> (`<body error>`), or — if it is never an HTTP answer"} | <what it means> | <the fix> |`,
    );
    expect(missing.length, `error codes without a row in ${page}:\n${advice.join("\n")}\n`).toBe(0);
  });

  it("has no row for a code that does not exist", () => {
    const stale = [...rows.keys()].filter((code) => !codes.has(code));
    expect(stale, `rows in ${page} for codes no longer in the source: remove them`).toEqual([]);
  });

  it("gives each code the HTTP answer toChallenge gives it", () => {
    const wrong = [...rows]
      .filter(([code, cell]) => http.has(code) && http.get(code) !== cell)
      .map(
        ([code, cell]) => `${code}: the page says "${cell}", toChallenge gives "${http.get(code)}"`,
      );
    expect(wrong, `fix the HTTP column in ${page}`).toEqual([]);
  });
});
