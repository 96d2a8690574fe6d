/**
 * HTTP adapters against their bare frameworks on 127.0.0.1: each framework bare, with the adapter
 * (cached key), and the adapter's 401 path (an unknown key); a static 401 with no gate; Fastify also
 * against `@fastify/bearer-auth` with a static key. The servers run in a child process (this file),
 * pinned to CPU 0, and the load generator (wrk) on CPU 1.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import os from "node:os";
import { createRequire } from "node:module";
import { once } from "node:events";
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Session } from "node:inspector/promises";
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import bearerAuth from "@fastify/bearer-auth";
import {
  createEventBus,
  createGate,
  generateKey,
  InvalidKeyError,
  MemoryStore,
  type Gate,
} from "@mcpgate/core";
import { mcpgate } from "@mcpgate/express";
import { createRewriteUrl, fastifyMcpgate } from "@mcpgate/fastify";
import { withMcpgate, writeChallenge } from "@mcpgate/node";
import autocannon from "autocannon";
import Fastify, { type FastifyInstance } from "fastify";

// bench/ has express but not @types/express: the little of Express used here, typed locally.
type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
interface ExpressApp extends RequestListener {
  use(handler: Handler): void;
  get(path: string, handler: Handler): void;
}
const express = createRequire(import.meta.url)("express") as () => ExpressApp;

/** The harness of the issue that settled the adapter ratios (both tools count whole seconds). */
const WARMUP_SECONDS = 1;
const MEASURE_SECONDS = Number(process.env.MCPGATE_BENCH_SECONDS) || 4;
const ROUNDS = Number(process.env.MCPGATE_BENCH_ROUNDS) || 3;
const CONNECTIONS = 32;
const BODY = JSON.stringify({ ok: true });

interface Running {
  url: string;
  close(): Promise<void>;
}

export interface Variant {
  framework: string;
  name: string;
  /** The bare framework this variant is compared to. */
  bare: boolean;
  /** `audited`: a gate over the same store whose `events` bus has one subscriber, if any. */
  start(gate: Gate, key: string, audited: Gate | undefined): Promise<Running>;
  /** Send a key that is not valid (the 401 path). */
  unknownKey?: true;
}

async function listenNode(listener: RequestListener): Promise<Running> {
  const server: Server = createServer(listener);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function listenFastify(app: FastifyInstance): Promise<Running> {
  app.get("/mcp", async () => ({ ok: true }));
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url, close: () => app.close() };
}

function expressApp(protect: ReturnType<typeof mcpgate> | undefined): ExpressApp {
  const app = express();
  if (protect) app.use(protect as unknown as Handler);
  app.get("/mcp", (_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(BODY);
  });
  return app;
}

const nodeHandler: RequestListener = (_req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(BODY);
};

export const variants: Variant[] = [
  { framework: "node:http", name: "bare", bare: true, start: () => listenNode(nodeHandler) },
  {
    framework: "node:http",
    name: "withMcpgate (cached key)",
    bare: false,
    start: (gate) => listenNode(withMcpgate(gate, nodeHandler) as RequestListener),
  },
  {
    framework: "node:http",
    name: "withMcpgate (cached key), audit events with 1 subscriber",
    bare: false,
    start: async (_gate, _key, audited) => {
      if (audited === undefined) throw new Error("this tree has no audit events");
      return listenNode(withMcpgate(audited, nodeHandler) as RequestListener);
    },
  },
  {
    // What a 401 costs to write at all: the exact challenge response, with no gate behind it.
    framework: "node:http",
    name: "the same 401 response, no gate",
    bare: false,
    unknownKey: true,
    start: async (gate) => {
      const challenge = gate.challenge(new InvalidKeyError());
      return listenNode((_req, res) => writeChallenge(res, challenge));
    },
  },
  {
    framework: "node:http",
    name: "withMcpgate, 401 (unknown key)",
    bare: false,
    unknownKey: true,
    start: (gate) => listenNode(withMcpgate(gate, nodeHandler) as RequestListener),
  },
  {
    framework: "express 5",
    name: "bare",
    bare: true,
    start: () => listenNode(expressApp(undefined)),
  },
  {
    framework: "express 5",
    name: "mcpgate() (cached key)",
    bare: false,
    start: (gate) => listenNode(expressApp(mcpgate(gate))),
  },
  {
    framework: "express 5",
    name: "mcpgate(), 401 (unknown key)",
    bare: false,
    unknownKey: true,
    start: (gate) => listenNode(expressApp(mcpgate(gate))),
  },
  { framework: "fastify 5", name: "bare", bare: true, start: () => listenFastify(Fastify()) },
  {
    framework: "fastify 5",
    name: "@fastify/bearer-auth (static key)",
    bare: false,
    start: async (_gate, key) => {
      const app = Fastify();
      await app.register(bearerAuth, { keys: new Set([key]) });
      return listenFastify(app);
    },
  },
  {
    framework: "fastify 5",
    name: "@fastify/bearer-auth, 401 (wrong key)",
    bare: false,
    unknownKey: true,
    start: async (_gate, key) => {
      const app = Fastify();
      await app.register(bearerAuth, { keys: new Set([key]) });
      return listenFastify(app);
    },
  },
  {
    framework: "fastify 5",
    name: "fastifyMcpgate (cached key)",
    bare: false,
    start: async (gate) => {
      const app = Fastify({ rewriteUrl: createRewriteUrl(gate) });
      await app.register(fastifyMcpgate, { gate });
      return listenFastify(app);
    },
  },
  {
    framework: "fastify 5",
    name: "fastifyMcpgate, 401 (unknown key)",
    bare: false,
    unknownKey: true,
    start: async (gate) => {
      const app = Fastify({ rewriteUrl: createRewriteUrl(gate) });
      await app.register(fastifyMcpgate, { gate });
      return listenFastify(app);
    },
  },
];

/** One measurement: req/s and the status counts, from wrk or autocannon. */
interface Measurement {
  rps: number;
  statuses: string;
}

/** wrk (C) on its own core when wrk and taskset exist; otherwise autocannon in this process. */
export interface LoadGenerator {
  name: string;
  /** Pins the server child to a core (`taskset -c 0`), or `[]`. */
  serverPrefix: string[];
  run(url: string, authorization: string, seconds: number): Promise<Measurement>;
}

export function commandExists(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * wrk prints non-2xx/3xx counts but not the codes; every variant here answers one status, checked
 * once with fetch before the run, so "non-2xx" is reported with that status.
 */
export function wrkGenerator(): LoadGenerator {
  return {
    name: `wrk on CPU 1, server on CPU 0, ${CONNECTIONS} connections, 1 thread`,
    serverPrefix: ["taskset", "-c", "0"],
    async run(url, authorization, seconds) {
      const output = await new Promise<string>((resolve, reject) => {
        const child = spawn(
          "taskset",
          [
            "-c",
            "1",
            "wrk",
            "-t1",
            `-c${CONNECTIONS}`,
            `-d${seconds}s`,
            "-H",
            `Authorization: ${authorization}`,
            `${url}/mcp`,
          ],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        let text = "";
        child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
        child.once("error", reject);
        child.once("close", (code) =>
          code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}`)),
        );
      });
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
      const errors = /Socket errors:[^\n]*/.exec(output)?.[0];
      const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1];
      const statuses = [non2xx ? `non-2xx×${non2xx}` : "2xx", errors ?? ""].join(" ").trim();
      return { rps, statuses };
    },
  };
}

export function autocannonGenerator(): LoadGenerator {
  return {
    name: `autocannon in the bench process (shares the cores with the server: ratios are rough), ${CONNECTIONS} connections`,
    serverPrefix: [],
    async run(url, authorization, seconds) {
      const options = { url: `${url}/mcp`, connections: CONNECTIONS, headers: { authorization } };
      const result = await autocannon({ ...options, duration: seconds });
      const statuses = Object.entries(result.statusCodeStats ?? {})
        .map(([code, { count }]) => `${code}×${count}`)
        .join(" ");
      return {
        rps: result.requests.average,
        statuses: result.errors > 0 ? `${statuses} errors×${result.errors}` : statuses,
      };
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

export interface ServersReady {
  key: string;
  urls: string[];
}

export const SERVER_ROLE = "MCPGATE_HTTP_BENCH_SERVERS";
/** Comma-separated indices of {@link variants} the server child starts (default: all). */
export const SERVER_ONLY = "MCPGATE_HTTP_BENCH_ONLY";

/** A gate over `store` whose event bus has one subscriber (`undefined` where events don't exist). */
function auditedGate(store: MemoryStore): Gate | undefined {
  try {
    const events = createEventBus();
    events.subscribe(() => {});
    return createGate({ store, lastUsed: false, cache: { ttlMs: 3_600_000 }, events });
  } catch {
    return undefined;
  }
}

/** The child process: every variant's server, on one event loop the load generator does not share. */
async function serveAll(): Promise<void> {
  const store = new MemoryStore();
  const gate = createGate({ store, lastUsed: false, cache: { ttlMs: 3_600_000 } });
  const audited = auditedGate(store);
  const { key } = await gate.createApp({ name: "bench" });
  // The cached path is what is measured.
  await Promise.all([gate.authenticate(key), audited?.authenticate(key)]);
  const only = process.env[SERVER_ONLY]?.split(",").map(Number);
  const chosen = only ? variants.filter((_, i) => only.includes(i)) : variants;
  // Against an older tree (`--against`), a variant its packages cannot start is left out ("").
  const servers = await Promise.all(
    chosen.map((variant) => variant.start(gate, key, audited).catch(() => undefined)),
  );
  const ready: ServersReady = { key, urls: servers.map((server) => server?.url ?? "") };
  process.send?.(ready);
  process.on("message", (message: ProfileCommand) => void profileCommand(message));
  process.once("disconnect", () => process.exit(0));
}

/** `pnpm bench profile`: a CPU profile of the server between two messages (warm-up left out). */
export type ProfileCommand = { profile: "start" } | { profile: "stop"; file: string };
let profiler: Session | undefined;
async function profileCommand(message: ProfileCommand): Promise<void> {
  if (message.profile === "start") {
    profiler = new Session();
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.setSamplingInterval", { interval: 100 });
    await profiler.post("Profiler.start");
  } else if (profiler !== undefined) {
    const { profile } = await profiler.post("Profiler.stop");
    writeFileSync(message.file, JSON.stringify(profile));
    profiler.disconnect();
    process.send?.({ profiled: message.file });
  }
}
if (process.env[SERVER_ROLE] === "1") await serveAll();

/** The servers of one source tree, running in their own child process. */
interface Tree {
  label: string;
  child: ChildProcess;
  ready: ServersReady;
  samples: Measurement[][];
}

async function startTree(label: string, serverFile: string, cwd: string, prefix: string[]) {
  const [command, ...args] = [
    ...prefix,
    process.execPath,
    "--import",
    "tsx",
    "--conditions=source",
    serverFile,
  ];
  const child = spawn(command ?? process.execPath, args, {
    cwd,
    env: { ...process.env, [SERVER_ROLE]: "1" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [ready] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(([code]) => {
      throw new Error(`the ${label} servers exited (${String(code)}) before they were ready`);
    }),
  ])) as [ServersReady];
  return { label, child, ready, samples: variants.map((): Measurement[] => []) } satisfies Tree;
}

const git = (cwd: string, ...args: string[]): string =>
  execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

/**
 * `--against <ref>`: a worktree of `ref` (kept in the temp directory and reused) with its own
 * install, serving this file's variants on that tree's packages: the copy in its `bench/` resolves
 * `@mcpgate/*` to them. A variant its packages cannot start is left out.
 */
function againstTree(ref: string): { serverFile: string; cwd: string; label: string } {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const sha = git(here, "rev-parse", "--verify", `${ref}^{commit}`);
  const cwd = path.join(os.tmpdir(), `mcpgate-bench-${sha.slice(0, 12)}`);
  if (!existsSync(path.join(cwd, "node_modules"))) {
    if (!existsSync(cwd)) git(here, "worktree", "add", "--detach", cwd, sha);
    const install = (...extra: string[]) =>
      spawnSync("pnpm", ["install", "--frozen-lockfile", ...extra], { cwd, stdio: "ignore" });
    if (install("--offline").status !== 0 && install().status !== 0) {
      throw new Error(`pnpm install failed in ${cwd}`);
    }
  }
  const serverFile = path.join(cwd, "bench", ".http-servers.bench.ts");
  copyFileSync(fileURLToPath(import.meta.url), serverFile);
  const short = sha.slice(0, 7);
  return { serverFile, cwd, label: sha.startsWith(ref) ? short : `${ref} (${short})` };
}

/** The value after `--against` on the command line, if any. */
function againstRef(): string | undefined {
  const at = process.argv.indexOf("--against");
  return at === -1 ? undefined : process.argv[at + 1];
}

/**
 * `pnpm bench http`: req/s of every variant and its ratios. With wrk and taskset (Debian: `apt-get
 * install wrk`), the servers run alone on CPU 0 and wrk on CPU 1: a 1 s warm-up, then 4 s measured,
 * variants interleaved, the median of 3 rounds. Without them, autocannon shares the cores (printed
 * as a warning): the ratios then measure the load generator as much as the server.
 * `pnpm bench http --against <git ref>` runs that ref's packages too, interleaved with this tree's
 * (each variant alternately first), and reports both side by side.
 */
export async function httpBench(): Promise<void> {
  const pinned = os.availableParallelism() >= 2 && commandExists("wrk") && commandExists("taskset");
  const generator = pinned ? wrkGenerator() : autocannonGenerator();
  if (!pinned) {
    console.warn(
      "\n! pnpm bench http: wrk or taskset missing (or one core): falling back to autocannon, which shares the cores with the server. Install wrk (apt-get install wrk) for trustworthy ratios.",
    );
  }
  const ref = againstRef();
  const trees: Tree[] = [];
  try {
    const thisFile = fileURLToPath(import.meta.url);
    trees.push(await startTree("this tree", thisFile, process.cwd(), generator.serverPrefix));
    if (ref !== undefined) {
      const { serverFile, cwd, label } = againstTree(ref);
      trees.push(await startTree(label, serverFile, cwd, generator.serverPrefix));
    }
    const unknownKey = generateKey();
    const run = async (tree: Tree, i: number, seconds: number) => {
      const url = tree.ready.urls[i] ?? "";
      if (url === "") return; // a variant this tree cannot serve
      const key = variants[i]?.unknownKey ? unknownKey : tree.ready.key;
      const measured = await generator.run(url, `Bearer ${key}`, seconds);
      if (seconds === MEASURE_SECONDS) tree.samples[i]?.push(measured);
    };
    for (const i of variants.keys()) for (const tree of trees) await run(tree, i, WARMUP_SECONDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const i of variants.keys()) {
        // Each tree goes first every other round: a drift of the machine favours neither.
        const order = (round + i) % 2 === 0 ? trees : [...trees].reverse();
        for (const tree of order) await run(tree, i, MEASURE_SECONDS);
      }
    }
  } finally {
    for (const tree of trees) tree.child.disconnect();
  }

  const [current, against] = trees;
  if (current === undefined) return;
  const rows = variants.flatMap((variant, i) => {
    const ours = rowOf(current, variant, i);
    if (against === undefined) return [ours];
    const theirs = rowOf(against, variant, i);
    const change =
      current.samples[i]?.length && against.samples[i]?.length
        ? (medianRps(current, i) / medianRps(against, i)).toFixed(2)
        : "";
    return [theirs, { ...ours, "this ÷ ref": change }];
  });

  console.log(
    `\n## HTTP adapters: ${generator.name}; GET /mcp with a Bearer key; ${WARMUP_SECONDS} s warm-up per variant, then the median of ${ROUNDS} interleaved ${MEASURE_SECONDS} s runs${against ? `; this tree against ${against.label}` : ""}`,
  );
  console.table(rows);
  console.log(
    [
      "× bare: req/s with the gate ÷ the same framework with no auth, same tree (1.00 = the gate costs nothing).",
      "× bearer-auth: Fastify with @mcpgate ÷ Fastify with @fastify/bearer-auth (a static string compare).",
      "401 × its 200: rejecting an unknown key ÷ the same server accepting a (cached) key (≥ 1 = a 401 is no dearer than a 200).",
      "the same 401 response, no gate: the cost of writing that 401 at all — the floor for the 401 rows.",
      ...(against
        ? ["this ÷ ref: req/s of this tree ÷ the ref's, same variant (> 1 = faster now)."]
        : []),
    ].join("\n"),
  );
}

function medianRps(tree: Tree, i: number): number {
  return median((tree.samples[i] ?? []).map((m) => m.rps));
}

/** One table row: a variant's median req/s in one tree, and its ratios within that tree. */
function rowOf(tree: Tree, variant: Variant, i: number): Record<string, string> {
  const rpsOf = (pick: (v: Variant) => boolean) =>
    medianRps(
      tree,
      variants.findIndex((v) => v.framework === variant.framework && pick(v)),
    );
  const rps = medianRps(tree, i);
  const bare = rpsOf((v) => v.bare);
  // A 401 row is compared with the 200 row of the same server.
  const cached = variant.name.startsWith("@fastify/bearer-auth")
    ? rpsOf((v) => v.name === "@fastify/bearer-auth (static key)")
    : rpsOf((v) => v.name.includes("cached key"));
  const bearerAuth = rpsOf((v) => v.name.startsWith("@fastify/bearer-auth"));
  const measured = (tree.samples[i]?.length ?? 0) > 0;
  return {
    tree: tree.label,
    framework: variant.framework,
    variant: variant.name,
    "req/s (median)": measured ? Math.round(rps).toLocaleString("en-US") : "n/a",
    "× bare": !measured ? "" : variant.bare ? "1.00 (baseline)" : (rps / bare).toFixed(2),
    "× bearer-auth":
      measured && variant.framework === "fastify 5" && !variant.bare && !variant.unknownKey
        ? (rps / bearerAuth).toFixed(2)
        : "",
    "401 × its 200": measured && variant.unknownKey ? (rps / cached).toFixed(2) : "",
    statuses: tree.samples[i]?.at(-1)?.statuses ?? "",
  };
}
