/**
 * Runs every self-checking example: `examples/<name>/server.ts` is started, and once it prints its
 * READY line, `examples/<name>/client.ts` runs against it and must exit 0.
 *
 * Convention: the server listens on 127.0.0.1:$PORT (0 = any free port) and prints one line
 * `READY <json>` where json holds at least `url` and whatever keys the client needs. The client
 * reads that JSON from the `EXAMPLE_READY` environment variable (or, run by hand, from argv).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "examples");
const examples = existsSync(root)
  ? readdirSync(root).filter(
      (name) =>
        existsSync(join(root, name, "server.ts")) && existsSync(join(root, name, "client.ts")),
    )
  : [];
const tsx = join(import.meta.dirname, "..", "node_modules", ".bin", "tsx");

function run(file: string, env: Record<string, string>): ChildProcess {
  return spawn(tsx, ["--conditions=source", join(root, file)], {
    cwd: join(root, file.split("/")[0] ?? ""),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function waitForReady(server: ChildProcess, output: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`no READY line:\n${output.join("")}`)), 30_000);
    server.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      output.push(chunk.toString());
      const line = buffer.split("\n").find((l) => l.startsWith("READY "));
      if (line) {
        clearTimeout(timer);
        resolve(line.slice("READY ".length));
      }
    });
    server.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    server.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.join("")}`));
    });
  });
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill("SIGTERM");
});

describe("examples", () => {
  it("there are examples to run", () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  // The v2 SDK examples: node (a v2 client pinned to 2026-07-28), Express (a v2 client in the 2025
  // era), Fastify (an SDK 1.x client), Hono (per-app tools in the factory, 2026-07-28). Listed so
  // that none of them can drop out of this run unnoticed.
  it("the MCP SDK v2 examples are among them", () => {
    expect(examples).toEqual(
      expect.arrayContaining(["mcp-v2-node", "mcp-v2-express", "mcp-v2-fastify", "mcp-v2-hono"]),
    );
  });

  it.each(examples)(
    "%s: the client's checks pass against the server",
    async (name) => {
      const serverOutput: string[] = [];
      const server = run(`${name}/server.ts`, { PORT: "0" });
      running.push(server);
      const ready = await waitForReady(server, serverOutput);

      const client = run(`${name}/client.ts`, { EXAMPLE_READY: ready });
      running.push(client);
      const clientOutput: string[] = [];
      client.stdout?.on("data", (chunk: Buffer) => clientOutput.push(chunk.toString()));
      client.stderr?.on("data", (chunk: Buffer) => clientOutput.push(chunk.toString()));
      const code = await new Promise<number | null>((resolve) => client.on("exit", resolve));
      expect(
        code,
        `client output:\n${clientOutput.join("")}\nserver output:\n${serverOutput.join("")}`,
      ).toBe(0);
    },
    60_000,
  );
});
