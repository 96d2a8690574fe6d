/** The key never reaches the SDK, the factory or a tool handler, in any header. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCEPT, INITIALIZE } from "../helpers.js";
import { connectClient, startServer, type Harness } from "./helpers.js";

describe("v2 key hygiene", () => {
  let h: Harness;
  let key: string;

  beforeAll(async () => {
    h = await startServer();
    key = (await h.gate.createApp({ name: "alpha", tools: ["echo", "inspect"] })).key;
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(["legacy", "modern"] as const)(
    "a key in X-Forwarded-Uri or Referer is redacted before the handler sees the request (%s)",
    async (era) => {
      const client = await connectClient(h.origin, key, era, "header");
      // The headers go on every request of this client through a fresh transport.
      await client.close();
      const response = await fetch(`${h.origin}/mcp/${key}`, {
        method: "POST",
        headers: {
          accept: ACCEPT,
          "content-type": "application/json",
          "x-forwarded-uri": `/mcp/${key}`,
          referer: `https://example.com/?k=${encodeURIComponent(key)}`,
          "mcp-protocol-version": "2025-06-18",
        },
        body: JSON.stringify(INITIALIZE),
      });
      expect(response.status).toBe(200);
      await response.body?.cancel();
      const last = h.factoryCalls.at(-1);
      const request = last?.context.requestInfo;
      expect(request).toBeDefined();
      const seen = JSON.stringify({
        url: request?.url,
        headers: Object.fromEntries(request?.headers ?? []),
        authInfo: last?.context.authInfo,
      });
      expect(seen).not.toContain(key.slice(4));
      expect(seen).toContain(key.slice(4, 12)); // the public key id may appear
    },
  );
});
