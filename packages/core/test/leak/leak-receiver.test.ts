/**
 * GitHub secret scanning's partner protocol, end to end over real HTTP on 127.0.0.1: reports are
 * signed with a locally generated ECDSA P-256 key pair, exactly as GitHub signs them.
 */
import { generateKeyPairSync, hash, sign, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  authenticateFetchRequest,
  createEventBus,
  createGate,
  createLeakReceiver,
  generateKey,
  MemoryStore,
  type Gate,
  type LeakNotice,
  type LeakReceiverOptions,
  type McpgateEvent,
} from "../../src/index.js";
import { countingHasher } from "../helpers.js";
import { serve } from "./http.js";

const KEY_ID = "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a";

function keyPair(): { privateKey: KeyObject; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { privateKey, pem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

const signer = keyPair();

function signed(body: string, privateKey = signer.privateKey, identifier = KEY_ID): RequestInit {
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "github-public-key-identifier": identifier,
      "github-public-key-signature": sign("sha256", Buffer.from(body), {
        key: privateKey,
        dsaEncoding: "der",
      }).toString("base64"),
    },
    body,
  };
}

const report = (...tokens: string[]) =>
  JSON.stringify(
    tokens.map((token) => ({
      token,
      type: "mcpgate_api_key",
      url: "https://github.com/octocat/hello/blob/abc/config.js",
      source: "content",
    })),
  );

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function keyWorks(gate: Gate, key: string): Promise<number> {
  const auth = await authenticateFetchRequest(
    gate,
    new Request("http://127.0.0.1/api", { headers: { authorization: `Bearer ${key}` } }),
  );
  return auth.ok ? 200 : auth.response.status;
}

async function setup(extra: Partial<LeakReceiverOptions> = {}) {
  const counting = countingHasher();
  const gate = createGate({ store: new MemoryStore(), hasher: counting.hasher, lastUsed: false });
  const { app, key } = await gate.createApp({ name: "leaky" });
  const events = createEventBus();
  const seen: McpgateEvent[] = [];
  events.subscribe((event) => void seen.push(event));
  const notices: LeakNotice[] = [];
  const receiver = createLeakReceiver({
    gate,
    publicKeys: { [KEY_ID]: signer.pem },
    events,
    onLeak: (notice) => void notices.push(notice),
    ...extra,
  });
  const server = await serve(receiver);
  closers.push(server.close);
  const post = (init: RequestInit) => fetch(`${server.url}/github/secret-scanning`, init);
  return { gate, app, key, events, seen, notices, post, calls: counting.calls };
}

describe("createLeakReceiver: a live leaked key", () => {
  it("is revoked within the request: the old key answers 401, the new key is discarded", async () => {
    const { gate, app, key, events, seen, notices, post } = await setup();
    expect(await keyWorks(gate, key)).toBe(200);
    const response = await post(signed(report(key)));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(key);
    expect(JSON.parse(text)).toEqual([
      {
        token_hash: hash("sha256", key, "hex"),
        token_type: "mcpgate_api_key",
        label: "true_positive",
      },
    ]);
    expect(await keyWorks(gate, key)).toBe(401);
    const after = await gate.getApp(app.id);
    expect(after.keyId).not.toBe(app.keyId);
    await events.drained();
    expect(seen).toEqual([
      expect.objectContaining({
        type: "leak.revoked",
        version: 1,
        appId: app.id,
        keyId: app.keyId,
        tokenType: "mcpgate_api_key",
        leakSource: "content",
      }),
    ]);
    expect(JSON.stringify(seen)).not.toContain(key);
    expect(notices).toEqual([expect.objectContaining({ appId: app.id, action: "revoke" })]);
  });

  it("reports through the gate's own bus: key.regenerated with cause leak, then leak.revoked", async () => {
    const events = createEventBus();
    const seen: McpgateEvent[] = [];
    events.subscribe((event) => void seen.push(event));
    const gate = createGate({ store: new MemoryStore(), events, lastUsed: false });
    const { app, key } = await gate.createApp({ name: "leaky" });
    const receiver = createLeakReceiver({ gate, publicKeys: { [KEY_ID]: signer.pem } });
    const server = await serve(receiver);
    closers.push(server.close);
    const response = await fetch(`${server.url}/github/secret-scanning`, signed(report(key)));
    expect(await response.json()).toMatchObject([{ label: "true_positive" }]);
    await events.drained();
    const after = await gate.getApp(app.id);
    expect(seen.map((event) => event.type)).toEqual([
      "key.created",
      "key.regenerated",
      "leak.revoked",
    ]);
    expect(seen[1]).toEqual(
      expect.objectContaining({
        appId: app.id,
        previousKeyId: app.keyId,
        keyId: after.keyId,
        cause: "leak",
      }),
    );
    expect(JSON.stringify(seen)).not.toContain(key);
  });

  it('action "report" labels and emits but leaves the key working', async () => {
    const { gate, key, events, seen, post } = await setup({ action: "report" });
    const response = await post(signed(report(key)));
    expect(await response.json()).toMatchObject([{ label: "true_positive" }]);
    expect(await keyWorks(gate, key)).toBe(200);
    await events.drained();
    expect(seen.map((event) => event.type)).toEqual(["leak.reported"]);
  });

  it("a replayed report is answered from memory and touches no key", async () => {
    const { gate, app, key, events, seen, post } = await setup();
    const body = report(key, "ghp_notours");
    const first = await (await post(signed(body))).text();
    const revokedKeyId = (await gate.getApp(app.id)).keyId;
    // GitHub's retry is signed again (ECDSA signatures are randomized): same body, new signature.
    const again = await post(signed(body));
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(first);
    const replayed = await post(signed(body));
    expect(await replayed.text()).toBe(first);
    expect((await gate.getApp(app.id)).keyId).toBe(revokedKeyId);
    await events.drained();
    expect(seen).toHaveLength(1);
  });
});

describe("createLeakReceiver: concurrent deliveries", () => {
  it("two deliveries of one report at once share one run: one revocation, one event, same answer", async () => {
    const { gate, app, key, events, seen, post } = await setup();
    const body = report(key);
    const [a, b] = await Promise.all([post(signed(body)), post(signed(body))]);
    expect(await a.text()).toBe(await b.text());
    expect(await keyWorks(gate, key)).toBe(401);
    await events.drained();
    expect(seen).toHaveLength(1);
    expect((await gate.getApp(app.id)).keyId).not.toBe(app.keyId);
  });
});

describe("createLeakReceiver: tokens that are not live keys", () => {
  it("labels them false positives; non-key shapes never reach Argon2", async () => {
    const { post, calls } = await setup();
    const unknown = generateKey();
    const response = await post(signed(report("ghp_abc", "mgw_short", `${generateKey()}x`)));
    expect(await response.json()).toEqual(
      ["ghp_abc", "mgw_short", expect.any(String)].map(() =>
        expect.objectContaining({ label: "false_positive" }),
      ),
    );
    expect(calls.verify).toBe(0);
    const second = await post(signed(report(unknown)));
    expect(await second.json()).toMatchObject([{ label: "false_positive" }]);
    expect(calls.verify).toBe(0);
  });
});

describe("createLeakReceiver: refused reports touch no key", () => {
  const other = keyPair();
  const cases: [string, (key: string) => RequestInit, number, string][] = [
    ["unsigned", (key) => ({ method: "POST", body: report(key) }), 401, "invalid_signature"],
    [
      "signed by another key",
      (key) => signed(report(key), other.privateKey),
      401,
      "invalid_signature",
    ],
    [
      "an unknown key identifier",
      (key) => signed(report(key), signer.privateKey, "f".repeat(64)),
      401,
      "invalid_signature",
    ],
    [
      "a signature over another body",
      (key) => ({ ...signed(report(key)), body: report(key, generateKey()) }),
      401,
      "invalid_signature",
    ],
    [
      "a malformed signature header",
      (key) => {
        const init = signed(report(key));
        return {
          ...init,
          headers: { ...(init.headers as object), "github-public-key-signature": "not base64!" },
        };
      },
      401,
      "invalid_signature",
    ],
    [
      "an oversized body",
      (key) => signed(JSON.stringify([{ token: key, type: "t", url: "x".repeat(300_000) }])),
      413,
      "payload_too_large",
    ],
    ["malformed JSON", (key) => signed(`[{"token":"${key}"`), 400, "malformed_payload"],
    ["an empty array", () => signed("[]"), 400, "malformed_payload"],
    [
      "a wrong field type",
      (key) => signed(JSON.stringify([{ token: key, type: 7 }])),
      400,
      "malformed_payload",
    ],
    [
      "too many matches",
      (key) => signed(report(...Array.from({ length: 501 }, () => key))),
      400,
      "malformed_payload",
    ],
  ];

  it.each(cases)("%s", async (_name, make, status, code) => {
    const { gate, key, post, calls } = await setup();
    const response = await post(make(key));
    expect(response.status).toBe(status);
    const text = await response.text();
    expect(text).not.toContain(key);
    expect(JSON.parse(text)).toMatchObject({ error: code });
    expect(calls.verify).toBe(0);
    expect(await keyWorks(gate, key)).toBe(200);
  });

  it("any change to a signed body is refused (property)", async () => {
    const { gate, key, post } = await setup();
    const body = report(key);
    const init = signed(body);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: body.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (position, delta) => {
          const bytes = Buffer.from(body);
          bytes[position] = (bytes[position]! + delta) % 256;
          const response = await post({ ...init, body: bytes });
          expect(response.status).toBe(401);
          await response.body?.cancel();
        },
      ),
      { numRuns: 40 },
    );
    expect(await keyWorks(gate, key)).toBe(200);
  });

  it("answers 405 to anything but POST", async () => {
    const { post } = await setup();
    const response = await post({ method: "GET" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("rejects bad options when created", () => {
    const gate = createGate({ store: new MemoryStore() });
    expect(() => createLeakReceiver({ gate, publicKeys: { a: "nope" } })).toThrow(TypeError);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const pem = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(() => createLeakReceiver({ gate, publicKeys: { a: pem } })).toThrow(/P-256/);
    expect(() =>
      createLeakReceiver({ gate, publicKeys: { a: signer.pem }, keysUrl: "https://x.test/" }),
    ).toThrow(/exclusive/);
    expect(() => createLeakReceiver({ gate, action: "delete" as unknown as "revoke" })).toThrow(
      TypeError,
    );
  });
});

describe("createLeakReceiver: keys fetched from the key endpoint", () => {
  async function keyEndpoint() {
    const published = [{ key_identifier: KEY_ID, key: signer.pem, is_current: true }];
    let fetches = 0;
    let mode: "ok" | "down" | "hang" = "ok";
    const server = await serve(async () => {
      fetches++;
      if (mode === "down") return new Response("no", { status: 502 });
      if (mode === "hang") await new Promise((resolve) => setTimeout(resolve, 2_000));
      return Response.json({ public_keys: published });
    });
    closers.push(server.close);
    return {
      url: `${server.url}/meta/public_keys/secret_scanning`,
      published,
      fetches: () => fetches,
      setMode: (next: typeof mode) => void (mode = next),
    };
  }

  it("fetches once, caches, and refetches on an unknown identifier at most once per interval", async () => {
    const endpoint = await keyEndpoint();
    let now = 1_000_000;
    const { gate, key, post } = await setup({
      publicKeys: undefined,
      keysUrl: endpoint.url,
      clock: () => now,
    });
    expect((await post(signed(report(generateKey())))).status).toBe(200);
    expect((await post(signed(report(generateKey())))).status).toBe(200);
    expect(endpoint.fetches()).toBe(1);

    const rotated = keyPair();
    const unknownId = "a".repeat(64);
    now += 60_000;
    for (let i = 0; i < 5; i++) {
      const response = await post(signed(report(key), rotated.privateKey, unknownId));
      expect(response.status).toBe(401);
    }
    expect(endpoint.fetches()).toBe(2);

    // GitHub publishes the new key; after the interval the receiver learns it.
    endpoint.published.push({ key_identifier: unknownId, key: rotated.pem, is_current: true });
    now += 60_000;
    const response = await post(signed(report(key), rotated.privateKey, unknownId));
    expect(response.status).toBe(200);
    expect(endpoint.fetches()).toBe(3);
    expect(await keyWorks(gate, key)).toBe(401);
  });

  it("answers 503 (GitHub retries) when the key endpoint is down or slow", async () => {
    const endpoint = await keyEndpoint();
    endpoint.setMode("down");
    const { gate, key, post } = await setup({
      publicKeys: undefined,
      keysUrl: endpoint.url,
      keyFetchTimeoutMs: 200,
    });
    const down = await post(signed(report(key)));
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: "service_unavailable" });
    expect(down.headers.get("retry-after")).toBe("5");

    const slowEndpoint = await keyEndpoint();
    slowEndpoint.setMode("hang");
    const slow = await setup({
      publicKeys: undefined,
      keysUrl: slowEndpoint.url,
      keyFetchTimeoutMs: 200,
    });
    const started = Date.now();
    expect((await slow.post(signed(report(slow.key)))).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await keyWorks(gate, key)).toBe(200);
  });
});
