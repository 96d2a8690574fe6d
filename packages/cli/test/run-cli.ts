/** Runs the real `mcpgate` binary (src/bin.ts under node with tsx as its loader) and captures it. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const repo = join(import.meta.dirname, "..", "..", "..");
export const bin = join(import.meta.dirname, "..", "src", "bin.ts");
/** tsx as a loader of node itself (so the child's pid is the CLI's), resolvable from any cwd. */
export const tsxLoader = pathToFileURL(
  join(repo, "node_modules", "tsx", "dist", "loader.mjs"),
).href;

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function mcpgate(
  args: string[],
  options: { cwd: string; stdin?: string; env?: Record<string, string> },
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", tsxLoader, "--conditions=source", bin, ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, NODE_OPTIONS: "", MCPGATE_STORE: "", ...options.env },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}
