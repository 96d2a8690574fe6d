/**
 * Drives one instance.ts process over IPC (multi-instance.test.ts, `pnpm bench revocation`).
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Command, Reply } from "./instance.js";

type Request = Command extends infer C ? (C extends { id: number } ? Omit<C, "id"> : never) : never;

/** One gate in its own process, on a PostgreSQL store. */
export class Instance {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  #next = 1;
  readonly ready: Promise<Reply>;
  readonly exited: Promise<number | null>;

  constructor(url: string) {
    this.#child = fork(fileURLToPath(new URL("./instance.ts", import.meta.url)), {
      execArgv: ["--conditions=source", "--import", "tsx"],
      env: { ...process.env, MCPGATE_INSTANCE_PG_URL: url },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.ready = this.#wait(0);
    this.exited = new Promise((resolve) => this.#child.once("exit", resolve));
    this.#child.on("message", (reply: Reply) => {
      const resolve = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      resolve?.(reply);
    });
  }

  #wait(id: number, timeoutMs = 30_000): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply ${id}`)), timeoutMs);
      this.#pending.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.ok) resolve(reply);
        else reject(new Error(reply.error ?? "failed"));
      });
    });
  }

  /** Sends a command; resolves its reply and, for `watch`, a second promise for the rejection time. */
  request(command: Request): { reply: Promise<Reply>; done: Promise<Reply> } {
    const id = this.#next++;
    const reply = this.#wait(id);
    const done = command.cmd === "watch" ? this.#wait(-id) : reply;
    this.#child.send({ ...command, id });
    return { reply, done };
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill();
  }
}

/**
 * Regenerates an app's key on A `trials` times while B presents the old key; resolves each window
 * (ms) from A's `regenerateKey()` resolving to B's first refusal.
 */
export async function revocationWindows(
  a: Instance,
  b: Instance,
  trials: number,
): Promise<number[]> {
  const created = await a.request({ cmd: "create" }).reply;
  const appId = created.appId as string;
  let key = created.key as string;
  const windows: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    await b.request({ cmd: "warm", key }).reply;
    const watch = b.request({ cmd: "watch", key });
    await watch.reply;
    const regenerated = await a.request({ cmd: "regenerate", appId }).reply;
    const rejected = await watch.done;
    // B may see the NOTIFY before A's promise resolves: that is a window of zero.
    windows.push(Math.max(0, (rejected.at as number) - (regenerated.at as number)));
    key = regenerated.key as string;
  }
  return windows;
}
