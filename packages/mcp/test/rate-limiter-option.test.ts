/**
 * The `rateLimiter` option: a limiter that must wait (a shared counter) answers with a promise;
 * the endpoint honours its verdict, and re-checks the key after the wait (time of check vs use).
 */
import { createMemoryRateLimiter, type RateLimitedApp, type RateLimiter } from "@mcpgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capabilitiesServer, createRuns } from "./capabilities-server.js";
import { callTool, raw, rawSession, startServer, type Harness } from "./helpers.js";

/** A limiter whose every answer the test gives by hand, after `take` was called. */
class ManualLimiter implements RateLimiter {
  readonly pending: { app: RateLimitedApp; answer: (seconds: number) => void }[] = [];
  readonly forgotten: string[] = [];
  #arrived: (() => void) | undefined;

  take(app: RateLimitedApp): Promise<number> {
    return new Promise((answer) => {
      this.pending.push({ app, answer });
      this.#arrived?.();
    });
  }

  forget(appId: string): void {
    this.forgotten.push(appId);
  }

  async next(): Promise<{ app: RateLimitedApp; answer: (seconds: number) => void }> {
    while (this.pending.length === 0) await new Promise<void>((r) => (this.#arrived = r));
    return this.pending.shift() as { app: RateLimitedApp; answer: (seconds: number) => void };
  }
}

describe.each(["stateful", "stateless"] as const)(
  "%s endpoint with a rateLimiter option",
  (mode) => {
    let h: Harness;
    const limiter = new ManualLimiter();
    const runs = createRuns();

    beforeAll(async () => {
      h = await startServer({ mode, rateLimiter: limiter, server: capabilitiesServer(runs) });
    });
    afterAll(async () => {
      await h.close();
    });

    it("waits for the limiter's promise: allowed runs the tool, refused answers rate_limited", async () => {
      const { key, app } = await h.gate.createApp({
        name: "shared",
        tools: ["echo"],
        rateLimit: { requests: 5, windowSeconds: 60 },
      });
      const url = `${h.origin}/mcp/${key}`;
      const headers = await rawSession(url);
      const before = runs.total("tool:");

      const allowed = raw(url, { headers, body: callTool(1, "echo") });
      const first = await limiter.next();
      expect(first.app.id).toBe(app.id);
      first.answer(0);
      expect((await allowed).messages[0]).toHaveProperty("result");
      expect(runs.total("tool:") - before).toBe(1);

      const refused = raw(url, { headers, body: callTool(2, "echo") });
      (await limiter.next()).answer(7);
      expect((await refused).messages[0]).toMatchObject({
        id: 2,
        error: { code: -32000, data: { error: "rate_limited", retryAfterSeconds: 7 } },
      });
      expect(runs.total("tool:") - before).toBe(1);
    });

    it("a key regenerated while the limiter waits: the call is refused, not run", async () => {
      const { key, app } = await h.gate.createApp({
        name: "regenerated",
        tools: ["echo"],
        rateLimit: { requests: 5, windowSeconds: 60 },
      });
      const url = `${h.origin}/mcp/${key}`;
      const headers = await rawSession(url);
      const before = runs.total("tool:");
      const call = raw(url, { headers, body: callTool(3, "echo") });
      const waiting = await limiter.next();
      await h.gate.regenerateKey(app.id);
      expect(limiter.forgotten).toContain(app.id);
      waiting.answer(0);
      const response = await call;
      expect(response.messages.filter((m) => "result" in m)).toHaveLength(0);
      expect(runs.total("tool:") - before).toBe(0);
    });
  },
);

describe("rateLimiter option validation", () => {
  it("rejects what is not a RateLimiter at startup, naming the field", async () => {
    await expect(
      startServer({ mode: "stateless", rateLimiter: { take: () => 0 } as never }),
    ).rejects.toThrow(/rateLimiter/);
    const h = await startServer({ mode: "stateless", rateLimiter: createMemoryRateLimiter() });
    await h.close();
  });
});
