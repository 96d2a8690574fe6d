/**
 * #10.10: what real MCP clients print when the key is wrong or was regenerated. The clients are
 * installed once by .ci/mcp-clients.sh (pinned versions, cached); MCP Inspector's CLI needs
 * Node >= 22 and runs on the Node 24 that `npx -p node@24` caches.
 *
 * Known: without a TTY the Inspector CLI answers any 401 with "Interactive OAuth requires a TTY"
 * before asking the server anything more; no server can change that. With a TTY (here through
 * `script`), with `--stored-auth-only`, and in mcp-remote, the user reads what the server sent.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type Harness } from "./helpers.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../", import.meta.url));
const REGENERATED = /missing, invalid or regenerated|unknown, mistyped or was regenerated/;

/** Runs a client to completion (they exit on their own), returning everything it printed. */
async function output(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout, stderr } = await run(file, args, {
      timeout: 30_000,
      env: { ...process.env, ...env },
      cwd: tmpdir(),
    });
    return stdout + stderr;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return `${failed.stdout ?? ""}${failed.stderr ?? ""}`;
  }
}

describe("real MCP clients", () => {
  let h: Harness;
  let clients: string;
  let node24: string;
  let url: { current: string; regenerated: string };
  const home = mkdtempSync(path.join(tmpdir(), "mcpgate-clients-"));
  const env = { MCP_REMOTE_CONFIG_DIR: home, MCP_INSPECTOR_SECRET_STORE: "memory", HOME: home };

  beforeAll(async () => {
    const installed = await run("bash", [path.join(root, ".ci/mcp-clients.sh")], {
      timeout: 240_000,
    });
    clients = path.join(installed.stdout.trim(), "node_modules");
    if (Number(process.versions.node.split(".")[0]) >= 22) {
      node24 = process.execPath; // the suite itself runs on Node >= 22 (CI's Node 24 run)
    } else {
      // Without the npm_config_* variables of an enclosing `npx -c` / `pnpm` run: a nested npx
      // reads them (`npm_config_call` makes it refuse the command line).
      const clean = Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
      );
      const located = await run("npx", ["-y", "-p", "node@24", "node", "-p", "process.execPath"], {
        timeout: 120_000,
        cwd: tmpdir(),
        env: clean,
      });
      node24 = located.stdout.trim();
    }
    h = await startServer({ mode: "stateful" });
    const { key, app } = await h.gate.createApp({ name: "alpha", tools: ["echo"] });
    const { key: current } = await h.gate.regenerateKey(app.id);
    url = { current: `${h.origin}/mcp/${current}`, regenerated: `${h.origin}/mcp/${key}` };
  }, 300_000);
  afterAll(async () => {
    await h.close();
  });

  const remote = (target: string) =>
    output(process.execPath, [path.join(clients, "mcp-remote/dist/client.js"), target], env);
  const inspector = (target: string, ...extra: string[]) => [
    path.join(clients, "@modelcontextprotocol/inspector/clients/launcher/build/index.js"),
    "--cli",
    target,
    "--transport",
    "http",
    ...extra,
    "--method",
    "tools/list",
  ];

  it("mcp-remote: a regenerated key reads as a wrong key, the current one connects", async () => {
    const refused = await remote(url.regenerated);
    expect(refused).toContain("This MCP server does not use OAuth");
    expect(refused).toMatch(REGENERATED);
    expect(await remote(url.current)).toContain("Connected successfully");
  });

  it("Inspector CLI --stored-auth-only: prints the 401's explanation", async () => {
    const refused = await output(node24, inspector(url.regenerated, "--stored-auth-only"), env);
    expect(refused).toContain("The API key is invalid.");
    expect(refused).toMatch(REGENERATED);
    const listed = await output(node24, inspector(url.current, "--stored-auth-only"), env);
    expect(listed).toContain('"echo"');
  });

  it("Inspector CLI with a TTY: prints the registration endpoint's explanation", async () => {
    const command = [node24, ...inspector(url.regenerated)].map((a) => `'${a}'`).join(" ");
    const refused = await output("script", ["-q", "-c", command, "/dev/null"], env);
    expect(refused).toContain("This MCP server does not use OAuth");
    expect(refused).toMatch(REGENERATED);
  });
});
