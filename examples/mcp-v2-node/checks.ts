/**
 * The checks every mcp-v2-* client runs, with a v2 SDK client (`@modelcontextprotocol/client`) in
 * one protocol era: `"modern"` pins 2026-07-28, `"legacy"` is the client's default 2025 handshake.
 * The client's requests are recorded on the wire, so the era is proven, not assumed (a misspelt
 * negotiation option would silently stay legacy). Same story as ../mcp-node/client.ts: both ways
 * to send the key, per-app isolation, 401 without a key, and regeneration.
 */
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

interface Ready {
  url: string;
  keys: { weather: string; billing: string };
  apps: { weather: string; billing: string };
  admin: { url: string; token: string };
}

/** One POST as the server received it: the JSON-RPC method and the protocol headers. */
interface WireRequest {
  method: string | undefined;
  protocolVersion: string | null;
  sessionId: string | null;
}

export async function runChecks(era: "modern" | "legacy"): Promise<void> {
  const ready = JSON.parse(process.env.EXAMPLE_READY ?? process.argv[2] ?? "") as Ready;
  const wire: WireRequest[] = [];

  const recordingFetch = (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    if (init?.method === "POST" && typeof init.body === "string") {
      wire.push({
        method: (JSON.parse(init.body) as { method?: string }).method,
        protocolVersion: headers.get("mcp-protocol-version"),
        sessionId: headers.get("mcp-session-id"),
      });
    }
    return fetch(input, init);
  };

  async function connect(key: string, via: "path" | "header"): Promise<Client> {
    const url = new URL(via === "path" ? `${ready.url}/${key}` : ready.url);
    const headers: Record<string, string> =
      via === "header" ? { Authorization: `Bearer ${key}` } : {};
    const transport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers },
      fetch: recordingFetch,
    });
    const client = new Client(
      { name: "example-client-v2", version: "1.0.0" },
      era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {},
    );
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
  console.log(`ok (${era}): path key and Bearer key, each app sees its own tools`);

  // 2. The era, proven on the wire.
  const methods = wire.map((request) => request.method);
  if (era === "modern") {
    assert.equal(weather.getNegotiatedProtocolVersion(), "2026-07-28");
    assert.ok(!methods.includes("initialize"), `no initialize in 2026-07-28: ${methods.join()}`);
    const calls = wire.filter((request) => request.method === "tools/call");
    assert.ok(calls.length > 0);
    for (const call of calls) assert.equal(call.protocolVersion, "2026-07-28");
    assert.ok(
      wire.every((request) => request.sessionId === null),
      "no sessions in 2026-07-28",
    );
  } else {
    assert.ok(methods.includes("initialize"), "the 2025 handshake");
    assert.notEqual(weather.getNegotiatedProtocolVersion(), "2026-07-28");
  }
  console.log(`ok (${era}): the wire shows the ${era} era (${wire.length} POSTs recorded)`);

  // 3. Isolation: a registered tool outside the app's policy is refused.
  await assert.rejects(
    weather.callTool({ name: "invoice_total", arguments: { items: [1] } }),
    /not available/,
  );
  await assert.rejects(
    billing.callTool({ name: "forecast", arguments: { city: "Oslo" } }),
    /not available/,
  );
  console.log(`ok (${era}): foreign tools are refused`);

  // 4. No key: 401 with a JSON-RPC error body.
  const anonymous = await fetch(ready.url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { jsonrpc: string }).jsonrpc, "2.0");
  console.log(`ok (${era}): no key, 401`);

  // 5. Regenerate the weather key: the old key stops working, the new one works.
  const regenerated = await fetch(`${ready.admin.url}/apps/${ready.apps.weather}/regenerate`, {
    method: "POST",
    headers: { "x-admin-token": ready.admin.token },
  });
  assert.equal(regenerated.status, 200);
  const { key: newKey } = (await regenerated.json()) as { key: string };
  await assert.rejects(weather.listTools());
  const renewed = await connect(newKey, "header");
  assert.deepEqual(await toolNames(renewed), ["forecast"]);
  assert.deepEqual(await toolNames(billing), ["invoice_total"]); // the other app is untouched
  console.log(`ok (${era}): regenerated key refused, new key works`);

  await Promise.all([weather.close(), billing.close(), renewed.close()]);
  console.log("all checks passed");
}
