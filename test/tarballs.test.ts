/**
 * Pins what each package publishes: the file list of `pnpm pack` (what `pnpm publish` and
 * `changeset publish` upload, with `publishConfig` applied). A new or missing file, TypeScript
 * sources, or a `source` condition in the published exports is then a reviewed change, not an
 * accident. Needs `pnpm build` first: without dist/ it is skipped locally and fails in CI
 * (`MCPGATE_REQUIRE_DIST=1`, set by .ci/run). After an intended change:
 * `pnpm build && pnpm vitest run test/tarballs.test.ts -u`.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const packages = readdirSync(join(root, "packages")).sort();
const built = packages.every((name) => existsSync(join(root, "packages", name, "dist")));
const required = process.env.MCPGATE_REQUIRE_DIST === "1";

interface PackResult {
  name: string;
  files: Array<{ path: string }>;
}

async function packedFiles(name: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)("pnpm", ["pack", "--dry-run", "--json"], {
    cwd: join(root, "packages", name),
  });
  const result = JSON.parse(stdout) as PackResult;
  // Chunk names carry a content hash (shared declaration chunks: `<module>-<hash>.d.ts`); the pin
  // is about which kinds of files ship.
  const paths = result.files.map((file) =>
    file.path
      .replace(/chunk-[A-Za-z0-9_-]{8}\./, "chunk-*.")
      .replace(/^(dist\/[a-z-]+)-[A-Za-z0-9_-]{8}(\.d\.c?ts)$/, "$1-*$2"),
  );
  return [...new Set(paths)].sort();
}

describe("published exports", () => {
  it.each(packages)(
    "%s: publishConfig.exports has no source condition and no src/ path",
    (name) => {
      const manifest = JSON.parse(
        readFileSync(join(root, "packages", name, "package.json"), "utf8"),
      ) as {
        exports: Record<string, unknown>;
        publishConfig?: { exports?: Record<string, unknown> };
      };
      const published = JSON.stringify(manifest.publishConfig?.exports ?? manifest.exports);
      expect(published).not.toMatch(/"source"|\.\/src\//);
      // Same entry points in the workspace and in the tarball, only without `source`.
      expect(Object.keys(manifest.publishConfig?.exports ?? {})).toEqual(
        Object.keys(manifest.exports),
      );
    },
  );
});

// Skipped only in a workspace that was never built (tests resolve to source and need no build);
// CI builds first and sets MCPGATE_REQUIRE_DIST=1, so there it always runs and fails without dist/.
describe.skipIf(!built && !required)("published tarballs (pnpm pack)", () => {
  it("dist/ exists (run `pnpm build` first)", () => {
    expect(built, "a package has no dist/: run `pnpm build` before this test").toBe(true);
  });

  it("each tarball ships exactly the pinned files", async () => {
    const lists = await Promise.all(packages.map(packedFiles));
    const lines = packages.flatMap((name, i) => (lists[i] ?? []).map((file) => `${name}: ${file}`));
    await expect(`${lines.join("\n")}\n`).toMatchFileSnapshot("./__snapshots__/tarball-files.txt");
    expect(lines.filter((line) => /: src\/|\.ts$(?<!\.d\.ts)/.test(line))).toEqual([]);
    for (const name of packages) expect(lines).toContain(`${name}: README.md`);
  }, 120_000);

  /**
   * Optional peers an entry point requires: whoever imports `@mcpgate/mcp` has the 1.x SDK, whoever
   * imports `@mcpgate/mcp/v2` has the v2 one, and neither needs the other.
   */
  const entryPeers = (name: string, file: string): string[] => {
    if (name !== "mcp") return [];
    return file.startsWith("v2/")
      ? ["@modelcontextprotocol/server"]
      : ["@modelcontextprotocol/sdk"];
  };

  it.each(packages)(
    "%s: declarations import only node:, @mcpgate/* and required peers (no zod, pg or PGlite)",
    (name) => {
      const dir = join(root, "packages", name);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        peerDependencies?: Record<string, string>;
        peerDependenciesMeta?: Record<string, { optional?: boolean }>;
      };
      // What a user is guaranteed to have installed when they use the package as documented.
      const required = Object.keys(manifest.peerDependencies ?? {}).filter(
        (peer) => manifest.peerDependenciesMeta?.[peer]?.optional !== true,
      );
      const allowed = (file: string, specifier: string): boolean =>
        specifier.startsWith(".") ||
        specifier.startsWith("node:") ||
        specifier.startsWith("@mcpgate/") ||
        [...required, ...entryPeers(name, file)].some(
          (peer) => specifier === peer || specifier.startsWith(`${peer}/`),
        );
      const declarations = readdirSync(join(dir, "dist"), { recursive: true, encoding: "utf8" })
        .filter((file) => /\.d\.c?ts$/.test(file))
        .filter((file) => !file.startsWith("testing/")); // ./testing runs under vitest (its peer)
      expect(declarations.length).toBeGreaterThan(0);
      const imports = declarations.flatMap((file) =>
        [
          ...readFileSync(join(dir, "dist", file), "utf8")
            .replace(/\/\*[\s\S]*?\*\//g, "") // TSDoc examples import things; they are not imports
            .matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g),
        ].map((match) => `${file}: ${match[1]}`),
      );
      expect(
        imports.filter((entry) => {
          const [file = "", specifier = ""] = entry.split(": ");
          return !allowed(file, specifier);
        }),
      ).toEqual([]);
    },
  );
});
