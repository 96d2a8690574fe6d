/** Checks the example server: a key opens /mcp (path or header); a wrong or missing key gets 401. */
import assert from "node:assert/strict";

const { url, key } = JSON.parse(process.env.EXAMPLE_READY ?? process.argv[2] ?? "{}") as {
  url: string;
  key: string;
};

const viaPath = await fetch(`${url}/mcp/${key}`);
assert.equal(viaPath.status, 200);
const body = (await viaPath.json()) as { hello: string; url: string; clientId: string };
assert.equal(body.hello, "example");
assert.equal(body.url, "/mcp", "the key is gone from the URL the handler sees");
assert.match(body.clientId, /^app_/);

const viaHeader = await fetch(`${url}/mcp`, { headers: { authorization: `Bearer ${key}` } });
assert.equal(viaHeader.status, 200);

const wrongKey = await fetch(`${url}/mcp`, {
  headers: { authorization: `Bearer mgw_${"0".repeat(32)}` },
});
assert.equal(wrongKey.status, 401);
assert.match(
  wrongKey.headers.get("www-authenticate") ?? "",
  /^Bearer realm="mcpgate", error="invalid_token"/,
);

const noKey = await fetch(`${url}/mcp`);
assert.equal(noKey.status, 401);
assert.equal(noKey.headers.get("www-authenticate"), 'Bearer realm="mcpgate"');
assert.deepEqual(await noKey.json(), {
  error: "missing_credentials",
  message: "An API key is required.",
});

console.log("ok: path key, Bearer header, 401 for a wrong and a missing key");
