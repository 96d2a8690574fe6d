import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const packages = fileURLToPath(new URL("./packages/", import.meta.url));

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript source, so tests need no build. Aliases, not
    // the `source` export condition: a condition would also apply to third-party packages that
    // publish a `source` export of their own (eventsource-parser, under the MCP SDK client).
    alias: [
      { find: /^@mcpgate\/core\/testing$/, replacement: `${packages}core/src/testing/index.ts` },
      { find: /^@mcpgate\/mcp\/v2$/, replacement: `${packages}mcp/src/v2/index.ts` },
      { find: /^@mcpgate\/([a-z-]+)$/, replacement: `${packages}$1/src/index.ts` },
    ],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
