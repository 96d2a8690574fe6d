/**
 * HTTP adapters against their bare frameworks, with autocannon on 127.0.0.1: each framework bare,
 * with the adapter (cached key), and the adapter's 401 path (an unknown key); Fastify also against
 * `@fastify/bearer-auth` with a static key. The servers run in a child process (this file, forked),
 * autocannon in this one.
 */
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { once } from "node:events";
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
import { createGate, generateKey, InvalidKeyError, MemoryStore, type Gate } from "@mcpgate/core";
import { mcpgate } from "@mcpgate/express";
import { createRewriteUrl, fastifyMcpgate } from "@mcpgate/fastify";
import { withMcpgate, writeChallenge } from "@mcpgate/node";
import autocannon from "autocannon";
import Fastify, { type FastifyInstance } from "fastify";

/** autocannon counts duration in whole seconds. The first round also warms JIT and caches. */
// bench/ has express but not @types/express: the little of Express used here, typed locally.
type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
interface ExpressApp extends RequestListener {
  use(handler: Handler): void;
  get(path: string, handler: Handler): void;
}
const express = createRequire(import.meta.url)("express") as () => ExpressApp;

const DURATION_SECONDS = 1;
const ROUNDS = 4;
const CONNECTIONS = 50;
const BODY = JSON.stringify({ ok: true });

interface Running {
  url: string;
  close(): Promise<void>;
}

interface Variant {
  framework: string;
  name: string;
  /** The bare framework this variant is compared to. */
  bare: boolean;
  start(gate: Gate, key: string): Promise<Running>;
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

const variants: Variant[] = [
  { framework: "node:http", name: "bare", bare: true, start: () => listenNode(nodeHandler) },
  {
    framework: "node:http",
    name: "withMcpgate (cached key)",
    bare: false,
    start: (gate) => listenNode(withMcpgate(gate, nodeHandler) as RequestListener),
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

/** Runs autocannon against one server; returns mean req/s and the status counts. */
async function load(
  url: string,
  authorization: string,
): Promise<{ rps: number; statuses: string }> {
  const options = { url: `${url}/mcp`, connections: CONNECTIONS, headers: { authorization } };
  const result = await autocannon({ ...options, duration: DURATION_SECONDS });
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([code, { count }]) => `${code}×${count}`)
    .join(" ");
  return {
    rps: result.requests.average,
    statuses: result.errors > 0 ? `${statuses} errors×${result.errors}` : statuses,
  };
}

interface ServersReady {
  key: string;
  urls: string[];
}

const SERVER_ROLE = "MCPGATE_HTTP_BENCH_SERVERS";

/** The child process: every variant's server, on one event loop the load generator does not share. */
async function serveAll(): Promise<void> {
  const gate = createGate({
    store: new MemoryStore(),
    lastUsed: false,
    cache: { ttlMs: 3_600_000 },
  });
  const { key } = await gate.createApp({ name: "bench" });
  await gate.authenticate(key); // the cached path is what is measured
  const servers = await Promise.all(variants.map((variant) => variant.start(gate, key)));
  const ready: ServersReady = { key, urls: servers.map((server) => server.url) };
  process.send?.(ready);
  process.once("disconnect", () => process.exit(0));
}
if (process.env[SERVER_ROLE] === "1") await serveAll();

/** `pnpm bench http`: the table of req/s and ratios to each bare framework. */
export async function httpBench(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), {
    env: { ...process.env, [SERVER_ROLE]: "1" },
    execArgv: ["--import", "tsx", "--conditions=source"],
  });
  const best = variants.map(() => ({ rps: 0, statuses: "" }));
  try {
    const [{ key, urls }] = (await once(child, "message")) as [ServersReady];
    const unknownKey = generateKey();
    // Interleaved rounds, best round kept: on a shared machine, noise only ever lowers req/s.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, variant] of variants.entries()) {
        const authorization = `Bearer ${variant.unknownKey ? unknownKey : key}`;
        const result = await load(urls[i] ?? "", authorization);
        if (result.rps > (best[i]?.rps ?? 0)) best[i] = result;
      }
    }
  } finally {
    child.disconnect();
  }

  const rpsOf = (framework: string, pick: (v: Variant) => boolean) =>
    best[variants.findIndex((v) => v.framework === framework && pick(v))]?.rps ?? NaN;
  const rows = variants.map((variant, i) => {
    const { rps, statuses } = best[i] ?? { rps: NaN, statuses: "" };
    const bare = rpsOf(variant.framework, (v) => v.bare);
    const cached = rpsOf(variant.framework, (v) => v.name.includes("cached key"));
    return {
      framework: variant.framework,
      variant: variant.name,
      "req/s": Math.round(rps).toLocaleString("en-US"),
      "× bare": variant.bare ? "1.00 (baseline)" : (rps / bare).toFixed(2),
      "× cached 200": variant.unknownKey ? (rps / cached).toFixed(2) : "",
      statuses,
    };
  });

  console.log(
    `\n## HTTP adapters: autocannon, ${CONNECTIONS} connections, best of ${ROUNDS} interleaved ${DURATION_SECONDS} s runs per row, GET /mcp with a Bearer key, servers in a child process`,
  );
  console.table(rows);
}
