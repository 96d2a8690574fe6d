/**
 * A TCP proxy in front of a real PostgreSQL server that can silently freeze the connections open at
 * a given moment: bytes stop flowing both ways, nothing is closed, no error reaches either side —
 * a dropped network path as a client sees it. New connections pass normally.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface FrozenProxy {
  /** `url` with host and port replaced by the proxy's. */
  readonly url: string;
  /** Freezes every connection open now. */
  freezeOpen(): void;
  /** How many connections are open through the proxy. */
  openConnections(): number;
  close(): Promise<void>;
}

export async function startFrozenProxy(url: string): Promise<FrozenProxy> {
  const target = new URL(url);
  const pairs = new Set<{ client: Socket; server: Socket; frozen: boolean }>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair = { client, server: upstream, frozen: false };
    pairs.add(pair);
    client.on("data", (chunk) => void (pair.frozen || upstream.write(chunk)));
    upstream.on("data", (chunk) => void (pair.frozen || client.write(chunk)));
    const close = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close);
    upstream.on("close", close);
    client.on("error", close);
    upstream.on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("proxy has no port");
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(address.port);
  return {
    url: proxied.toString(),
    freezeOpen() {
      for (const pair of pairs) pair.frozen = true;
    },
    openConnections: () => pairs.size,
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
