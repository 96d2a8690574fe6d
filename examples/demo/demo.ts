/**
 * `pnpm demo`: the whole MCPGate story in one run, against a real MCP server on 127.0.0.1 and an
 * embedded database. Every step is checked; the demo exits 1 if any step misbehaves.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGate, formatKeyId, type App } from "@mcpgate/core";
import { createMcpHandler } from "@mcpgate/mcp";
import { createPGliteStore } from "@mcpgate/store-postgres";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

let failures = 0;
function say(text: string): void {
  console.log(text);
}
function check(ok: boolean, text: string): void {
  console.log(`   ${ok ? "✓" : "✗"} ${text}`);
  if (!ok) failures++;
}
async function fails(promise: Promise<unknown>): Promise<boolean> {
  return promise.then(
    () => false,
    () => true,
  );
}

/** The server every app shares; each app's policy decides which of these tools it sees. */
function buildServer(app: App): McpServer {
  const server = new McpServer({ name: "mcpgate-demo", version: "1.0.0" });
  server.registerTool(
    "search",
    { description: "Search the docs", inputSchema: { query: z.string() } },
    ({ query }) => ({
      content: [{ type: "text", text: `3 results for "${query}" (for ${app.name})` }],
    }),
  );
  server.registerTool(
    "forecast",
    { description: "Weather forecast", inputSchema: { city: z.string() } },
    ({ city }) => ({
      content: [{ type: "text", text: `Sunny in ${city}` }],
    }),
  );
  server.registerTool("delete_everything", { description: "A tool no app is allowed" }, () => ({
    content: [{ type: "text", text: "this must never run" }],
  }));
  return server;
}

async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "demo-client", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
  );
  return client;
}

const dataDir = await mkdtemp(join(tmpdir(), "mcpgate-demo-"));
const store = await createPGliteStore({ dataDir });
const gate = createGate({ store });
const mcp = createMcpHandler({ gate, mode: "stateful", server: buildServer });
const http = createServer((req, res) => void mcp(req, res));
await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
const endpoint = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
const clients: Client[] = [];

try {
  say(`\nMCPGate demo — an MCP server at ${endpoint}, apps in an embedded database (${dataDir})\n`);

  say(
    "1. Create two apps, each with its own tools. Each key is shown once, here, and never again.",
  );
  const desktop = await gate.createApp({ name: "claude-desktop", tools: ["search", "forecast"] });
  const cursor = await gate.createApp({ name: "cursor", tools: ["search"] });
  say(`   claude-desktop: ${desktop.key}  (tools: search, forecast)`);
  say(`   cursor:         ${cursor.key}  (tools: search)`);
  const stored = JSON.stringify(await store.list());
  check(
    !stored.includes(desktop.key) && !stored.includes(cursor.key),
    "the database holds Argon2id hashes only, no key",
  );

  say("\n2. claude-desktop connects with its key in the URL path (the recommended way).");
  const viaPath = await connect(`${endpoint}/${desktop.key}`);
  clients.push(viaPath);
  const desktopTools = (await viaPath.listTools()).tools.map((t) => t.name).sort();
  check(desktopTools.join() === "forecast,search", `tools/list shows ${desktopTools.join(", ")}`);
  const answer = await viaPath.callTool({ name: "forecast", arguments: { city: "Lisbon" } });
  check(
    JSON.stringify(answer.content).includes("Sunny in Lisbon"),
    "tools/call forecast → Sunny in Lisbon",
  );

  say("\n3. cursor connects with Authorization: Bearer — equivalent to the path.");
  const viaHeader = await connect(endpoint, { Authorization: `Bearer ${cursor.key}` });
  clients.push(viaHeader);
  const cursorTools = (await viaHeader.listTools()).tools.map((t) => t.name);
  check(cursorTools.join() === "search", `tools/list shows only ${cursorTools.join(", ")}`);

  say("\n4. Isolation: a key grants only its own app's tools, whatever the server registered.");
  const foreign = await viaHeader.callTool({ name: "forecast", arguments: { city: "Oslo" } }).then(
    (result) => result.isError === true,
    () => true,
  );
  check(foreign, "cursor calling forecast is refused");
  const hidden = await viaPath.callTool({ name: "delete_everything", arguments: {} }).then(
    (result) => result.isError === true,
    () => true,
  );
  check(hidden, "a registered tool outside every policy (delete_everything) is refused");

  say("\n5. A key leaks: regenerate it. The old key dies the moment regenerateKey resolves.");
  const { key: fresh } = await gate.regenerateKey(desktop.app.id);
  say(`   old ${formatKeyId(desktop.app.keyId)} → new ${fresh}`);
  check(await fails(viaPath.listTools()), "the open session that used the old key is refused");
  check(
    await fails(connect(`${endpoint}/${desktop.key}`).then((c) => clients.push(c))),
    "a new connection with the old key is refused",
  );
  const renewed = await connect(`${endpoint}/${fresh}`);
  clients.push(renewed);
  const renewedTools = (await renewed.listTools()).tools.map((t) => t.name).sort();
  check(renewedTools.join() === "forecast,search", "the new key works, with the same tools");
  check((await viaHeader.listTools()).tools.length === 1, "cursor, untouched, keeps working");

  say("\n6. A wrong key gets 401 invalid_token, and no hint whether it was close.");
  // The last character changed (to a different one: a key may already end in "X").
  const wrongKey = `${cursor.key.slice(0, -1)}${cursor.key.endsWith("X") ? "Y" : "X"}`;
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      authorization: `Bearer ${wrongKey}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });
  check(
    response.status === 401 &&
      (response.headers.get("www-authenticate") ?? "").includes('error="invalid_token"'),
    `HTTP ${response.status}, ${response.headers.get("www-authenticate")}`,
  );
} catch (error) {
  failures++;
  console.error("\nThe demo stopped on an unexpected error:", error);
} finally {
  await Promise.allSettled(clients.map((c) => c.close()));
  await mcp.close();
  await new Promise((resolve) => http.close(resolve));
  await gate.close();
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
}

say(
  failures === 0
    ? "\nEvery step behaved. Next: docs/getting-started.md\n"
    : `\n${failures} step(s) misbehaved.\n`,
);
process.exitCode = failures === 0 ? 0 : 1;
