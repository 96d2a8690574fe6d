import { run } from "./main.js";

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    // One line is enough for a key or a confirmation.
    return new Promise((resolve) => {
      process.stdin.once("data", (chunk: Buffer) => {
        process.stdin.pause();
        resolve(chunk.toString("utf8"));
      });
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin,
  stdinIsTTY: process.stdin.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
});
