/**
 * The real OpenTelemetry HTTP instrumentation against a real node:http server on 127.0.0.1: with
 * the redacting processor, no exported span holds a key; without it, they do (so the test can fail).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type * as Http from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedactingSpanProcessor, generateKey, redactSpanAttributes } from "../src/index.js";

const exporter = new InMemorySpanExporter();
let redacting = true;
const redactor = createRedactingSpanProcessor();
const provider = new BasicTracerProvider({
  spanProcessors: [
    // Switchable, to show the same setup leaks without it.
    {
      onStart: (span, context) => void (redacting && redactor.onStart(span, context)),
      onEnding: (span) => void (redacting && redactor.onEnding(span)),
      onEnd: () => {},
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    },
    new SimpleSpanProcessor(exporter),
  ],
});
const instrumentation = new HttpInstrumentation({
  // A hook that sets a URL attribute late, after onStart: the processor's onEnding must catch it.
  applyCustomAttributesOnSpan: (span, request) => {
    if ("url" in request && typeof request.url === "string")
      span.setAttribute("app.url", request.url);
  },
});
instrumentation.setTracerProvider(provider);
instrumentation.enable();
// The instrumentation patches node:http when it is required; the patch is on shared prototypes.
const http = createRequire(import.meta.url)("node:http") as typeof Http;

let server: Http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.includes("boom")) {
      res.destroy(new Error(`failed on ${req.url}`));
      return;
    }
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  instrumentation.disable();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await provider.shutdown();
});

/** A request through the instrumented http module, so there is a client span too. */
function get(path: string): Promise<void> {
  return new Promise((resolve) => {
    const request = http.get(`${base}${path}`, (res) => {
      res.resume();
      res.on("end", () => resolve());
      res.on("error", () => resolve());
    });
    request.on("error", () => resolve());
  });
}

async function exportedFor(path: string): Promise<ReadableSpan[]> {
  exporter.reset();
  await get(path);
  // The server span ends on the response's close event, a turn after the client has read it.
  for (let i = 0; i < 50 && exporter.getFinishedSpans().length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return exporter.getFinishedSpans();
}

const paths = (key: string) => [
  `/mcp/${key}`,
  `/mcp/${key}?session=1`,
  `/mcp/${key.replace("_", "%5F")}`,
  `/mcp/${encodeURIComponent(encodeURIComponent(key)).replace("_", "%255F")}`,
  `/boom/${key}`,
];

describe("createRedactingSpanProcessor with @opentelemetry/instrumentation-http", () => {
  it("exports no span (server or client) with the key's secret, in any attribute or event", async () => {
    const key = generateKey();
    const secret = key.slice(12);
    for (const path of paths(key)) {
      const spans = await exportedFor(path);
      expect(spans.map((span) => span.kind).sort()).toEqual([1, 2]);
      const text = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]));
      expect(text, path).not.toContain(secret);
      expect(text).toContain(key.slice(0, 12));
    }
  });

  it("the same setup without it leaks the key into url.path / url.full (the test can fail)", async () => {
    redacting = false;
    try {
      const key = generateKey();
      const spans = await exportedFor(`/mcp/${key}`);
      const server = spans.find((span) => span.kind === 1);
      expect(JSON.stringify(server?.attributes)).toContain(key);
    } finally {
      redacting = true;
    }
  });
});

describe("redactSpanAttributes", () => {
  it("redacts names, string and array attributes, event attributes, and leaves the rest", () => {
    const key = generateKey();
    const attributes: Record<string, unknown> = {
      "url.full": `http://h/mcp/${key}`,
      list: ["a", `/mcp/${key}`],
      n: 1,
    };
    const events = [{ attributes: { "exception.message": `no route ${key}` } }];
    let name = `GET /mcp/${key}`;
    redactSpanAttributes({
      get name() {
        return name;
      },
      attributes: attributes as never,
      events,
      setAttribute: (k, v) => void (attributes[k] = v),
      updateName: (next) => void (name = next),
    });
    expect(JSON.stringify([name, attributes, events])).not.toContain(key.slice(12));
    expect(attributes.n).toBe(1);
    expect(name).toBe(`GET /mcp/${key.slice(0, 12)}…`);
  });
});
