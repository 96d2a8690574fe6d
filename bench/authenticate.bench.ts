/**
 * The authenticator against its floor. Floor of a cached verification: one SHA-256 of the key and
 * one Map lookup. Cold paths: an unknown key (store lookup, no Argon2) and a full Argon2 verify.
 */
import { hash } from "node:crypto";
import {
  MemoryStore,
  createEventBus,
  createGate,
  createKeyHasher,
  generateKey,
  type KeyHasher,
} from "@mcpgate/core";
import { compare } from "./compare.js";
import { registerOtel } from "./otel.js";

export async function authenticateBench(): Promise<void> {
  const gate = createGate({ store: new MemoryStore(), lastUsed: false });
  const { key, app } = await gate.createApp({ name: "bench", tools: ["search"] });
  await gate.authenticate(key);

  const floorMap = new Map([[hash("sha256", key, "base64"), app]]);
  // Distinct unknown keys, made up front (valid format, base36 ⊂ base62): far more than the
  // unknown-key memo holds (10 000), so each call is a real store lookup.
  const distinct = Array.from(
    { length: 1 << 19 },
    (_, i) => `mgw_${i.toString(36).padStart(32, "0")}`,
  );
  let u = 0;
  const repeatedUnknown = generateKey();
  const wrongSecret = `${key.slice(0, 12)}${"Z".repeat(24)}`;
  await gate.authenticate(wrongSecret).catch(() => undefined);

  await compare(
    "authenticate (cached key) vs the floor: sha256 + Map.get",
    { name: "floor: sha256(key) + Map.get", fn: () => floorMap.get(hash("sha256", key, "base64")) },
    [
      { name: "gate.authenticate(cached key)", fn: () => gate.authenticate(key) },
      {
        name: "gate.authenticateRequest(path key)",
        fn: () => gate.authenticateRequest({ url: `/mcp/${key}`, headers: {} }),
      },
      {
        name: "repeated unknown key → invalid_key (memo)",
        fn: () => gate.authenticate(repeatedUnknown).catch(() => undefined),
      },
      {
        name: "distinct unknown key per call → invalid_key (store lookup)",
        fn: () => gate.authenticate(distinct[u++ & ((1 << 19) - 1)] ?? "").catch(() => undefined),
      },
      {
        name: "repeated wrong key → invalid_key (memo)",
        fn: () => gate.authenticate(wrongSecret).catch(() => undefined),
      },
      {
        name: "malformed key → invalid_key",
        fn: () => gate.authenticate("mgw_nope").catch(() => undefined),
      },
    ],
  );

  await telemetryCost();

  // Cold: a fresh gate per iteration, so every authenticate runs Argon2 once.
  const store = new MemoryStore();
  const shared = createGate({ store, lastUsed: false });
  const cold = await shared.createApp({ name: "cold" });
  await compare(
    "cold authenticate (store lookup + Argon2id verify) vs Argon2id verify alone",
    {
      name: "verifyKeyHash alone",
      fn: async () =>
        createKeyHasher().verify((await store.getById(cold.app.id))?.keyHash ?? "", cold.key),
    },
    [
      {
        name: "authenticate, cold cache",
        fn: () => createGate({ store, lastUsed: false }).authenticate(cold.key),
      },
    ],
    { time: 1000 },
  );

  // 1,000 concurrent first requests for one key.
  let argonCalls = 0;
  const real = createKeyHasher();
  const counting: KeyHasher = { ...real, verify: (phc, k) => (argonCalls++, real.verify(phc, k)) };
  const fresh = createGate({ store, hasher: counting, lastUsed: false });
  const started = performance.now();
  await Promise.all(Array.from({ length: 1000 }, () => fresh.authenticate(cold.key)));
  const elapsed = performance.now() - started;
  console.log(`\n## 1,000 concurrent cold requests for one key`);
  console.table([
    { requests: 1000, "Argon2 verifications": argonCalls, "wall time": `${elapsed.toFixed(1)} ms` },
  ]);
}

/**
 * What observing costs on the cached request path: the same request through a gate with no
 * observer (the baseline), an event bus nobody subscribes to, a bus with one subscriber, and an
 * OpenTelemetry SDK registered (spans to a batching processor, metrics to a reader). Every row
 * yields to the event loop once per 1 024 calls, so the bus delivers as it would in a server.
 */
async function telemetryCost(): Promise<void> {
  const store = new MemoryStore();
  const plain = createGate({ store, lastUsed: false });
  const { key } = await plain.createApp({ name: "observed" });
  const quiet = createGate({ store, lastUsed: false, events: createEventBus() });
  const bus = createEventBus();
  let delivered = 0;
  bus.subscribe(() => void delivered++);
  const heard = createGate({ store, lastUsed: false, events: bus });
  for (const gate of [plain, quiet, heard]) await gate.authenticate(key);
  const request = { url: `/mcp/${key}`, headers: {} };
  let calls = 0;
  const through = (gate: typeof plain) => async () => {
    await gate.authenticateRequest(request);
    if ((++calls & 1023) === 0) await new Promise((resolve) => setImmediate(resolve));
  };
  let unregister: (() => Promise<void>) | undefined;
  await compare(
    "cached authenticateRequest: no observer vs events vs OpenTelemetry",
    { name: "no events option, no OTel SDK", fn: through(plain) },
    [
      { name: "events bus, no subscriber", fn: through(quiet) },
      { name: "events bus, 1 subscriber", fn: through(heard) },
      {
        name: "OTel SDK registered (spans + metrics)",
        fn: through(plain),
        beforeAll: () => void (unregister = registerOtel()),
        afterAll: () => unregister?.(),
      },
    ],
  );
  console.log(`events delivered: ${delivered}, dropped: ${bus.dropped}`);
}
