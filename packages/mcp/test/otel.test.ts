/**
 * `mcpgate.tool_call` spans and the `mcpgate.tool.calls` counter with the real OpenTelemetry SDK
 * (in-memory exporters, global providers) while a real SDK client calls tools; never a key.
 */
import { containsKey } from "@mcpgate/core";
import { metrics, trace } from "@opentelemetry/api";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, expect, it } from "vitest";
import { connectClient, startServer, type Harness } from "./helpers.js";

const spans = new InMemorySpanExporter();
const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });

let h: Harness;
beforeAll(async () => {
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
  );
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  h = await startServer({ mode: "stateless" });
});
afterAll(async () => {
  await h.close();
  trace.disable();
  metrics.disable();
});

it("one span per tool call (ok, error, refused) and calls counted by app and outcome", async () => {
  const { app, key } = await h.gate.createApp({ name: "otel", tools: ["echo"] });
  const client = await connectClient(h.origin, key);
  await client.callTool({ name: "echo", arguments: { text: "hi" } });
  await client.callTool({ name: "echo", arguments: { text: 1 } });
  await expect(client.callTool({ name: "drop_tables", arguments: {} })).rejects.toThrow();
  await client.close();

  const toolSpans = spans.getFinishedSpans().filter((span) => span.name === "mcpgate.tool_call");
  const principal = { "mcpgate.app.id": app.id, "mcpgate.key.id": app.keyId };
  expect(toolSpans.map((span) => span.attributes)).toEqual([
    { ...principal, "mcpgate.tool.name": "echo", "mcpgate.tool.outcome": "ok" },
    { ...principal, "mcpgate.tool.name": "echo", "mcpgate.tool.outcome": "error" },
    {
      ...principal,
      "mcpgate.tool.name": "drop_tables",
      "mcpgate.tool.outcome": "refused",
      "mcpgate.tool.refusal_reason": "tool_not_allowed",
    },
  ]);
  expect(toolSpans.map((span) => span.status.code)).toEqual([0, 2, 0]);
  expect(spans.getFinishedSpans().some((span) => span.name === "mcpgate.authenticate")).toBe(true);

  await reader.forceFlush();
  const calls = exporter
    .getMetrics()
    .flatMap((resource) => resource.scopeMetrics)
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === "mcpgate.tool.calls")
    .at(-1);
  expect(calls?.dataPoints.map(({ attributes, value }) => ({ attributes, value }))).toEqual([
    { attributes: { "mcpgate.app.id": app.id, "mcpgate.tool.outcome": "ok" }, value: 1 },
    { attributes: { "mcpgate.app.id": app.id, "mcpgate.tool.outcome": "error" }, value: 1 },
    { attributes: { "mcpgate.app.id": app.id, "mcpgate.tool.outcome": "refused" }, value: 1 },
  ]);
  const everything = JSON.stringify({
    spans: spans.getFinishedSpans().map(({ name, attributes }) => ({ name, attributes })),
    metrics: exporter.getMetrics(),
  });
  expect(containsKey(everything)).toBe(false);
});
