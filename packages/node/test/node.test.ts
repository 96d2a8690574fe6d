/** @mcpgate/node specifics beyond the conformance suite: handler failures and options. */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createGate, MemoryStore, type Gate } from "@mcpgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withMcpgate, writeChallenge } from "../src/index.js";

let gate: Gate;
let key: string;
const servers: Server[] = [];

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  gate = createGate({ store: new MemoryStore(), lastUsed: false });
  ({ key } = await gate.createApp({ name: "node" }));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await gate.close();
});

describe("withMcpgate", () => {
  it("runs the handler of a cached key in the request's own turn (no promise, no microtask)", async () => {
    await gate.authenticate(key);
    let before: boolean | undefined;
    let microtaskRan = false;
    const protectedHandler = withMcpgate(gate, (_req, res) => {
      before = microtaskRan;
      res.end("ok");
    });
    const url = await serve((req, res) => {
      microtaskRan = false;
      queueMicrotask(() => (microtaskRan = true));
      protectedHandler(req, res);
    });
    const res = await fetch(`${url}/mcp/${key}`);
    expect(await res.text()).toBe("ok");
    expect(before).toBe(false);
  });

  it("answers a bare 500 when the handler rejects, without its message", async () => {
    const url = await serve(
      withMcpgate(gate, async () => {
        throw new Error(`secret detail ${key}`);
      }),
    );
    const res = await fetch(`${url}/mcp/${key}`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("secret detail");
    expect(JSON.parse(text)).toEqual({ error: "internal_error", message: "Internal error." });
  });

  it("hands handler failures to onHandlerError", async () => {
    const seen: unknown[] = [];
    const url = await serve(
      withMcpgate(
        gate,
        () => {
          throw new Error("sync failure");
        },
        {
          onHandlerError: (error, _req, res) => {
            seen.push(error);
            res.statusCode = 502;
            res.end();
          },
        },
      ),
    );
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(502);
    expect(seen).toEqual([new Error("sync failure")]);
  });

  it("never calls the handler for a rejected request", async () => {
    let calls = 0;
    const url = await serve(withMcpgate(gate, (_req, res) => void (calls++, res.end())));
    // Another last character (a key ends in "x" once in 62 runs).
    const wrong = `${key.slice(0, -1)}${key.endsWith("x") ? "y" : "x"}`;
    const res = await fetch(`${url}/mcp/${wrong}`);
    expect(res.status).toBe(401);
    expect(calls).toBe(0);
  });

  it("throws a TypeError naming a bad option at wrap time", () => {
    expect(() =>
      withMcpgate(gate, () => {}, { onHandlerError: "log" } as unknown as Parameters<
        typeof withMcpgate
      >[2]),
    ).toThrow(/onHandlerError/);
    expect(() => withMcpgate(gate, () => {}, { retries: 1 } as never)).toThrow(TypeError);
    expect(() => withMcpgate(gate, "handler" as never)).toThrow(/handler/);
  });

  it("writeChallenge writes status, headers and a JSON body", async () => {
    const url = await serve((_req, res) =>
      writeChallenge(res, gate.challenge(new Error("anything internal"))),
    );
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    await expect(res.json()).resolves.toEqual({
      error: "internal_error",
      message: "Internal error.",
    });
  });
});
