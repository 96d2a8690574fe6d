/**
 * Every encoding of a key, against every adapter in its documented setup: a generated corpus
 * (encodings × positions in the request) sent over real HTTP, and a check that no decoding of the
 * response or of any captured log line (pino, pino-http, morgan `combined`) holds the key's secret.
 */
import { once } from "node:events";
import { connect } from "node:net";
import { createGate, MemoryStore, type Gate } from "@mcpgate/core";
import { CHAR_ENCODINGS, encodeKey, leakedSecret, wholeKeyForms } from "@mcpgate/core/testing";
import express from "express";
import express4 from "express4";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expressServer,
  send,
  fastifyPerRouteServer,
  servers,
  type RunningServer,
  type ServerFactory,
} from "./servers.js";

const setups: Record<string, ServerFactory> = {
  ...servers,
  "express 5, gate mounted at /mcp": expressServer("express 5", express, "/mcp"),
  "express 4, gate mounted at /mcp": expressServer("express 4", express4, "/mcp"),
  "fastify, decorateOnly on one route": fastifyPerRouteServer,
};

interface Probe {
  path: string;
  headers: Record<string, string>;
}

/** Where an encoded key goes in a request. */
const positions: ReadonlyArray<(encoded: string) => Probe> = [
  (e) => ({ path: `/mcp/${e}`, headers: {} }),
  (e) => ({ path: `/mcp/${e}/tools?x=1`, headers: {} }),
  (e) => ({ path: `/other/${e}`, headers: {} }),
  (e) => ({ path: `/${e}`, headers: {} }),
  (e) => ({ path: `/mcp?x=${e}`, headers: {} }),
  (e) => ({ path: `/other?q=${e}`, headers: {} }),
  (e) => ({ path: "/mcp", headers: { authorization: `Bearer ${e}` } }),
  (e) => ({ path: "/other", headers: { authorization: `Bearer ${e}` } }),
  (e) => ({ path: "/mcp", headers: { referer: `https://client.example/mcp/${e}` } }),
  (e) => ({ path: "/other", headers: { "x-forwarded-uri": `/mcp/${e}` } }),
  (e) => ({ path: "/missing", headers: { "x-original-url": `/mcp/${e}?a=b` } }),
  (e) => ({ path: "/mcp", headers: { cookie: `session=${e}` } }),
  (e) => ({ path: "/other", headers: { "user-agent": `agent/1.0 (${e})` } }),
];

/** The response as one text: status line headers and body. */
async function sendProbe(base: string, probe: Probe): Promise<{ status: number; text: string }> {
  const reply = await send(base, probe.path, probe.headers);
  return { status: reply.status, text: `${reply.rawHeaders.join("\n")}\n${reply.text}` };
}

/** A request Node's parser refuses (a header line without a colon): `clientError`, `rawPacket`. */
async function sendMalformed(base: string, path: string): Promise<string> {
  const url = new URL(base);
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, "connect");
  socket.end(`GET ${path} HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n`);
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await once(socket, "close");
  return Buffer.concat(chunks).toString("latin1");
}

const chain = fc.array(fc.constantFrom(...CHAR_ENCODINGS), { maxLength: 3 });
/** Per-character encoding chains for the 36 characters of a key, most characters left plain. */
const chains = fc.array(
  fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: chain }),
  { minLength: 36, maxLength: 36 },
);
const prefix = fc.constantFrom("mgw_", "MGW_", "Mgw_", "mgW_");

describe.each(Object.entries(setups))("every encoding of a key: %s", (_, start) => {
  let gate: Gate;
  let server: RunningServer;
  let key: string;
  let logsSeen = 0;

  beforeAll(async () => {
    gate = createGate({ store: new MemoryStore(), lastUsed: false });
    ({ key } = await gate.createApp({ name: "leaky" }));
    server = await start(gate);
  });

  afterAll(async () => {
    await server?.close();
    await gate?.close();
  });

  /** The new log lines and `text`: no decoding of any of them holds the secret. */
  async function expectNoSecret(text: string, what: string): Promise<void> {
    // Loggers write when the response finishes; give them the turn.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const lines = server.logs.slice(logsSeen);
    logsSeen = server.logs.length;
    for (const [source, captured] of [["response", text], ...lines.map((l) => ["log", l])]) {
      if (leakedSecret(captured ?? "", key) !== null) {
        throw new Error(`${what}: the key's secret is in the ${source}: ${captured}`);
      }
    }
  }

  async function probe(probe: Probe, what: string): Promise<{ status: number; text: string }> {
    const reply = await sendProbe(server.url, probe);
    await expectNoSecret(reply.text, what);
    expect(reply.status, what).toBeLessThan(500);
    return reply;
  }

  it("whole-key forms (prefix case, percent-encoded repeatedly, escapes, Basic credentials)", async () => {
    const forms = Object.entries(wholeKeyForms(key));
    for (const [i, [name, form]] of forms.entries()) {
      // Each form in three positions, cycling through all of them.
      for (const offset of [0, 5, 9]) {
        const position = positions[(i + offset) % positions.length];
        if (!position) continue;
        const p = position(name.startsWith("Basic") ? form.slice(6) : form);
        await probe(p, `${name} at ${p.path} ${JSON.stringify(p.headers)}`);
      }
      if (name.startsWith("Basic")) {
        await probe(
          { path: "/other", headers: { authorization: form } },
          `${name} as Authorization`,
        );
        await probe({ path: "/mcp", headers: { authorization: form } }, `${name} on /mcp`);
      }
    }
  });

  it("property: per-character encoding chains in any position leak nothing", async () => {
    await fc.assert(
      fc.asyncProperty(chains, prefix, fc.nat({ max: positions.length - 1 }), async (c, p, at) => {
        const encoded = encodeKey(key, c, p);
        const position = positions[at];
        if (!position) return;
        const request = position(encoded);
        await probe(request, `${request.path} ${JSON.stringify(request.headers)}`);
      }),
      { numRuns: 60 },
    );
  });

  it("a request Node's parser refuses (rawPacket, logged by Fastify at trace) leaks nothing", async () => {
    for (const path of [`/mcp/${key}`, `/other/%6D${key.slice(1)}`]) {
      const answer = await sendMalformed(server.url, path);
      await expectNoSecret(answer, `malformed request to ${path}`);
    }
  });

  it("the valid key still authenticates, in the path and in the header", async () => {
    const inPath = await sendProbe(server.url, { path: `/mcp/${key}`, headers: {} });
    const inHeader = await sendProbe(server.url, {
      path: "/mcp",
      headers: { authorization: `Bearer ${key}` },
    });
    expect([inPath.status, inHeader.status]).toEqual([200, 200]);
    await expectNoSecret(inPath.text + inHeader.text, "valid key");
  });
});
