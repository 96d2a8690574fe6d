/**
 * One MCPGate instance in its own process (for multi-instance.test.ts): a gate over its own
 * PostgreSQL store, driven over IPC. Times are wall-clock milliseconds with sub-millisecond
 * precision, comparable across processes on one machine.
 */
import { createGate } from "@mcpgate/core";
import { createPostgresStore } from "../src/index.js";

export type Command =
  | { id: number; cmd: "create" }
  | { id: number; cmd: "warm"; key: string }
  | { id: number; cmd: "watch"; key: string }
  | { id: number; cmd: "regenerate"; appId: string }
  | { id: number; cmd: "close" };

/** A reply (`ok`) with what the command produced, or the error it failed with. */
export interface Reply {
  id: number;
  ok: boolean;
  error?: string;
  key?: string;
  appId?: string;
  /** Wall-clock ms (sub-ms precision) of the event the command reports. */
  at?: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const send = (reply: Reply): void => void process.send?.(reply);

const store = await createPostgresStore({
  connectionString: process.env.MCPGATE_INSTANCE_PG_URL ?? "",
  tablePrefix: "multi_",
});
// The default cache TTL (5 s) is the documented worst case when a notification is lost.
const gate = createGate({ store, lastUsed: false, cache: { ttlMs: 5_000 } });

process.on("message", (message: Command) => {
  void handle(message).catch((error: unknown) =>
    send({ id: message.id, ok: false, error: String(error) }),
  );
});

async function handle(message: Command): Promise<void> {
  switch (message.cmd) {
    case "create": {
      const { app, key } = await gate.createApp({ name: `app-${process.pid}` });
      send({ id: message.id, ok: true, key, appId: app.id });
      return;
    }
    case "warm":
      await gate.authenticate(message.key);
      send({ id: message.id, ok: true });
      return;
    case "watch": {
      // Accepts the key until it is refused, then reports when (the reply to `watch` comes first).
      await gate.authenticate(message.key);
      send({ id: message.id, ok: true });
      for (;;) {
        const accepted = await gate.authenticate(message.key).then(
          () => true,
          () => false,
        );
        if (!accepted) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      send({ id: -message.id, ok: true, at: now() });
      return;
    }
    case "regenerate": {
      const { key } = await gate.regenerateKey(message.appId);
      send({ id: message.id, ok: true, key, at: now() });
      return;
    }
    case "close":
      await gate.close();
      await store.close();
      send({ id: message.id, ok: true });
      process.disconnect();
      return;
  }
}

send({ id: 0, ok: true });
