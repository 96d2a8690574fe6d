/** DNS-rebinding protection: Host and Origin checks, on by default for loopback binds. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raw, startServer, type Harness } from "./helpers.js";

const ping = { jsonrpc: "2.0", id: 1, method: "ping" };

/** fetch cannot set Host; node:http can. */
async function withHost(url: string, headers: Record<string, string>): Promise<number> {
  const http = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(JSON.stringify(ping));
  });
}

describe("default ('auto') on a loopback bind", () => {
  let h: Harness;
  let url: string;
  beforeAll(async () => {
    h = await startServer({ mode: "stateless" });
    url = `${h.origin}/mcp/${(await h.gate.createApp({ name: "a" })).key}`;
  });
  afterAll(async () => {
    await h.close();
  });

  it("accepts loopback Host names with any port", async () => {
    for (const host of ["127.0.0.1:1234", "localhost", "LOCALHOST:80", "[::1]:3000"]) {
      expect(
        await withHost(url, {
          host,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        }),
        host,
      ).not.toBe(403);
    }
  });

  it("refuses a foreign Host with 403 before authenticating", async () => {
    expect(await withHost(url, { host: "evil.example" })).toBe(403);
    expect(await withHost(`${h.origin}/mcp`, { host: "evil.example:80" })).toBe(403);
  });

  it("refuses a foreign Origin and accepts a loopback one", async () => {
    const evil = await raw(url, { headers: { origin: "https://evil.example" }, body: ping });
    expect(evil.status).toBe(403);
    expect(evil.messages[0]).toMatchObject({ error: { message: "Invalid Origin header" } });
    const local = await raw(url, { headers: { origin: "http://localhost:6274" }, body: ping });
    expect(local.status).not.toBe(403);
  });
});

describe("configured", () => {
  it("checks the given hosts and origins, whatever the bind", async () => {
    const h = await startServer({
      mode: "stateless",
      hostValidation: { allowedHosts: ["127.0.0.1"], allowedOrigins: ["https://app.example.com"] },
    });
    const url = `${h.origin}/mcp/${(await h.gate.createApp({ name: "a" })).key}`;
    expect(
      (await raw(url, { headers: { origin: "https://app.example.com" }, body: ping })).status,
    ).not.toBe(403);
    expect((await raw(url, { headers: { origin: "http://localhost" }, body: ping })).status).toBe(
      403,
    );
    expect(await withHost(url, { host: "localhost" })).toBe(403);
    await h.close();
  });

  it("can be turned off", async () => {
    const h = await startServer({ mode: "stateless", hostValidation: false });
    expect(await withHost(`${h.origin}/mcp`, { host: "evil.example" })).toBe(401);
    await h.close();
  });
});
