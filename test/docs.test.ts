/**
 * The docs are tested like code: the secret-scanning patterns in docs/key-format.md are taken from
 * the page itself and run against generated keys and near-misses, and every ```ts block in docs/,
 * the README and the packages' READMEs must type-check against the packages' source.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { generateKey } from "@mcpgate/core";

const root = join(import.meta.dirname, "..");
const docs = [
  "README.md",
  ...readdirSync(join(root, "packages"))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(join(root, f))),
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const read = (file: string) => readFileSync(join(root, file), "utf8");

function fencedBlocks(markdown: string, language: string): string[] {
  const blocks: string[] = [];
  const fence = new RegExp("^([ \\t]*)```" + language + "[^\\n]*\\n([\\s\\S]*?)^\\1```", "gm");
  for (const match of markdown.matchAll(fence)) {
    const indent = match[1] ?? "";
    blocks.push((match[2] ?? "").replace(new RegExp(`^${indent}`, "gm"), ""));
  }
  return blocks;
}

describe("docs/key-format.md: secret-scanning patterns", () => {
  const page = read("docs/key-format.md");
  const gitleaks = /regex = '''(.+?)'''/.exec(page)?.[1] ?? "";
  const github = {
    secret: /secret format `([^`]+)`/.exec(page)?.[1] ?? "",
    before: /before secret\s+`([^`]+)`/.exec(page)?.[1] ?? "",
    after: /after secret `([^`]+)`/.exec(page)?.[1] ?? "",
  };
  // GitHub's \A and \z are Ruby/RE2 anchors; in JavaScript they are ^ and $.
  const githubPattern = new RegExp(
    `(?:${github.before.replace("\\A", "^")})${github.secret}(?:${github.after.replace("\\z", "$")})`,
  );
  const secretlintConfig = JSON.parse(fencedBlocks(page, "json")[0] ?? "{}") as {
    rules: Array<{ options: { patterns: Array<{ patterns: string[] }> } }>;
  };
  const secretlint = /^\/(.+)\/([a-z]*)$/.exec(
    secretlintConfig.rules[0]?.options.patterns[0]?.patterns[0] ?? "",
  );
  const patterns: Array<[string, RegExp]> = [
    ["gitleaks", new RegExp(gitleaks)],
    ["GitHub custom pattern", githubPattern],
    ["secretlint", new RegExp(secretlint?.[1] ?? "^$", secretlint?.[2])],
  ];

  it("the page has the patterns", () => {
    expect(gitleaks).toBe("\\bmgw_[A-Za-z0-9]{32}\\b");
    expect(github.secret).toBe("mgw_[A-Za-z0-9]{32}");
    expect(secretlint?.[1]).toBe("\\bmgw_[A-Za-z0-9]{32}\\b");
  });

  const key = generateKey();
  const contexts = [
    key,
    `"${key}"`,
    `KEY=${key}`,
    `https://h.example/mcp/${key}/x`,
    `Authorization: Bearer ${key}\n`,
    `'${key}',`,
  ];
  const nearMisses = [
    key.slice(0, -1),
    `${key}A`,
    `x${key}`,
    `_${key}`,
    key.replace("mgw_", "MGW_"),
    key.replace("mgw_", "mgw-"),
    `mgw_${"a".repeat(31)}-`,
  ];

  it.each(patterns)("%s finds generated keys in context", (_, pattern) => {
    for (let i = 0; i < 200; i++) expect(pattern.test(`token ${generateKey()} end`)).toBe(true);
    for (const text of contexts) expect(pattern.test(text), text).toBe(true);
  });

  it.each(patterns)("%s ignores near-misses", (_, pattern) => {
    for (const text of nearMisses) expect(pattern.test(text), text).toBe(false);
  });
});

describe("every ```ts block in the docs type-checks", () => {
  it("compiles without errors", () => {
    const outDir = join(root, "node_modules", ".docs-check");
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const files: string[] = [];
    for (const doc of docs) {
      fencedBlocks(read(doc), "ts").forEach((block, index) => {
        const file = join(outDir, `${doc.replace(/[/.]/g, "_")}_${index + 1}.ts`);
        // Each block is its own module, so top-level await and names do not clash between blocks.
        writeFileSync(file, `${block}\nexport {};\n`);
        files.push(file);
      });
    }
    expect(files.length).toBeGreaterThan(0);
    const config = ts.readConfigFile(join(root, "tsconfig.base.json"), ts.sys.readFile)
      .config as object;
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
    const program = ts.createProgram(files, { ...options, noEmit: true, noUnusedLocals: false });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file
        ? `${d.file.fileName.replace(`${outDir}/`, "")}:${(d.file.getLineAndCharacterOfPosition(d.start ?? 0).line ?? 0) + 1}`
        : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(problems).toEqual([]);
  }, 60_000);
});
