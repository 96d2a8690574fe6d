/**
 * #11.7: rows read from a store are validated before use; a corrupt one fails closed.
 */
import { describe, expect, it } from "vitest";
import { CorruptRecordError, MemoryStore, createGate, type AppRecord } from "../src/index.js";
import { countingHasher, outcome } from "./helpers.js";

type Corruption = (record: AppRecord) => unknown;

const corruptions: Array<[string, Corruption]> = [
  ["tools is not a list", (r) => ({ ...r, policy: { ...r.policy, tools: 5 } })],
  ["tools holds a bad name", (r) => ({ ...r, policy: { ...r.policy, tools: ["a b"] } })],
  ["resources is an object", (r) => ({ ...r, policy: { ...r.policy, resources: {} } })],
  ["no policy", (r) => ({ ...r, policy: null })],
  [
    "rate limit of zero",
    (r) => ({ ...r, policy: { ...r.policy, rateLimit: { requests: 0, windowSeconds: 1 } } }),
  ],
  ["another key id than looked up", (r) => ({ ...r, keyId: "ZZZZZZZZ" })],
  ["key generation 0", (r) => ({ ...r, keyGeneration: 0 })],
  ["an invalid date", (r) => ({ ...r, createdAt: new Date(Number.NaN) })],
  ["a date as a string", (r) => ({ ...r, keyIssuedAt: "2026-01-01" })],
  ["a check tag that is not hex", (r) => ({ ...r, keyCheck: "zzzz" })],
  ["no hash", (r) => ({ ...r, keyHash: "" })],
  ["not an object", () => "row"],
];

describe("records read from the store are validated", () => {
  it.each(corruptions)("%s: 503 corrupt_record, reported, never admitted", async (_, corrupt) => {
    const store = new MemoryStore();
    const errors: Array<[unknown, string]> = [];
    const { hasher, calls } = countingHasher();
    const gate = createGate({
      store,
      hasher,
      lastUsed: false,
      onError: (error, context) => errors.push([error, context]),
    });
    const { key } = await gate.createApp({ name: "a", tools: ["t"] });
    const getByKeyId = store.getByKeyId.bind(store);
    store.getByKeyId = async (keyId) => {
      const record = await getByKeyId(keyId);
      return (record && corrupt(record)) as AppRecord | undefined;
    };
    calls.verify = 0;
    const error = await outcome(gate.authenticate(key));
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect(calls.verify).toBe(0);
    expect(errors.map(([, context]) => context)).toEqual(["corrupt_record"]);
    const result = await gate.authenticateRequest({ url: `/mcp/${key}` });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("corrupt_record");
      expect(result.challenge.status).toBe(503);
      expect(result.challenge.body.error).toBe("service_unavailable");
      expect(JSON.stringify(result.challenge)).not.toMatch(/tools|keyId|generation/);
    }
    expect((error as Error).message).not.toContain(key.slice(12));
  });

  it("a record from the first data model (no owner, no tag, no resources or prompts) still works, failing closed", async () => {
    const store = new MemoryStore();
    const gate = createGate({ store, lastUsed: false });
    const { key, app } = await gate.createApp({ name: "a", tools: ["t"], resources: "*" });
    const getByKeyId = store.getByKeyId.bind(store);
    store.getByKeyId = async (keyId) => {
      const record = await getByKeyId(keyId);
      if (!record) return undefined;
      const v1: Record<string, unknown> = { ...record, policy: { ...record.policy } };
      delete v1.ownerId;
      delete v1.keyCheck;
      const policy = v1.policy as Record<string, unknown>;
      delete policy.resources;
      delete policy.prompts;
      return v1 as unknown as AppRecord;
    };
    const principal = await gate.authenticate(key);
    expect(principal).toMatchObject({ id: app.id, ownerId: null });
    expect(principal.policy).toMatchObject({ tools: ["t"], resources: [], prompts: [] });
  });
});

describe("app operations validate what they read too", () => {
  it("getApp and listApps of a corrupt row: corrupt_record, reported", async () => {
    const store = new MemoryStore();
    const errors: string[] = [];
    const gate = createGate({
      store,
      lastUsed: false,
      onError: (_, context) => errors.push(context),
    });
    const { app } = await gate.createApp({ name: "a" });
    const corrupt = (r: AppRecord) => ({ ...r, policy: { ...r.policy, scopes: "all" } }) as never;
    const getById = store.getById.bind(store);
    const list = store.list.bind(store);
    store.getById = async (id) => corrupt((await getById(id)) as AppRecord);
    store.list = async (query) => (await list(query)).map(corrupt);
    expect(await outcome(gate.getApp(app.id))).toBeInstanceOf(CorruptRecordError);
    expect(await outcome(gate.listApps())).toBeInstanceOf(CorruptRecordError);
    expect(await outcome(gate.listAppsPage({}))).toBeInstanceOf(CorruptRecordError);
    expect(errors).toEqual(["corrupt_record", "corrupt_record", "corrupt_record"]);
  });
});
