/**
 * The store conformance suite: the contract of `Store`, as vitest tests. Every store we ship runs
 * it; a third party runs it against theirs with one call.
 */
import { describe, expect, it } from "vitest";
import type { AppRecord } from "../app.js";
import {
  AppNotFoundError,
  DuplicateKeyIdError,
  GenerationConflictError,
  isMcpgateError,
} from "../errors.js";
import { createGate } from "../gate.js";
import { generateKey } from "../key-format.js";
import type { Store, StoreEvent } from "../store.js";

/** Options of {@link runStoreConformance}. */
export interface ConformanceOptions {
  /** Suite name. Default `"Store conformance"`. */
  name?: string;
  /** Everything the store holds, as text (e.g. a table dump), for the "no plaintext key" check. */
  dump?: (store: Store) => Promise<string>;
  /** Called after each test with the store it used. */
  cleanup?: (store: Store) => Promise<void>;
  /** How long to wait for a change-feed event (stores that push through a network). Default 2 000 ms. */
  eventTimeoutMs?: number;
}

let sequence = 0;

/** A record with a well-formed (not real) PHC string: stores never verify hashes. */
export function sampleRecord(overrides: Partial<AppRecord> = {}): AppRecord {
  sequence++;
  const key = generateKey();
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    id: `app_conformance${sequence}_${key.slice(20, 28)}`,
    name: `app ${sequence}`,
    ownerId: "owner_a",
    keyId: key.slice(4, 12),
    keyHash: `$argon2id$v=19$m=19456,t=2,p=1$${key.slice(12, 34)}$${"A".repeat(43)}`,
    keyCheck: key.slice(32, 36).toLowerCase(),
    keyGeneration: 1,
    createdAt: now,
    updatedAt: now,
    keyIssuedAt: now,
    keyExpiresAt: null,
    lastUsedAt: null,
    policy: {
      tools: ["search", "fetch"],
      resources: ["file:///docs/readme.md", "notes://{id}"],
      prompts: ["summarise"],
      scopes: ["read"],
      rateLimit: { requests: 60, windowSeconds: 60 },
    },
    metadata: { team: "platform", nested: { level: 2, list: [1, "two", null] } },
    ...overrides,
  };
}

function replacementFor(record: AppRecord, expectedGeneration = record.keyGeneration) {
  const next = sampleRecord();
  return {
    expectedGeneration,
    keyId: next.keyId,
    keyHash: next.keyHash,
    keyCheck: next.keyCheck,
    keyIssuedAt: new Date(record.keyIssuedAt.getTime() + 1000),
    keyExpiresAt: null as Date | null,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

/**
 * Registers the conformance tests for a store. Call it at the top level of a vitest test file.
 *
 * @example
 * ```ts
 * import { runStoreConformance } from "@mcpgate/core/testing";
 * runStoreConformance(() => new MyStore(), { dump: (s) => (s as MyStore).dumpAll() });
 * ```
 */
export function runStoreConformance(
  makeStore: () => Store | Promise<Store>,
  options: ConformanceOptions = {},
): void {
  const eventTimeoutMs = options.eventTimeoutMs ?? 2000;

  async function withStore(test: (store: Store) => Promise<void>): Promise<void> {
    const store = await makeStore();
    try {
      await test(store);
    } finally {
      await options.cleanup?.(store);
    }
  }

  describe(options.name ?? "Store conformance", () => {
    it("create, then read back by id and by key id, field for field", () =>
      withStore(async (store) => {
        const record = sampleRecord();
        await store.create(record);
        expect(await store.getById(record.id)).toEqual(record);
        expect(await store.getByKeyId(record.keyId)).toEqual(record);
        expect(await store.getById("app_missing")).toBeUndefined();
        expect(await store.getByKeyId("zzzzzzzz")).toBeUndefined();
      }));

    it("keeps wildcards, empty lists, a null owner, no check tag and a null rate limit", () =>
      withStore(async (store) => {
        const record = sampleRecord({
          ownerId: null,
          keyCheck: "",
          policy: { tools: "*", resources: "*", prompts: [], scopes: [], rateLimit: null },
          metadata: {},
        });
        await store.create(record);
        expect(await store.getById(record.id)).toEqual(record);
      }));

    it("keeps a key's expiry, to the millisecond", () =>
      withStore(async (store) => {
        const record = sampleRecord({ keyExpiresAt: new Date(Date.UTC(2031, 0, 2, 3, 4, 5, 678)) });
        await store.create(record);
        expect(await store.getById(record.id)).toEqual(record);
        expect(await store.getByKeyId(record.keyId)).toEqual(record);
        expect(await store.list()).toEqual([record]);
      }));

    it("replaceKey sets the new key's expiry, or clears it (an expired key never outlives a regenerate)", () =>
      withStore(async (store) => {
        const record = sampleRecord({ keyExpiresAt: new Date(Date.UTC(2020, 0, 1)) });
        await store.create(record);
        const later = new Date(Date.UTC(2032, 5, 6, 7, 8, 9, 10));
        const renewed = await store.replaceKey(record.id, {
          ...replacementFor(record),
          keyExpiresAt: later,
        });
        expect(renewed.keyExpiresAt).toEqual(later);
        expect((await store.getById(record.id))?.keyExpiresAt).toEqual(later);
        const cleared = await store.replaceKey(record.id, replacementFor(renewed));
        expect(cleared.keyExpiresAt).toBeNull();
        expect((await store.getById(record.id))?.keyExpiresAt).toBeNull();
        // update() leaves the expiry alone.
        await store.replaceKey(record.id, { ...replacementFor(cleared), keyExpiresAt: later });
        const updated = await store.update(record.id, { name: "renamed" }, new Date());
        expect(updated.keyExpiresAt).toEqual(later);
      }));

    it("create refuses a duplicate key id and leaves the first record unchanged", () =>
      withStore(async (store) => {
        const first = sampleRecord();
        await store.create(first);
        const error = await rejection(store.create(sampleRecord({ keyId: first.keyId })));
        expect(error).toBeInstanceOf(DuplicateKeyIdError);
        expect(await store.getByKeyId(first.keyId)).toEqual(first);
        expect(await store.list()).toHaveLength(1);
      }));

    it("create refuses a duplicate id and leaves the first record unchanged", () =>
      withStore(async (store) => {
        const first = sampleRecord();
        await store.create(first);
        const second = sampleRecord({ id: first.id, name: "impostor" });
        await expect(store.create(second)).rejects.toBeInstanceOf(Error);
        expect(await store.getById(first.id)).toEqual(first);
        expect(await store.getByKeyId(second.keyId)).toBeUndefined();
        expect(await store.list()).toHaveLength(1);
      }));

    it("mutating a record after create, or one handed out, changes nothing stored", () =>
      withStore(async (store) => {
        const record = sampleRecord();
        await store.create(record);
        (record.policy.tools as string[]).push("injected");
        const read = await store.getById(record.id);
        try {
          (read?.policy.tools as string[]).push("injected-again");
        } catch {
          // Frozen records are a fine way to meet this rule.
        }
        expect((await store.getById(record.id))?.policy.tools).toEqual(["search", "fetch"]);
      }));

    it("list returns every record, oldest first", () =>
      withStore(async (store) => {
        const records = [0, 1, 2].map((i) =>
          sampleRecord({ createdAt: new Date(Date.UTC(2026, 0, 1 + i)) }),
        );
        for (const r of [records[2], records[0], records[1]]) await store.create(r as AppRecord);
        expect((await store.list()).map((r) => r.id)).toEqual(records.map((r) => r.id));
      }));

    it("list filters by owner and pages by (createdAt, id), even past a deleted cursor record", () =>
      withStore(async (store) => {
        const at = (day: number) => new Date(Date.UTC(2026, 0, day));
        // Two records share a createdAt, so the id breaks the tie.
        const mine = [
          sampleRecord({ id: "app_b", createdAt: at(1) }),
          sampleRecord({ id: "app_c", createdAt: at(1) }),
          sampleRecord({ id: "app_a", createdAt: at(2) }),
          sampleRecord({ id: "app_d", createdAt: at(3) }),
        ];
        const theirs = sampleRecord({ id: "app_z", ownerId: "owner_b", createdAt: at(1) });
        for (const record of [theirs, ...mine].reverse()) await store.create(record);
        const ids = (records: AppRecord[]) => records.map((r) => r.id);
        expect(ids(await store.list({ ownerId: "owner_a" }))).toEqual(ids(mine));
        expect(ids(await store.list({ ownerId: "owner_b" }))).toEqual(["app_z"]);
        expect(await store.list({ ownerId: "nobody" })).toEqual([]);
        const first = await store.list({ ownerId: "owner_a", limit: 2 });
        expect(ids(first)).toEqual(["app_b", "app_c"]);
        const last = first[1] as AppRecord;
        await store.delete(last.id);
        const rest = await store.list({ ownerId: "owner_a", after: last, limit: 10 });
        expect(ids(rest)).toEqual(["app_a", "app_d"]);
        expect(ids(await store.list({ after: { createdAt: at(1), id: "app_b" } }))).toEqual([
          "app_z",
          "app_a",
          "app_d",
        ]);
      }));

    it("update changes name, the given policy fields and metadata, never the key", () =>
      withStore(async (store) => {
        const record = sampleRecord();
        await store.create(record);
        const updatedAt = new Date(record.updatedAt.getTime() + 5000);
        const updated = await store.update(
          record.id,
          {
            name: "renamed",
            policy: { tools: ["only"], rateLimit: null },
            metadata: { v: 2 },
          },
          updatedAt,
        );
        const expected = {
          ...record,
          name: "renamed",
          policy: { ...record.policy, tools: ["only"], rateLimit: null },
          metadata: { v: 2 },
          updatedAt,
        };
        expect(updated).toEqual(expected);
        expect(await store.getById(record.id)).toEqual(expected);
        expect(
          await rejection(store.update("app_missing", { name: "x" }, updatedAt)),
        ).toBeInstanceOf(AppNotFoundError);
      }));

    it("concurrent updates of different policy fields all take effect (no lost update)", () =>
      withStore(async (store) => {
        const record = sampleRecord();
        await store.create(record);
        const at = new Date(record.updatedAt.getTime() + 1000);
        // A tool revocation racing a rate-limit change must not be undone by it.
        await Promise.all([
          store.update(record.id, { policy: { tools: ["search"] } }, at),
          store.update(record.id, { policy: { rateLimit: { requests: 1, windowSeconds: 1 } } }, at),
          store.update(record.id, { policy: { prompts: [] } }, at),
          store.update(record.id, { policy: { scopes: ["write"] } }, at),
          store.update(record.id, { name: "renamed" }, at),
        ]);
        const stored = await store.getById(record.id);
        expect(stored?.name).toBe("renamed");
        expect(stored?.policy).toEqual({
          tools: ["search"],
          resources: record.policy.resources,
          prompts: [],
          scopes: ["write"],
          rateLimit: { requests: 1, windowSeconds: 1 },
        });
      }));

    it("replaceKey swaps the key and bumps the generation; the old key id is gone", () =>
      withStore(async (store) => {
        const record = sampleRecord();
        await store.create(record);
        const replacement = replacementFor(record);
        const next = await store.replaceKey(record.id, replacement);
        expect(next).toMatchObject({
          keyId: replacement.keyId,
          keyHash: replacement.keyHash,
          keyCheck: replacement.keyCheck,
          keyGeneration: 2,
          keyIssuedAt: replacement.keyIssuedAt,
        });
        expect(await store.getByKeyId(record.keyId)).toBeUndefined();
        expect(await store.getByKeyId(replacement.keyId)).toEqual(next);
      }));

    it("replaceKey with a stale generation is a conflict and writes nothing", () =>
      withStore(async (store) => {
        const record = sampleRecord({ keyGeneration: 3 });
        await store.create(record);
        const error = await rejection(store.replaceKey(record.id, replacementFor(record, 2)));
        expect(error).toBeInstanceOf(GenerationConflictError);
        expect(await store.getById(record.id)).toEqual(record);
      }));

    it("replaceKey onto a key id another app holds is refused and writes nothing", () =>
      withStore(async (store) => {
        const a = sampleRecord();
        const b = sampleRecord();
        await store.create(a);
        await store.create(b);
        const error = await rejection(
          store.replaceKey(a.id, { ...replacementFor(a), keyId: b.keyId }),
        );
        expect(error).toBeInstanceOf(DuplicateKeyIdError);
        expect(await store.getById(a.id)).toEqual(a);
        expect(await store.getByKeyId(b.keyId)).toEqual(b);
      }));

    it("replaceKey of an unknown app is app_not_found", () =>
      withStore(async (store) => {
        const error = await rejection(
          store.replaceKey("app_missing", replacementFor(sampleRecord())),
        );
        expect(error).toBeInstanceOf(AppNotFoundError);
      }));

    it("concurrent replaceKey with the same expectation: exactly one wins, no key lost or duplicated", () =>
      withStore(async (store) => {
        const record = sampleRecord();
        await store.create(record);
        const replacements = Array.from({ length: 8 }, () => replacementFor(record));
        const outcomes = await Promise.allSettled(
          replacements.map((r) => store.replaceKey(record.id, r)),
        );
        const winners = outcomes.flatMap((o, i) =>
          o.status === "fulfilled" ? [replacements[i]] : [],
        );
        expect(winners).toHaveLength(1);
        for (const o of outcomes) {
          if (o.status === "rejected") expect(o.reason).toBeInstanceOf(GenerationConflictError);
        }
        const stored = await store.getById(record.id);
        expect(stored?.keyId).toBe(winners[0]?.keyId);
        expect(stored?.keyGeneration).toBe(2);
        const found = await Promise.all(replacements.map((r) => store.getByKeyId(r.keyId)));
        expect(found.filter(Boolean)).toHaveLength(1);
        expect(await store.getByKeyId(record.keyId)).toBeUndefined();
      }));

    it("updateKeyHash replaces the hash only at the expected generation", () =>
      withStore(async (store) => {
        const record = sampleRecord({ keyGeneration: 2 });
        await store.create(record);
        const newHash = record.keyHash.replace("m=19456", "m=65536");
        expect(await store.updateKeyHash(record.id, 1, newHash)).toBe(false);
        expect((await store.getById(record.id))?.keyHash).toBe(record.keyHash);
        expect(await store.updateKeyHash(record.id, 2, newHash)).toBe(true);
        expect(await store.getByKeyId(record.keyId)).toEqual({ ...record, keyHash: newHash });
        expect(await store.updateKeyHash("app_missing", 1, newHash)).toBe(false);
      }));

    it("touch records last use and ignores unknown apps", () =>
      withStore(async (store) => {
        const record = sampleRecord();
        await store.create(record);
        const at = new Date(record.createdAt.getTime() + 60_000);
        await store.touch(record.id, at);
        await store.touch("app_missing", at);
        expect((await store.getById(record.id))?.lastUsedAt).toEqual(at);
      }));

    it("delete is idempotent and removes the key id", () =>
      withStore(async (store) => {
        const record = sampleRecord();
        await store.create(record);
        expect(await store.delete(record.id)).toBe(true);
        expect(await store.delete(record.id)).toBe(false);
        expect(await store.getById(record.id)).toBeUndefined();
        expect(await store.getByKeyId(record.keyId)).toBeUndefined();
        await store.create(sampleRecord({ keyId: record.keyId }));
      }));

    it("concurrent creates with one key id: exactly one is stored", () =>
      withStore(async (store) => {
        const keyId = sampleRecord().keyId;
        const outcomes = await Promise.allSettled(
          Array.from({ length: 6 }, () => store.create(sampleRecord({ keyId }))),
        );
        expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
        for (const o of outcomes)
          if (o.status === "rejected") expect(o.reason).toBeInstanceOf(DuplicateKeyIdError);
        expect(await store.list()).toHaveLength(1);
      }));

    it("errors are coded McpgateErrors", () =>
      withStore(async (store) => {
        expect(isMcpgateError(await rejection(store.update("app_missing", {}, new Date())))).toBe(
          true,
        );
      }));

    it("change feed (if offered): update, replaceKey and delete each reach subscribers", () =>
      withStore(async (store) => {
        if (!store.subscribe) return;
        const events: StoreEvent[] = [];
        const unsubscribe = store.subscribe((event) => events.push(event));
        try {
          const record = sampleRecord();
          await store.create(record);
          await store.update(record.id, { name: "x" }, new Date());
          await store.replaceKey(record.id, replacementFor(record));
          await store.delete(record.id);
          const deadline = Date.now() + eventTimeoutMs;
          while (events.length < 3 && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 10));
          expect(events).toEqual([
            { type: "updated", appId: record.id },
            { type: "key_replaced", appId: record.id },
            { type: "deleted", appId: record.id },
          ]);
        } finally {
          unsubscribe();
        }
      }));

    it("no plaintext key anywhere in the stored state after creating and regenerating through a gate", () =>
      withStore(async (store) => {
        const gate = createGate({ store, lastUsed: false });
        const keys: string[] = [];
        for (const name of ["alpha", "beta"]) {
          const created = await gate.createApp({ name, tools: ["search"] });
          keys.push(created.key);
          await gate.authenticate(created.key);
          keys.push((await gate.regenerateKey(created.app.id)).key);
        }
        await gate.close();
        const dumps = [JSON.stringify(await store.list())];
        if (options.dump) dumps.push(await options.dump(store));
        for (const key of keys) {
          for (const dump of dumps) {
            expect(dump).not.toContain(key);
            expect(dump).not.toContain(key.slice(12));
          }
        }
      }));
  });
}
