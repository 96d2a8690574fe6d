/**
 * Spans and metrics with the real OpenTelemetry SDK (in-memory span and metric exporters,
 * registered as the global providers, exactly as a host's setup does): names, attributes, the
 * Argon2 histogram and queue gauge; never a key; nothing active while no SDK is registered.
 */
import { metrics, trace } from "@opentelemetry/api";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { loadOptional } from "../src/otel-instruments.js";
import {
  containsKey,
  createGate,
  MemoryStore,
  telemetryOf,
  type Gate,
  type GateOptions,
} from "../src/index.js";
import { countingHasher, sameIdOtherSecret } from "./helpers.js";

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});
const meterProvider = new MeterProvider({ readers: [reader] });
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(spans)],
});

const gates: Gate[] = [];
function gateWith(options: Partial<GateOptions> = {}): Gate {
  const gate = createGate({ store: new MemoryStore(), lastUsed: false, ...options });
  gates.push(gate);
  return gate;
}

afterEach(async () => {
  await Promise.all(gates.splice(0).map((gate) => gate.close()));
  trace.disable();
  metrics.disable();
  spans.reset();
  metricExporter.reset();
});

function register(): void {
  expect(trace.setGlobalTracerProvider(tracerProvider)).toBe(true);
  expect(metrics.setGlobalMeterProvider(meterProvider)).toBe(true);
}

async function collected(): Promise<Map<string, MetricData>> {
  await reader.forceFlush();
  const byName = new Map<string, MetricData>();
  for (const resource of metricExporter.getMetrics()) {
    for (const scope of resource.scopeMetrics) {
      for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
    }
  }
  return byName;
}

const bearer = (key: string) => ({ url: "/mcp", headers: { authorization: `Bearer ${key}` } });

describe("OpenTelemetry: without an SDK", () => {
  it("is inactive: nothing measured, no span, no metric", async () => {
    const gate = gateWith();
    expect(telemetryOf(gate)?.active).toBe(false);
    const { key } = await gate.createApp({ name: "quiet" });
    expect((await gate.authenticateRequest(bearer(key))).ok).toBe(true);
    register();
    expect(telemetryOf(gate)?.active).toBe(true);
    trace.disable();
    metrics.disable();
    expect(telemetryOf(gate)?.active).toBe(false);
    expect(spans.getFinishedSpans()).toEqual([]);
  });

  it("loads the API optionally: a missing module is undefined, not an error", () => {
    expect(loadOptional("@opentelemetry/not-installed-anywhere")).toBeUndefined();
    expect(loadOptional<{ trace: unknown }>("@opentelemetry/api")?.trace).toBeDefined();
  });
});

describe("OpenTelemetry: with the SDK registered", () => {
  it("mcpgate.authenticate spans and the outcome and cache counters; never a key", async () => {
    register();
    const gate = gateWith();
    const { app, key } = await gate.createApp({ name: "traced" });
    const wrong = sameIdOtherSecret(key);
    await gate.authenticateRequest({ url: `/mcp/${key}` }); // cold: a cache miss
    await gate.authenticateRequest(bearer(key)); // cached
    await gate.authenticateRequest(bearer(wrong));
    await gate.authenticateRequest({ url: "/mcp" });

    const finished = spans.getFinishedSpans();
    expect(finished.map((span) => span.name)).toEqual(Array(4).fill("mcpgate.authenticate"));
    expect(finished.map((span) => span.attributes)).toEqual([
      {
        "mcpgate.auth.outcome": "success",
        "mcpgate.app.id": app.id,
        "mcpgate.key.id": app.keyId,
        "mcpgate.key.source": "path",
        "mcpgate.auth.cache_hit": false,
      },
      {
        "mcpgate.auth.outcome": "success",
        "mcpgate.app.id": app.id,
        "mcpgate.key.id": app.keyId,
        "mcpgate.key.source": "header",
        "mcpgate.auth.cache_hit": true,
      },
      {
        "mcpgate.auth.outcome": "failure",
        "mcpgate.auth.reason": "invalid_key",
        "mcpgate.key.id": app.keyId,
        "mcpgate.key.source": "header",
        "mcpgate.auth.cache_hit": false,
      },
      {
        "mcpgate.auth.outcome": "failure",
        "mcpgate.auth.reason": "missing_credentials",
        "mcpgate.auth.cache_hit": false,
      },
    ]);
    for (const span of finished) {
      expect(span.instrumentationScope.name).toBe("@mcpgate/core");
      expect(span.status.code).toBe(0); // UNSET: a refused key is not a server error
      expect(span.duration[0] * 1e9 + span.duration[1]).toBeGreaterThanOrEqual(0);
    }

    const byName = await collected();
    const points = (name: string) =>
      (byName.get(name)?.dataPoints ?? []).map(({ attributes, value }) => ({ attributes, value }));
    expect(points("mcpgate.auth.outcomes")).toEqual([
      { attributes: { "mcpgate.auth.outcome": "success" }, value: 2 },
      {
        attributes: { "mcpgate.auth.outcome": "failure", "mcpgate.auth.reason": "invalid_key" },
        value: 1,
      },
      {
        attributes: {
          "mcpgate.auth.outcome": "failure",
          "mcpgate.auth.reason": "missing_credentials",
        },
        value: 1,
      },
    ]);
    expect(points("mcpgate.auth.cache.hits")).toEqual([{ attributes: {}, value: 1 }]);
    expect(points("mcpgate.auth.cache.misses")).toEqual([{ attributes: {}, value: 2 }]);
    expect(byName.get("mcpgate.auth.outcomes")?.descriptor.unit).toBe("{request}");

    const exported = JSON.stringify({
      spans: finished.map(({ name, attributes, events }) => ({ name, attributes, events })),
      metrics: [...byName.values()],
    });
    expect(containsKey(exported)).toBe(false);
  });

  it("times Argon2 in a histogram (seconds) and gauges the queue depth", async () => {
    register();
    const counting = countingHasher();
    const gate = gateWith({
      hasher: counting.hasher,
      verification: { concurrency: 1, maxQueue: 10 },
    });
    const issued = await Promise.all(
      ["a", "b", "c"].map((name) => gate.createApp({ name, tools: [] })),
    );
    const release = counting.hold();
    const pending = issued.map(({ key }) => gate.authenticateRequest(bearer(key)));
    await expect.poll(() => counting.calls.verify).toBe(1);
    const during = await collected();
    expect(during.get("mcpgate.auth.argon2.queue_depth")?.dataPoints[0]?.value).toBe(2);
    release();
    expect((await Promise.all(pending)).every((result) => result.ok)).toBe(true);
    await gate.authenticateRequest(bearer(sameIdOtherSecret(issued[0]!.key, 0)));

    metricExporter.reset();
    const after = await collected();
    expect(after.get("mcpgate.auth.argon2.queue_depth")?.dataPoints[0]?.value).toBe(0);
    const histogram = after.get("mcpgate.auth.verification.duration");
    expect(histogram?.descriptor.unit).toBe("s");
    const counts = Object.fromEntries(
      (histogram?.dataPoints ?? []).map((point) => [
        point.attributes["mcpgate.verification.outcome"],
        (point.value as { count: number }).count,
      ]),
    );
    // The wrong secret never reaches Argon2: the check tag refuses it first.
    expect(counts).toEqual({ valid: 3 });
  });

  it("marks a span as an error only for failures to answer (5xx)", async () => {
    register();
    const gate = gateWith();
    await gate.close();
    await gate.authenticateRequest(bearer("mgw_" + "a".repeat(32)));
    const [span] = spans.getFinishedSpans();
    expect(span?.attributes["mcpgate.auth.reason"]).toBe("closed");
    expect(span?.status.code).toBe(2); // ERROR
  });
});
