/**
 * OpenTelemetry spans and metrics through `@opentelemetry/api`, an optional peer: loaded once,
 * synchronously, when this module loads; absent, every function here is a constant `undefined`.
 * Present, the global tracer and meter providers are used (nothing to configure). Until an SDK
 * registers a provider nothing is created per request: {@link otelInstruments} compares two
 * provider references (no allocation) and answers `undefined`.
 *
 * Names follow the OpenTelemetry semantic-convention style; docs/observability.md lists them.
 */
import { createRequire } from "node:module";
import type * as OtelApi from "@opentelemetry/api";

/** The instrumentation scope name of every span and metric. */
export const INSTRUMENTATION_SCOPE = "@mcpgate/core";

/** Metric and span names (documented in docs/observability.md). */
export const OTEL_NAMES = {
  authSpan: "mcpgate.authenticate",
  toolSpan: "mcpgate.tool_call",
  authOutcomes: "mcpgate.auth.outcomes",
  verificationDuration: "mcpgate.auth.verification.duration",
  cacheHits: "mcpgate.auth.cache.hits",
  cacheMisses: "mcpgate.auth.cache.misses",
  argon2QueueDepth: "mcpgate.auth.argon2.queue_depth",
  toolCalls: "mcpgate.tool.calls",
} as const;

/** What an SDK-backed provider gives us; each part only when its provider is registered. */
export interface Instruments {
  readonly api: typeof OtelApi;
  readonly tracer: OtelApi.Tracer | undefined;
  readonly authOutcomes: OtelApi.Counter | undefined;
  readonly verificationDuration: OtelApi.Histogram | undefined;
  readonly cacheHits: OtelApi.Counter | undefined;
  readonly cacheMisses: OtelApi.Counter | undefined;
  readonly toolCalls: OtelApi.Counter | undefined;
}

/** Loads an optional module by name; `undefined` when it is not installed. @internal */
export function loadOptional<T>(name: string): T | undefined {
  try {
    // CommonJS build: this file's path; ES modules: its URL. (Not `require` itself: bundlers
    // replace it in ES module output with a stub that throws.)
    const from = typeof __filename === "string" ? __filename : import.meta.url;
    return createRequire(from)(name) as T;
  } catch {
    return undefined;
  }
}

const api = loadOptional<typeof OtelApi>("@opentelemetry/api");
/** The no-op tracer provider of this copy of the API (what an unregistered proxy delegates to). */
const noopTracerProvider = api ? new api.ProxyTracerProvider().getDelegate() : undefined;
const noopMeter = api?.createNoopMeter();

let seenTracerProvider: unknown;
let seenMeterProvider: unknown;
let current: Instruments | undefined;

/** Argon2 queue depths of live gates, summed into one gauge observation. */
const queueSources = new Set<WeakRef<{ readonly verificationQueue: number }>>();

function tracerDelegate(api: typeof OtelApi): OtelApi.TracerProvider {
  const provider = api.trace.getTracerProvider() as Partial<OtelApi.ProxyTracerProvider>;
  // Duck-typed: the registered proxy may come from another copy of the API (ESM vs CJS).
  return typeof provider.getDelegate === "function"
    ? provider.getDelegate()
    : (provider as OtelApi.TracerProvider);
}

function rebuild(
  api: typeof OtelApi,
  tracerProvider: OtelApi.TracerProvider,
  meterProvider: OtelApi.MeterProvider,
): Instruments | undefined {
  const tracer =
    tracerProvider === noopTracerProvider
      ? undefined
      : tracerProvider.getTracer(INSTRUMENTATION_SCOPE);
  const candidate = meterProvider.getMeter(INSTRUMENTATION_SCOPE);
  const meter = candidate === noopMeter ? undefined : candidate;
  if (tracer === undefined && meter === undefined) return undefined;
  meter
    ?.createObservableGauge(OTEL_NAMES.argon2QueueDepth, {
      description: "Argon2 verifications waiting for a slot in the bounded pool.",
      unit: "{verification}",
    })
    .addCallback((result) => {
      let depth = 0;
      for (const ref of queueSources) {
        const source = ref.deref();
        if (source === undefined) queueSources.delete(ref);
        else depth += source.verificationQueue;
      }
      result.observe(depth);
    });
  const counter = (name: string, description: string, unit: string) =>
    meter?.createCounter(name, { description, unit });
  return {
    api,
    tracer,
    authOutcomes: counter(
      OTEL_NAMES.authOutcomes,
      "Authentication outcomes of requests, by outcome and reason.",
      "{request}",
    ),
    verificationDuration: meter?.createHistogram(OTEL_NAMES.verificationDuration, {
      description: "Duration of Argon2id verifications (the cold path).",
      unit: "s",
      advice: {
        explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5],
      },
    }),
    cacheHits: counter(
      OTEL_NAMES.cacheHits,
      "Authentications answered from the verified-key cache.",
      "{request}",
    ),
    cacheMisses: counter(
      OTEL_NAMES.cacheMisses,
      "Authentications of well-formed keys not answered from the cache.",
      "{request}",
    ),
    toolCalls: counter(OTEL_NAMES.toolCalls, "MCP tool calls, by app and outcome.", "{call}"),
  };
}

/**
 * Where `@opentelemetry/api` 1.x keeps what is registered (providers, the diag logger): a global
 * that exists only once something registered. The API's own key, `opentelemetry.js.api.<major>`.
 */
const OTEL_REGISTRY = Symbol.for("opentelemetry.js.api.1");

/**
 * The instruments of the registered providers, or `undefined` when `@opentelemetry/api` is not
 * installed or no SDK registered a provider. Cheap enough for every request: one global read when
 * nothing ever registered (a process without an SDK); otherwise two provider lookups and two
 * reference comparisons. Instruments are rebuilt only when a provider changes.
 */
export function otelInstruments(): Instruments | undefined {
  if (api === undefined) return undefined;
  // Nothing registered yet: the API would answer with its no-op providers.
  if ((globalThis as Record<symbol, unknown>)[OTEL_REGISTRY] === undefined) return undefined;
  const tracerProvider = tracerDelegate(api);
  const meterProvider = api.metrics.getMeterProvider();
  if (tracerProvider !== seenTracerProvider || meterProvider !== seenMeterProvider) {
    seenTracerProvider = tracerProvider;
    seenMeterProvider = meterProvider;
    current = rebuild(api, tracerProvider, meterProvider);
  }
  return current;
}

/** Counts `source.verificationQueue` into the queue-depth gauge while `source` lives. */
export function observeQueueDepth(source: { readonly verificationQueue: number }): () => void {
  const ref = new WeakRef(source);
  queueSources.add(ref);
  return () => queueSources.delete(ref);
}
