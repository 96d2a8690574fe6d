#!/usr/bin/env node
// Installs the packages as a user does: for each documented install line, a fresh npm project in a
// temp dir installs the PACKED tarballs (`pnpm pack`, so publishConfig applies and workspace:
// ranges are rewritten) plus the documented peers from the npm registry, then
//   - `tsc --noEmit` with `skipLibCheck: false` over an ESM (.mts) and a CJS (.cts) file that import
//     the packages, so the published declarations compile with only the documented peers;
//   - runs the same imports with node, ESM and CJS (`require("@mcpgate/core/testing")` must fail
//     with ERR_PACKAGE_PATH_NOT_EXPORTED: that subpath is ESM-only on purpose);
//   - runs the CLI's bin.
// Run after `pnpm build`. One shared npm cache (MCPGATE_NPM_CACHE, default ~/.cache/mcpgate-npm)
// keeps repeated runs to about a minute. Usage: node .ci/packed-install.mjs [line-name…]
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const root = join(import.meta.dirname, "..");
const cache = process.env.MCPGATE_NPM_CACHE ?? join(homedir(), ".cache", "mcpgate-npm");
const typescript = "typescript@5.9.3";
const nodeTypes = "@types/node@22";

/**
 * The documented install lines (README, docs/, packages' READMEs), each with the code a user of it
 * writes. `esm`/`cjs` are the bodies of index.mts / index.cts; both are type-checked and run.
 */
const lines = [
  {
    name: "core",
    install: ["@mcpgate/core"],
    esm: `import { MemoryStore, createGate, isMcpgateError } from "@mcpgate/core";
const gate = createGate({ store: new MemoryStore() });
const { key } = await gate.createApp({ name: "a", tools: [] });
if ((await gate.authenticate(key)).name !== "a") throw new Error("authenticate");
console.log("core esm ok", isMcpgateError(new Error()));`,
    cjs: `import { MemoryStore, createGate } from "@mcpgate/core";
createGate({ store: new MemoryStore() });
let testing: unknown;
try {
  testing = require("@mcpgate/core/testing");
} catch (error) {
  if ((error as { code?: string }).code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw error;
}
if (testing !== undefined) throw new Error("@mcpgate/core/testing must not load from CommonJS");
console.log("core cjs ok");`,
  },
  {
    name: "core-testing",
    install: ["@mcpgate/core", "vitest@4"],
    // The conformance suite runs inside vitest: only type-checked here (and imported under vitest in the repo).
    esm: `import { MemoryStore } from "@mcpgate/core";
import { runStoreConformance } from "@mcpgate/core/testing";
export const run = (): void => runStoreConformance(() => new MemoryStore(), { name: "memory" });`,
    run: false,
  },
  {
    // SDK 1.x only: nothing of the v2 SDK installed.
    name: "mcp",
    install: ["@mcpgate/core", "@mcpgate/mcp", "@modelcontextprotocol/sdk", "zod"],
    esm: `import { MemoryStore, createGate } from "@mcpgate/core";
import { createMcpEndpoint, createMcpHandler } from "@mcpgate/mcp";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
const gate = createGate({ store: new MemoryStore() });
createMcpEndpoint({ gate, mode: "stateless", server: () => new McpServer({ name: "s", version: "1" }) });
if (createMcpHandler !== createMcpEndpoint) throw new Error("the deprecated alias is gone");
console.log("mcp esm ok");`,
    cjs: `import { MemoryStore, createGate } from "@mcpgate/core";
import { createMcpEndpoint } from "@mcpgate/mcp";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
const gate = createGate({ store: new MemoryStore() });
createMcpEndpoint({ gate, mode: "stateless", server: () => new McpServer({ name: "s", version: "1" }) });
console.log("mcp cjs ok");`,
  },
  {
    // SDK v2 only: `@mcpgate/mcp/v2` must load and type-check without the 1.x SDK.
    name: "mcp-v2",
    install: ["@mcpgate/core", "@mcpgate/mcp", "@modelcontextprotocol/server", "zod"],
    esm: `import { MemoryStore, createGate } from "@mcpgate/core";
import { createMcpEndpoint } from "@mcpgate/mcp/v2";
import { McpServer } from "@modelcontextprotocol/server";
const gate = createGate({ store: new MemoryStore() });
const endpoint = createMcpEndpoint({ gate, server: () => new McpServer({ name: "s", version: "1" }) });
const response = await endpoint.fetch(new Request("http://localhost/mcp", { method: "POST" }));
if (response.status !== 401) throw new Error(\`expected 401, got \${response.status}\`);
await endpoint.close();
console.log("mcp-v2 esm ok");`,
    cjs: `import { MemoryStore, createGate } from "@mcpgate/core";
import { createMcpEndpoint } from "@mcpgate/mcp/v2";
import { McpServer } from "@modelcontextprotocol/server";
const gate = createGate({ store: new MemoryStore() });
const endpoint = createMcpEndpoint({ gate, server: () => new McpServer({ name: "s", version: "1" }) });
void endpoint.close();
console.log("mcp-v2 cjs ok");`,
  },
  {
    name: "express",
    install: ["@mcpgate/core", "@mcpgate/express", "express", "@types/express"],
    esm: `import { MemoryStore, createGate } from "@mcpgate/core";
import { mcpgate } from "@mcpgate/express";
import express from "express";
const app = express();
app.use("/mcp", mcpgate(createGate({ store: new MemoryStore() })), (req, res) => {
  res.json({ name: req.mcpgate?.name, clientId: req.auth?.clientId });
});
console.log("express esm ok");`,
    cjs: `import { MemoryStore, createGate } from "@mcpgate/core";
import { mcpgate } from "@mcpgate/express";
import express = require("express");
const app = express();
app.use("/mcp", mcpgate(createGate({ store: new MemoryStore() })));
console.log("express cjs ok");`,
  },
  {
    name: "fastify",
    install: ["@mcpgate/core", "@mcpgate/fastify", "fastify"],
    esm: `import { MemoryStore, createGate } from "@mcpgate/core";
import { createRewriteUrl, fastifyMcpgate, serializeRequest } from "@mcpgate/fastify";
import Fastify from "fastify";
const gate = createGate({ store: new MemoryStore() });
const app = Fastify({ rewriteUrl: createRewriteUrl(gate), logger: { serializers: { req: serializeRequest } } });
await app.register(fastifyMcpgate, { gate });
app.post("/mcp", async (request) => ({ hello: request.mcpgate?.name }));
await app.ready();
await app.close();
console.log("fastify esm ok");`,
    cjs: `import { MemoryStore, createGate } from "@mcpgate/core";
import { fastifyMcpgate } from "@mcpgate/fastify";
import Fastify from "fastify";
const app = Fastify();
void app.register(fastifyMcpgate, { gate: createGate({ store: new MemoryStore() }) });
void app.ready().then(() => app.close()).then(() => console.log("fastify cjs ok"));`,
  },
  {
    name: "node",
    install: ["@mcpgate/core", "@mcpgate/node"],
    esm: `import { createServer } from "node:http";
import { MemoryStore, createGate } from "@mcpgate/core";
import { withMcpgate } from "@mcpgate/node";
const gate = createGate({ store: new MemoryStore() });
createServer(withMcpgate(gate, (req, res) => void res.end(req.mcpgate.name)));
console.log("node esm ok");`,
    cjs: `import { MemoryStore, createGate } from "@mcpgate/core";
import { withMcpgate } from "@mcpgate/node";
withMcpgate(createGate({ store: new MemoryStore() }), (_req, res) => void res.end());
console.log("node cjs ok");`,
  },
  {
    name: "store-postgres (pg)",
    install: ["@mcpgate/store-postgres", "pg"],
    esm: `import { createGate } from "@mcpgate/core";
import { createPostgresStore, SCHEMA_VERSION } from "@mcpgate/store-postgres";
export const open = async (url: string) => createGate({ store: await createPostgresStore({ connectionString: url }) });
console.log("store-postgres (pg) esm ok", SCHEMA_VERSION);`,
    cjs: `import { createPostgresStore } from "@mcpgate/store-postgres";
export const open = (url: string) => createPostgresStore({ connectionString: url, changeFeed: false });
console.log("store-postgres (pg) cjs ok");`,
  },
  {
    name: "store-postgres (pg, own Pool, @types/pg)",
    install: ["@mcpgate/store-postgres", "pg", "@types/pg"],
    // A real pg.Pool must satisfy the structural option type.
    esm: `import { createPostgresStore } from "@mcpgate/store-postgres";
import pg from "pg";
export const open = () => createPostgresStore({ pool: new pg.Pool({ max: 3 }) });
console.log("store-postgres (own Pool) esm ok");`,
    cjs: `import { createPostgresStore } from "@mcpgate/store-postgres";
import { Pool } from "pg";
export const open = () => createPostgresStore({ pool: new Pool({ max: 3 }) });
console.log("store-postgres (own Pool) cjs ok");`,
  },
  {
    name: "store-postgres (PGlite)",
    install: ["@mcpgate/store-postgres", "@electric-sql/pglite"],
    esm: `import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createGate } from "@mcpgate/core";
import { createPGliteStore } from "@mcpgate/store-postgres";
const store = await createPGliteStore({ dataDir: join(mkdtempSync(join(tmpdir(), "pglite-")), "db") });
const gate = createGate({ store });
const { key } = await gate.createApp({ name: "p", tools: [] });
if ((await gate.authenticate(key)).name !== "p") throw new Error("authenticate");
await gate.close();
await store.close();
console.log("store-postgres (PGlite) esm ok");`,
    cjs: `import { createPGliteStore } from "@mcpgate/store-postgres";
export const open = (dataDir: string) => createPGliteStore({ dataDir });
console.log("store-postgres (PGlite) cjs ok");`,
  },
  {
    // Your own PGlite instance: PGlite's declarations need @types/emscripten (PGlite lists it only
    // as a devDependency), whatever @mcpgate does; docs/troubleshooting.md says so.
    name: "store-postgres (PGlite, own instance)",
    install: ["@mcpgate/store-postgres", "@electric-sql/pglite", "@types/emscripten"],
    types: ["node", "emscripten"],
    esm: `import { PGlite } from "@electric-sql/pglite";
import { createPGliteStore } from "@mcpgate/store-postgres";
export const open = async () => createPGliteStore({ pglite: await PGlite.create(), changeFeed: false });
console.log("store-postgres (PGlite, own instance) esm ok");`,
  },
  {
    name: "cli",
    install: ["@mcpgate/cli"],
    bin: ["mcpgate", "--help"],
  },
];

const run = promisify(execFile);
const env = {
  ...process.env,
  npm_config_cache: cache,
  npm_config_fund: "false",
  npm_config_audit: "false",
  npm_config_update_notifier: "false",
};

async function sh(command, args, cwd) {
  return (await run(command, args, { cwd, env, encoding: "utf8", maxBuffer: 1 << 26 })).stdout;
}

async function packAll(into) {
  const tarballs = {};
  for (const dir of readdirSync(join(root, "packages"))) {
    const out = await sh(
      "pnpm",
      ["pack", "--pack-destination", into, "--json"],
      join(root, "packages", dir),
    );
    const { name, filename } = JSON.parse(out);
    tarballs[name] = filename;
  }
  return tarballs;
}

const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);

/** One fresh project for one install line; resolves a log line, throws with the output on failure. */
async function check(line, tarballs, work) {
  const dir = join(work, line.name.replace(/[^a-z0-9]+/gi, "-"));
  mkdirSync(dir);
  // @mcpgate packages come from their tarballs, also as dependencies of one another (overrides;
  // `$name` for direct ones, as npm requires), never from the registry.
  const ours = line.install.filter((spec) => spec in tarballs);
  const dependencies = Object.fromEntries(ours.map((n) => [n, `file:${tarballs[n]}`]));
  const overrides = Object.fromEntries(
    Object.entries(tarballs).map(([n, f]) => [n, ours.includes(n) ? `$${n}` : `file:${f}`]),
  );
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "user-project", private: true, dependencies, overrides }, null, 2),
  );
  const specs = line.install.filter((spec) => !(spec in tarballs));
  const times = [];
  let t = Date.now();
  await sh(
    "npm",
    ["install", "--prefer-offline", "--no-package-lock", ...specs, typescript, nodeTypes],
    dir,
  );
  times.push(`install ${seconds(t)} s`);
  const output = [];
  const files = [];
  if (line.esm !== undefined) {
    writeFileSync(join(dir, "index.mts"), `${line.esm}\n`);
    files.push("index.mts");
  }
  if (line.cjs !== undefined) {
    writeFileSync(join(dir, "index.cts"), `${line.cjs}\n`);
    files.push("index.cts");
  }
  if (files.length > 0) {
    const compilerOptions = {
      target: "ES2022",
      module: "nodenext",
      moduleResolution: "nodenext",
      strict: true,
      skipLibCheck: false,
      types: line.types ?? ["node"],
      outDir: "out",
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files }));
    t = Date.now();
    await sh("node", ["node_modules/typescript/bin/tsc", "-p", "."], dir);
    times.push(`tsc ${seconds(t)} s`);
    if (line.run !== false) {
      t = Date.now();
      for (const file of files) {
        const js = join("out", file.replace(/\.mts$/, ".mjs").replace(/\.cts$/, ".cjs"));
        output.push((await sh("node", [js], dir)).trim());
      }
      times.push(`run ${seconds(t)} s`);
    }
  }
  if (line.bin !== undefined) {
    await sh("node", [join("node_modules", ".bin", line.bin[0]), ...line.bin.slice(1)], dir);
    times.push("bin ok");
  }
  return `ok   ${line.name}: npm install ${line.install.join(" ")} (${times.join(", ")})${output.map((o) => `\n       ${o}`).join("")}`;
}

const wanted = process.argv.slice(2);
const selected = lines.filter((l) => wanted.length === 0 || wanted.includes(l.name));
const concurrency = Number(process.env.MCPGATE_PACKED_CONCURRENCY ?? 2);
const work = mkdtempSync(join(tmpdir(), "mcpgate-packed-"));
const started = Date.now();
let failed = 0;
try {
  mkdirSync(cache, { recursive: true });
  const tarballs = await packAll(join(work, "tarballs"));
  const queue = [...selected];
  const worker = async () => {
    for (let line = queue.shift(); line !== undefined; line = queue.shift()) {
      try {
        console.log(await check(line, tarballs, work));
      } catch (error) {
        failed++;
        console.log(`FAIL ${line.name}: npm install ${line.install.join(" ")}`);
        console.log(String(error.stdout ?? "") + String(error.stderr ?? error.message));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `packed install: ${failed === 0 ? `all ${selected.length} lines ok` : `${failed} of ${selected.length} failed`} in ${seconds(started)} s`,
);
process.exit(failed === 0 ? 0 : 1);
