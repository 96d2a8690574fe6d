/**
 * `authenticateRequestFast`: the same answer as `gate.authenticateRequest`, without a promise when
 * no store read is needed, and a wrapped `authenticateRequest` still runs.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authenticateRequestFast,
  createGate,
  generateKey,
  MemoryStore,
  type AuthResult,
  type Gate,
} from "../src/index.js";

let gate: Gate;
let key: string;
const unknown = generateKey();

beforeAll(async () => {
  gate = createGate({ store: new MemoryStore(), lastUsed: false });
  ({ key } = await gate.createApp({ name: "fast" }));
  await gate.authenticate(key);
  await gate.authenticate(unknown).catch(() => undefined);
});

afterAll(() => gate.close());

const settle = async (answer: AuthResult | Promise<AuthResult>) => await answer;

describe("authenticateRequestFast", () => {
  it("answers a cached key, a memoized unknown key and a refused request without a promise", () => {
    const cached = authenticateRequestFast(gate, {
      url: "/mcp",
      headers: { authorization: `Bearer ${key}` },
    });
    expect(cached).not.toBeInstanceOf(Promise);
    expect(cached).toMatchObject({ ok: true, credential: { source: "header", url: "/mcp" } });
    const memoized = authenticateRequestFast(gate, { url: `/mcp/${unknown}`, headers: {} });
    expect(memoized).toMatchObject({ ok: false, error: { code: "invalid_key" } });
    const missing = authenticateRequestFast(gate, { url: "/mcp", headers: {} });
    expect(missing).toMatchObject({ ok: false, challenge: { status: 401 } });
  });

  it("returns a promise, which resolves to the answer, when the store must be read", async () => {
    const cold = createGate({ store: new MemoryStore(), lastUsed: false });
    const { key: coldKey, app } = await cold.createApp({ name: "cold" });
    const answer = authenticateRequestFast(cold, { url: `/mcp/${coldKey}`, headers: {} });
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).resolves.toMatchObject({ ok: true, app: { id: app.id } });
    expect(authenticateRequestFast(cold, { url: `/mcp/${coldKey}` })).not.toBeInstanceOf(Promise);
    await cold.close();
  });

  it("admits a principal that isCurrent() accepts, as authenticateRequest does", async () => {
    const answer = await settle(authenticateRequestFast(gate, { url: `/mcp/${key}` }));
    expect(answer.ok && gate.isCurrent(answer.app)).toBe(true);
  });

  it("calls a replaced authenticateRequest (a wrapper), not the gate's own", async () => {
    let calls = 0;
    const wrapped: Gate = {
      ...gate,
      authenticateRequest: (request) => (calls++, gate.authenticateRequest(request)),
    };
    const answer = authenticateRequestFast(wrapped, { url: `/mcp/${key}` });
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).resolves.toMatchObject({ ok: true });
    expect(calls).toBe(1);
  });

  it("gives authenticateRequest's answer for any request (paths, headers, keys)", async () => {
    const credential = fc.constantFrom(key, unknown, "mgw_short", key.toUpperCase(), "");
    const request = fc.record(
      {
        url: fc.oneof(
          fc.constant("/mcp"),
          credential.map((k) => `/mcp/${k}`),
          fc.webPath(),
          credential.map((k) => `/mcp?k=${k}`),
        ),
        headers: fc.record(
          {
            authorization: fc.oneof(
              credential.map((k) => `Bearer ${k}`),
              fc.string(),
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ["headers"] },
    );
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const slow = await gate.authenticateRequest(req);
        const fast = await settle(authenticateRequestFast(gate, req));
        expect(fast).toEqual(slow);
      }),
      { numRuns: 60 },
    );
  });
});
