/**
 * Checks the dashboard example: the admin API (Bearer admin token) creates an app whose key works
 * on the MCP endpoint, regenerating kills the old key at once, deleting kills the new one, and
 * the dashboard pages are served with a strict CSP. Exits non-zero on any failure.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

interface Ready {
  url: string;
  keys: { weather: string };
  apps: { weather: string };
  admin: { url: string; token: string };
}
const ready = JSON.parse(process.env.EXAMPLE_READY ?? process.argv[2] ?? "") as Ready;

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${ready.admin.url}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ready.admin.token}`,
      "x-mcpgate-admin": "1",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function tools(key: string): Promise<string[]> {
  const client = new Client({ name: "dashboard-example", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${ready.url}/${key}`)));
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

async function status(key: string): Promise<number> {
  const response = await fetch(ready.url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  await response.body?.cancel();
  return response.status;
}

// 1. Without the admin token: refused.
assert.equal((await fetch(`${ready.admin.url}/api/apps`)).status, 401);
console.log("ok: the admin API needs the admin token");

// 2. Create an app: its key is in this response only, and works on the MCP endpoint.
const created = await api("POST", "/apps", {
  name: "billing-bot",
  tools: ["invoice_total"],
  expiresInDays: 90, // optional: the key stops working after 90 days unless regenerated
});
assert.equal(created.status, 201);
assert.equal(created.headers.get("cache-control"), "no-store");
interface Issued {
  app: { id: string; keyIssuedAt: string; keyExpiresAt: string | null };
  key: string;
}
const lifetimeDays = ({ app }: Issued) =>
  (Date.parse(app.keyExpiresAt ?? "") - Date.parse(app.keyIssuedAt)) / 86_400_000;
const issued = (await created.json()) as Issued;
const { app, key } = issued;
assert.equal(lifetimeDays(issued), 90);
assert.deepEqual(await tools(key), ["invoice_total"]);
const listed = await (await api("GET", "/apps")).text();
assert.ok(!listed.includes(key.slice(12)), "the key is never in a later response");
console.log("ok: created an app; its key works and is never shown again");

// 3. Regenerate: the old key is refused at once, the new one works and lives as long (90 days).
const regenerated = (await (await api("POST", `/apps/${app.id}/regenerate`)).json()) as Issued;
const { key: newKey } = regenerated;
assert.equal(lifetimeDays(regenerated), 90);
assert.equal(await status(key), 401);
assert.deepEqual(await tools(newKey), ["invoice_total"]);
console.log("ok: regenerate kills the old key at once; the new one keeps the 90-day lifetime");

// 4. Delete: the key is refused.
assert.equal((await api("DELETE", `/apps/${app.id}`)).status, 204);
assert.equal(await status(newKey), 401);
console.log("ok: delete kills the key");

// 5. The dashboard: sign-in page with a strict CSP, its own script, no external resources.
const login = await fetch(`${ready.admin.url}/login`);
assert.equal(login.status, 200);
assert.match(login.headers.get("content-security-policy") ?? "", /script-src 'self'/);
assert.ok(!/https?:\/\//.test(await login.text()), "no external resources");
console.log("ok: dashboard served self-contained with a strict CSP");
