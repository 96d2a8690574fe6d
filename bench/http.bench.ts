/**
 * HTTP adapters against their bare frameworks on 127.0.0.1: each framework bare, with the adapter
 * (cached key), and the adapter's 401 path (an unknown key); a static 401 with no gate; Fastify also
 * against `@fastify/bearer-auth` with a static key. The servers run in a child process (this file),
 * pinned to CPU 0, and the load generator (wrk) on CPU 1.
 */
import { spawn, spawnSync } from "node:child_process";
import os from "node:os";
import { createRequire } from "node:module";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
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
  /** `audited`: a gate over the same store whose `events` bus has one subscriber. */
  start(gate: Gate, key: string, audited: Gate): Promise<Running>;
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
    start: (_gate, _key, audited) =>
      listenNode(withMcpgate(audited, nodeHandler) as RequestListener),
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

/** The child process: every variant's server, on one event loop the load generator does not share. */
async function serveAll(): Promise<void> {
  const store = new MemoryStore();
  const gate = createGate({ store, lastUsed: false, cache: { ttlMs: 3_600_000 } });
  const events = createEventBus();
  events.subscribe(() => {});
  const audited = createGate({ store, lastUsed: false, cache: { ttlMs: 3_600_000 }, events });
  const { key } = await gate.createApp({ name: "bench" });
  // The cached path is what is measured.
  await Promise.all([gate.authenticate(key), audited.authenticate(key)]);
  const only = process.env[SERVER_ONLY]?.split(",").map(Number);
  const chosen = only ? variants.filter((_, i) => only.includes(i)) : variants;
  const servers = await Promise.all(chosen.map((variant) => variant.start(gate, key, audited)));
  const ready: ServersReady = { key, urls: servers.map((server) => server.url) };
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

/**
 * `pnpm bench http`: req/s of every variant and its ratios. With wrk and taskset (Debian: `apt-get
 * install wrk`), the servers run alone on CPU 0 and wrk on CPU 1: a 1 s warm-up, then 4 s measured,
 * variants interleaved, the median of 3 rounds. Without them, autocannon shares the cores (printed
 * as a warning): the ratios then measure the load generator as much as the server.
 */
export async function httpBench(): Promise<void> {
  const pinned = os.availableParallelism() >= 2 && commandExists("wrk") && commandExists("taskset");
  const generator = pinned ? wrkGenerator() : autocannonGenerator();
  if (!pinned) {
    console.warn(
      "\n! pnpm bench http: wrk or taskset missing (or one core): falling back to autocannon, which shares the cores with the server. Install wrk (apt-get install wrk) for trustworthy ratios.",
    );
  }
  const [command, ...args] = [
    ...generator.serverPrefix,
    process.execPath,
    "--import",
    "tsx",
    "--conditions=source",
    fileURLToPath(import.meta.url),
  ];
  const child = spawn(command ?? process.execPath, args, {
    env: { ...process.env, [SERVER_ROLE]: "1" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const samples = variants.map((): Measurement[] => []);
  try {
    const [{ key, urls }] = (await once(child, "message")) as [ServersReady];
    const unknownKey = generateKey();
    const authorizationOf = (variant: Variant) => `Bearer ${variant.unknownKey ? unknownKey : key}`;
    for (const [i, variant] of variants.entries()) {
      await generator.run(urls[i] ?? "", authorizationOf(variant), WARMUP_SECONDS);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, variant] of variants.entries()) {
        samples[i]?.push(
          await generator.run(urls[i] ?? "", authorizationOf(variant), MEASURE_SECONDS),
        );
      }
    }
  } finally {
    child.disconnect();
  }

  const rpsOfIndex = (i: number) => median((samples[i] ?? []).map((m) => m.rps));
  const rpsOf = (framework: string, pick: (v: Variant) => boolean) =>
    rpsOfIndex(variants.findIndex((v) => v.framework === framework && pick(v)));
  const rows = variants.map((variant, i) => {
    const rps = rpsOfIndex(i);
    const bare = rpsOf(variant.framework, (v) => v.bare);
    // A 401 row is compared with the 200 row of the same server.
    const cached = variant.name.startsWith("@fastify/bearer-auth")
      ? rpsOf(variant.framework, (v) => v.name === "@fastify/bearer-auth (static key)")
      : rpsOf(variant.framework, (v) => v.name.includes("cached key"));
    const bearerAuth = rpsOf(variant.framework, (v) => v.name.startsWith("@fastify/bearer-auth"));
    return {
      framework: variant.framework,
      variant: variant.name,
      "req/s (median)": Math.round(rps).toLocaleString("en-US"),
      "× bare": variant.bare ? "1.00 (baseline)" : (rps / bare).toFixed(2),
      "× bearer-auth":
        variant.framework === "fastify 5" && !variant.bare && !variant.unknownKey
          ? (rps / bearerAuth).toFixed(2)
          : "",
      "401 × its 200": variant.unknownKey ? (rps / cached).toFixed(2) : "",
      statuses: samples[i]?.at(-1)?.statuses ?? "",
    };
  });

  console.log(
    `\n## HTTP adapters: ${generator.name}; GET /mcp with a Bearer key; ${WARMUP_SECONDS} s warm-up per variant, then the median of ${ROUNDS} interleaved ${MEASURE_SECONDS} s runs`,
  );
  console.table(rows);
  console.log(
    [
      "× bare: req/s with the gate ÷ the same framework with no auth (1.00 = the gate costs nothing).",
      "× bearer-auth: Fastify with @mcpgate ÷ Fastify with @fastify/bearer-auth (a static string compare).",
      "401 × its 200: rejecting an unknown key ÷ the same server accepting a (cached) key (≥ 1 = a 401 is no dearer than a 200).",
      "the same 401 response, no gate: the cost of writing that 401 at all — the floor for the 401 rows.",
    ].join("\n"),
  );
}
