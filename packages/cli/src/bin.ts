import { redactKey } from "@mcpgate/core";
import { run } from "./main.js";

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    // One line is enough for a confirmation.
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

/**
 * One line from the terminal with echo off (raw mode): what is typed or pasted never appears on
 * screen or in a terminal recording. Backspace edits; Ctrl-C aborts (exit 130); Enter or Ctrl-D ends.
 */
function readSecretLine(): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve) => {
    let line = "";
    const finish = (): void => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      resolve(line);
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish();
        if (char === "\u0003") {
          stdin.setRawMode(false);
          process.stderr.write("\n");
          process.exit(130);
        }
        if (char === "\u007f" || char === "\b") line = line.slice(0, -1);
        else line += char;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}

/**
 * Aborted by SIGINT, SIGTERM or SIGHUP, by standard output closing (`| head`), and by Ctrl-D on a
 * terminal: the end of `audit --follow`, which then exits 0. Installed only when a command asks.
 */
function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, stop);
  process.stdout.once("error", stop);
  process.stdout.once("close", stop);
  if (process.stdin.isTTY) {
    process.stdin.once("end", stop);
    process.stdin.resume();
  }
  controller.signal.addEventListener("abort", () => {
    if (process.stdin.isTTY) process.stdin.pause();
  });
  return controller.signal;
}

try {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin,
    readSecretLine,
    stdinIsTTY: process.stdin.isTTY === true,
    stopSignal,
    env: process.env,
    cwd: process.cwd(),
  });
} catch (error) {
  // Never node's default dump: an error's properties can hold file content or a key.
  process.stderr.write(`${redactKey(error instanceof Error ? error.message : String(error))}\n`);
  process.exitCode = 5;
}
