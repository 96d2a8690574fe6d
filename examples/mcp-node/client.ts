/**
 * Checks the whole story against a running example server (any framework): both ways to send the
 * key, per-app isolation, and that a regenerated key is refused while the new one works.
 * Reads the server's READY JSON from EXAMPLE_READY (or argv). Exits non-zero on any failure.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

interface Ready {
  url: string;
  keys: { weather: string; billing: string };
  apps: { weather: string; billing: string };
  admin: { url: string; token: string };
}
const ready = JSON.parse(process.env.EXAMPLE_READY ?? process.argv[2] ?? "") as Ready;

async function connect(key: string, via: "path" | "header"): Promise<Client> {
  const transport =
    via === "path"
      ? new StreamableHTTPClientTransport(new URL(`${ready.url}/${key}`))
      : new StreamableHTTPClientTransport(new URL(ready.url), {
          requestInit: { headers: { Authorization: `Bearer ${key}` } },
        });
  const client = new Client({ name: "example-client", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

const text = (result: unknown): string =>
  ((result as { content: { text: string }[] }).content[0] as { text: string }).text;
const toolNames = async (client: Client): Promise<string[]> =>
  (await client.listTools()).tools.map((tool) => tool.name);

// 1. The key in the URL path, and in a Bearer header.
const weather = await connect(ready.keys.weather, "path");
const billing = await connect(ready.keys.billing, "header");
assert.deepEqual(await toolNames(weather), ["forecast"]);
assert.deepEqual(await toolNames(billing), ["invoice_total"]);
assert.match(
  text(await weather.callTool({ name: "forecast", arguments: { city: "Oslo" } })),
  /Oslo/,
);
assert.equal(
  text(await billing.callTool({ name: "invoice_total", arguments: { items: [2, 3] } })),
  "5",
);
console.log("ok: path key and Bearer key, each app sees its own tools");

// 2. Isolation: a registered tool outside the app's policy is refused.
await assert.rejects(
  weather.callTool({ name: "invoice_total", arguments: { items: [1] } }),
  /not available/,
);
await assert.rejects(
  billing.callTool({ name: "forecast", arguments: { city: "Oslo" } }),
  /not available/,
);
console.log("ok: foreign tools are refused");

// 3. No key, or a wrong one: 401 with a JSON-RPC error body.
const anonymous = await fetch(ready.url, {
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
});
assert.equal(anonymous.status, 401);
assert.equal(((await anonymous.json()) as { jsonrpc: string }).jsonrpc, "2.0");
console.log("ok: no key, 401");

// 4. Regenerate the weather key: the open session and the old key stop working, the new key works.
const regenerated = await fetch(`${ready.admin.url}/apps/${ready.apps.weather}/regenerate`, {
  method: "POST",
  headers: { "x-admin-token": ready.admin.token },
});
assert.equal(regenerated.status, 200);
const { key: newKey } = (await regenerated.json()) as { key: string };
await assert.rejects(weather.listTools(), (error: { code?: number }) => error.code === 401);
const renewed = await connect(newKey, "header");
assert.deepEqual(await toolNames(renewed), ["forecast"]);
assert.deepEqual(await toolNames(billing), ["invoice_total"]); // the other app is untouched
console.log("ok: regenerated key refused, new key works");

await Promise.all([weather.close(), billing.close(), renewed.close()]);
console.log("all checks passed");
