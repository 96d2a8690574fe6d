/** @mcpgate/express specifics beyond the conformance suite: mounting, errors, SDK types. */
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { containsKey, createGate, MemoryStore, toAuthInfo, type Gate } from "@mcpgate/core";
import type { AuthInfo as SdkAuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
// Brings the SDK's own `req.auth` declaration into this program: both must merge.
import type {} from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import express, { type ErrorRequestHandler, type Request } from "express";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { mcpgate, redactRequests } from "../src/index.js";

let gate: Gate;
let key: string;
const servers: Server[] = [];

async function serve(app: express.Express): Promise<string> {
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  gate = createGate({ store: new MemoryStore(), basePath: "/api/mcp", lastUsed: false });
  ({ key } = await gate.createApp({ name: "express" }));
});

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await gate.close();
});

describe("mcpgate (Express middleware)", () => {
  it("mounted under a path: reads the full URL and routes on the key-free one", async () => {
    const app = express();
    const router = express.Router();
    router.get("/mcp/tools", (req, res) => {
      res.json({ url: req.url, originalUrl: req.originalUrl, app: req.mcpgate?.name });
    });
    app.use("/api", mcpgate(gate), router);
    const url = await serve(app);
    const res = await fetch(`${url}/api/mcp/${key}/tools?x=1`);
    expect(res.status).toBe(200);
    await expect(res.json()).resolves.toEqual({
      url: "/mcp/tools?x=1",
      originalUrl: "/api/mcp/tools?x=1",
      app: "express",
    });
    const rejected = await fetch(`${url}/api/mcp/tools`);
    expect(rejected.status).toBe(401);
  });

  it("passes an unexpected failure to Express's error handler (Express 4 would drop it)", async () => {
    const broken: Gate = { ...gate, authenticateRequest: () => Promise.reject(new Error("boom")) };
    const app = express();
    let reached = false;
    app.use(mcpgate(broken), (_req, res) => {
      reached = true;
      res.end();
    });
    const onError: ErrorRequestHandler = (error: Error, _req, res, _next) => {
      res.status(500).json({ caught: error.message });
    };
    app.use(onError);
    const url = await serve(app);
    const res = await fetch(`${url}/api/mcp/${key}`);
    expect(res.status).toBe(500);
    await expect(res.json()).resolves.toEqual({ caught: "boom" });
    expect(reached).toBe(false);
  });

  it("throws a TypeError for something that is not a gate", () => {
    expect(() => mcpgate({} as Gate)).toThrow(TypeError);
  });

  it("types: req.auth is the SDK's AuthInfo and what toAuthInfo returns fits it", () => {
    expectTypeOf<Request["auth"]>().toEqualTypeOf<SdkAuthInfo | undefined>();
    expectTypeOf(toAuthInfo).returns.toExtend<SdkAuthInfo>();
    expectTypeOf<NonNullable<Request["mcpgate"]>["id"]>().toEqualTypeOf<string>();
  });
});

describe("behind mcpgate, the MCP SDK hands req.auth to tools as extra.authInfo", () => {
  it("a tool sees the app's AuthInfo (key id as token, never the key)", async () => {
    // Server side only: the SDK client's SSE dependency does not load under the "source" condition.
    const { McpServer } = await import("@modelcontextprotocol/sdk/server/mcp.js");
    const { StreamableHTTPServerTransport } =
      await import("@modelcontextprotocol/sdk/server/streamableHttp.js");
    const app = express();
    // app.use, before the route: the route then matches the key-free URL.
    app.use(mcpgate(gate));
    app.post("/api/mcp", express.json(), async (req, res) => {
      const server = new McpServer({ name: "whoami", version: "1.0.0" });
      server.registerTool("whoami", { description: "The caller" }, (extra) => ({
        content: [{ type: "text", text: JSON.stringify(extra.authInfo) }],
      }));
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      res.on("close", () => void transport.close());
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    });
    const url = await serve(app);

    const res = await fetch(`${url}/api/mcp/${key}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "whoami", arguments: {} },
      }),
    });
    const raw = await res.text();
    expect(res.status, raw).toBe(200);
    expect(raw).not.toContain(key);
    const text = (JSON.parse(raw) as { result: { content: { text: string }[] } }).result.content[0]
      ?.text;
    const principal = await gate.authenticate(key);
    expect(JSON.parse(text ?? "null")).toMatchObject({
      clientId: principal.id,
      token: principal.keyId,
      scopes: [],
      expiresAt: expect.any(Number),
      extra: { app: { id: principal.id, name: "express" } },
    });
  });
});

describe("redactRequests (app-wide, mounted first)", () => {
  async function seen(
    path: string,
    headers: Record<string, string>,
  ): Promise<{ url: string; headers: Record<string, string> }> {
    const app = express();
    app.use(redactRequests(gate));
    app.use((req, res) => {
      res.json({ url: req.originalUrl, headers: req.headers });
    });
    const base = await serve(app);
    const response = await fetch(`${base}${path}`, { headers });
    return (await response.json()) as { url: string; headers: Record<string, string> };
  }

  const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString("base64")}`;

  it("keeps the credentials the gate reads (a path key under the base path, Bearer) for the next handler", async () => {
    const got = await seen(`/api/mcp/${key}/x`, {
      authorization: `Bearer ${key}`,
      referer: `https://client.example/api/mcp/${key}`,
    });
    expect(got.url).toBe(`/api/mcp/${key}/x`);
    expect(got.headers.authorization).toBe(`Bearer ${key}`);
    expect(containsKey(got.headers.referer ?? "")).toBe(false);
  });

  it("redacts every other key: URLs outside the base path, encoded forms, Basic credentials", async () => {
    const encoded = `%6Dgw%5F${key.slice(4)}`;
    for (const path of [`/other/${key}`, `/api/mcp/${encoded}`, `/other?k=MGW_${key.slice(4)}`]) {
      const got = await seen(path, {
        authorization: basic(`user:${key}`),
        "x-forwarded-uri": `/api/mcp/${encoded}`,
      });
      expect(JSON.stringify(got), path).not.toContain(key.slice(12));
      expect(containsKey(JSON.stringify(got)), path).toBe(false);
      // Basic credentials stay parseable, with the key id as the password.
      const password = Buffer.from(got.headers.authorization?.slice(6) ?? "", "base64")
        .toString("latin1")
        .split(":")[1];
      expect(password).toBe(`mgw_${key.slice(4, 12)}...`);
    }
  });

  it("throws a TypeError without a gate", () => {
    expect(() => redactRequests({} as Gate)).toThrow(TypeError);
  });
});
