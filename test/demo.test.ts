/** `pnpm demo` is part of the product: it must run and every one of its checks must pass. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

it("the demo walks through the whole story and exits 0", async () => {
  const root = join(import.meta.dirname, "..");
  const child = spawn(
    join(root, "node_modules", ".bin", "tsx"),
    ["--conditions=source", "examples/demo/demo.ts"],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(code, output).toBe(0);
  expect(output).toContain("Every step behaved");
  expect(output).not.toContain("✗");
}, 120_000);
