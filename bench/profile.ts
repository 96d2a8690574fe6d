/**
 * `pnpm bench profile <node|express|fastify|bearer-auth> [401] [bare] [audited]`: one server of the HTTP bench
 * under load, CPU-profiled through the inspector after a warm-up (what `node --cpu-prof` records,
 * without start-up), then where its CPU time went, by self time and by the package
 * the code belongs to. The profile file is kept (open it in Chrome DevTools → Performance) and the
 * summary printed here answers the first question: how much of a request is @mcpgate's code.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateKey } from "@mcpgate/core";
import {
  autocannonGenerator,
  commandExists,
  SERVER_ONLY,
  SERVER_ROLE,
  variants,
  wrkGenerator,
  type ProfileCommand,
  type ServersReady,
  type Variant,
} from "./http.bench.js";

const SECONDS = Number(process.env.MCPGATE_BENCH_SECONDS) || 5;
const FRAMEWORKS: Record<string, string> = {
  node: "node:http",
  express: "express 5",
  fastify: "fastify 5",
  "bearer-auth": "fastify 5",
};

/**
 * The variant named by the command line: adapter, `401` for the unknown-key path, `bare`, and
 * `audited` for the gate whose event bus has a subscriber (node only).
 */
function chooseVariant(args: string[]): number {
  const adapter = args.find((a) => a in FRAMEWORKS) ?? "node";
  const unknown = args.includes("401");
  const bare = args.includes("bare");
  const audited = args.includes("audited");
  const matches = (v: Variant) =>
    v.framework === FRAMEWORKS[adapter] &&
    v.bare === bare &&
    (v.unknownKey ?? false) === unknown &&
    (bare || (adapter === "bearer-auth") === v.name.startsWith("@fastify/bearer-auth")) &&
    v.name.includes("audit events") === audited &&
    !v.name.includes("no gate");
  const index = variants.findIndex(matches);
  if (index === -1) throw new Error(`no bench variant for ${args.join(" ")}`);
  return index;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Who owns a frame: `@mcpgate/<pkg>`, an npm package, `node:` internals, or V8's pseudo-frames. */
function originOf(url: string, name: string): string {
  const ours = /\/packages\/([\w-]+)\/src\//.exec(url);
  if (ours) return `@mcpgate/${ours[1]}`;
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(
    url,
  );
  if (dependency) return dependency[1] ?? "npm";
  if (url.startsWith("node:")) return "node internals";
  if (url === "") return name.startsWith("(") ? name : "native / V8 builtins";
  return "other";
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(packages\/[\w-]+\/src\/|node_modules\/)/, "$1");
  // tsx's transform leaves every @mcpgate frame on line 1: the name and file say more then.
  const line = lineNumber > 0 ? `:${lineNumber + 1}` : "";
  return `${functionName || "(anonymous)"} ${file ? `${file.split("/").slice(-2).join("/")}${line}` : ""}`.trim();
}

/** Self time per frame and per origin, and inclusive time of @mcpgate frames, in ms. */
export function summarise(profile: CpuProfile, top = 25): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const origins = new Map<string, number>();
  const inclusive = new Map<string, number>();
  // The profiler's own work (serialising the profile when it stops) is not the server's.
  const profiler = new Set<number>();
  for (const node of profile.nodes) {
    let at: number | undefined = node.id;
    while (at !== undefined && byId.get(at)?.callFrame.functionName !== "profileCommand")
      at = parent.get(at);
    if (at !== undefined) profiler.add(node.id);
  }
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node || node.callFrame.functionName === "(idle)" || profiler.has(id)) return;
    busy += ms;
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + ms);
    const origin = originOf(node.callFrame.url, node.callFrame.functionName);
    origins.set(origin, (origins.get(origin) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame || !originOf(frame.callFrame.url, "").startsWith("@mcpgate/")) continue;
      const key = frameName(frame);
      if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
      seen.add(key);
    }
  });
  const rows = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({
        name,
        ms: Math.round(ms),
        "% of busy": ((100 * ms) / busy).toFixed(1),
      }));
  console.log(`\nbusy (not idle) CPU time: ${Math.round(busy)} ms`);
  console.log("\n## self time by origin");
  console.table(rows(origins, 15));
  console.log(`\n## top ${top} frames by self time`);
  console.table(rows(self, top));
  console.log("\n## @mcpgate frames by inclusive time (their callees included)");
  console.table(rows(inclusive, 15));
}

/** Runs one variant's server with `--cpu-prof` under load and summarises the profile. */
export async function profileBench(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== "profile");
  if (args[0]?.endsWith(".cpuprofile")) {
    summarise(JSON.parse(readFileSync(args[0], "utf8")) as CpuProfile);
    return;
  }
  const index = chooseVariant(args);
  const variant = variants[index] as Variant;
  const pinned = os.availableParallelism() >= 2 && commandExists("wrk") && commandExists("taskset");
  const generator = pinned ? wrkGenerator() : autocannonGenerator();
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcpgate-profile-"));
  const httpBench = fileURLToPath(new URL("./http.bench.ts", import.meta.url));
  const [command, ...rest] = [
    ...generator.serverPrefix,
    process.execPath,
    "--import",
    "tsx",
    "--conditions=source",
    httpBench,
  ];
  const child = spawn(command ?? process.execPath, rest, {
    env: { ...process.env, [SERVER_ROLE]: "1", [SERVER_ONLY]: String(index) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [{ key, urls }] = (await once(child, "message")) as [ServersReady];
  const authorization = `Bearer ${variant.unknownKey ? generateKey() : key}`;
  await generator.run(urls[0] ?? "", authorization, 1); // warm-up, not profiled
  child.send({ profile: "start" } satisfies ProfileCommand);
  const measured = await generator.run(urls[0] ?? "", authorization, SECONDS);
  const file = `${variant.framework}-${variant.name}.cpuprofile`.replace(/[^\w.-]+/g, "-");
  child.send({ profile: "stop", file: path.join(dir, file) } satisfies ProfileCommand);
  await once(child, "message");
  child.disconnect();
  console.log(
    `\n# ${variant.framework} — ${variant.name}: ${Math.round(measured.rps).toLocaleString("en-US")} req/s (${measured.statuses}) while profiled, ${generator.name}, ${SECONDS} s`,
  );
  console.log(`profile: ${path.join(dir, file)} (summarise again: pnpm bench profile <file>)`);
  summarise(JSON.parse(readFileSync(path.join(dir, file), "utf8")) as CpuProfile);
}
