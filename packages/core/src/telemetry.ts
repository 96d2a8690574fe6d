/**
 * What a gate reports, in one place: audit events to the host's event bus, and OpenTelemetry
 * spans and metrics. Callers check {@link GateTelemetry.active} first and only then measure or
 * report, so a gate nobody observes builds nothing per request. Nothing reported holds a key:
 * keys appear as their public key id only.
 */
import type { App } from "./app.js";
import type { RequestLike } from "./credential.js";
import type { McpgateErrorCode } from "./errors.js";
import type { EventBus } from "./event-bus.js";
import {
  EVENT_SCHEMA_VERSION,
  makeEvent,
  type AuthSucceededEvent,
  type EventInput,
  type KeySource,
  type RequestContext,
  type SessionCloseCause,
} from "./events.js";
import type { KeyHasher } from "./hashing.js";
import { isKey, KEY_ID_LENGTH, KEY_PREFIX } from "./key-format.js";
import { redactKey } from "./redact.js";
import {
  OTEL_NAMES,
  observeQueueDepth,
  otelInstruments,
  type Instruments,
} from "./otel-instruments.js";

/**
 * How a gate learns a request's client address for audit events: `"socket"` reads
 * `request.socket.remoteAddress` (the peer; behind a proxy, the proxy), a function reads
 * whatever the host trusts (e.g. the first `X-Forwarded-For` hop its proxy sets). Without it no
 * address is recorded.
 */
export type ClientAddressOption = "socket" | ((request: RequestLike) => string | undefined);

/** Outcome of a tool call as reported: the tool ran (`ok`/`error`) or was refused before it ran. */
export type ToolCallOutcome = "ok" | "error" | "refused";

/** The app and key a session or tool call belongs to. */
export interface TelemetryPrincipal {
  readonly id: string;
  readonly keyId: string;
}

/**
 * The reporting side of a gate, for the MCP endpoint and adapters (hosts subscribe to the event
 * bus they passed as `events` instead). Check `active` before measuring anything.
 *
 * @example
 * ```ts
 * const telemetry = telemetryOf(gate);
 * const startedAt = telemetry.active ? telemetry.now() : 0;
 * // … run the tool …
 * if (telemetry.active) telemetry.toolCalled(app, "search", startedAt, "ok");
 * ```
 */
export interface GateTelemetry {
  /** The bus given to `createGate({ events })`, if any. */
  readonly events: EventBus | undefined;
  /** True when a subscriber listens or an OpenTelemetry SDK is registered. */
  readonly active: boolean;
  /** A monotonic clock in milliseconds (`performance.now()`), for `startedAt`. */
  now(): number;
  /** A tool ran; `startedAt` from {@link GateTelemetry.now}. */
  toolCalled(
    app: TelemetryPrincipal,
    tool: string,
    startedAt: number,
    outcome: "ok" | "error",
  ): void;
  /** A tool call was refused before it ran (policy, guardrail, rate limit, revoked key). */
  toolRefused(app: TelemetryPrincipal, tool: string, reason: McpgateErrorCode): void;
  /** An app's own rate limit refused a call. */
  rateLimited(app: TelemetryPrincipal, retryAfterSeconds: number): void;
  /** An MCP session was opened. */
  sessionOpened(app: TelemetryPrincipal): void;
  /** An MCP session was closed. */
  sessionClosed(app: TelemetryPrincipal, cause: SessionCloseCause): void;
}

/** What the gate itself reports on top (authentication, lifecycle). @internal */
export interface GateReporter extends GateTelemetry {
  /** The OpenTelemetry instruments, if an SDK is registered (one global read when none is). */
  readonly instruments: Instruments | undefined;
  /** The report of an authentication that began at `now` (the cache's clock reading). */
  begin(
    request: RequestLike,
    now: number,
    otel: Instruments | undefined,
    startedAt: number,
    credential: { key: string; source: KeySource } | undefined,
  ): AuthReport;
  /** A cached key accepted while no OpenTelemetry SDK is registered: the event, no report. */
  accepted(request: RequestLike, source: KeySource, now: number, app: App): void;

  /** Emits a lifecycle event when someone subscribes. */
  emit(event: EventInput): void;
  authenticated(report: AuthReport, app: App): void;
  refused(report: AuthReport, error: RefusalInfo): void;
  /** The hasher with its `verify` timed into the verification histogram. */
  timed(hasher: KeyHasher): KeyHasher;
  close(): void;
}

/** What the gate knows about one authentication when it reports it. @internal */
export interface AuthReport {
  readonly request: RequestLike;
  /**
   * The gate's clock when it began (the cache's "now"), or when a store read settled it: the
   * event's `at`.
   */
  now: number;
  /** The OpenTelemetry instruments when it began, if an SDK is registered. */
  readonly otel: Instruments | undefined;
  /** `performance.now()` when it began, if a tracer is registered (for the span); otherwise 0. */
  readonly startedAt: number;
  cacheHit: boolean;
  readonly source: KeySource | undefined;
  /** The presented key (only its id is ever reported). */
  readonly key: string | undefined;
}

/** The parts of a refusal telemetry reports. @internal */
export interface RefusalInfo {
  code: McpgateErrorCode;
  status: number;
  retryAfterSeconds?: number;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Longest tool name reported; MCP names are at most 128 characters. */
const MAX_TOOL_NAME = 128;

/**
 * A tool name as the client sent it is untrusted: a refused call may name anything, a key
 * included. Redacted (whole, before it is cut), then bounded.
 */
const toolLabel = (tool: string): string => redactKey(tool).slice(0, MAX_TOOL_NAME);

function keyIdOf(key: string | undefined): string | undefined {
  return key !== undefined && isKey(key)
    ? key.slice(KEY_PREFIX.length, KEY_PREFIX.length + KEY_ID_LENGTH)
    : undefined;
}

/** Creates a gate's reporter. @internal */
export function createReporter(options: {
  events: EventBus | undefined;
  clientAddress: ClientAddressOption | undefined;
  clock: () => number;
  queue: { readonly verificationQueue: number };
  onError: (error: unknown, context: string) => void;
}): GateReporter {
  const { events, clientAddress, clock, onError } = options;
  const stopObserving = observeQueueDepth(options.queue);
  const listening = (): boolean => events !== undefined && events.hasSubscribers;
  const emit = (event: EventInput): void => {
    if (events !== undefined && events.hasSubscribers) events.emit(makeEvent(event, clock()));
  };
  // The ISO time of the current millisecond, formatted once: busy gates emit many per ms.
  let stampedAt = Number.NaN;
  let stamp = "";
  const at = (now: number): string => {
    if (now !== stampedAt) {
      stampedAt = now;
      stamp = new Date(now).toISOString();
    }
    return stamp;
  };

  function addressOf(request: RequestLike): string | undefined {
    if (clientAddress === undefined) return undefined;
    try {
      const address =
        clientAddress === "socket" ? request.socket?.remoteAddress : clientAddress(request);
      return typeof address === "string" && address.length > 0 ? address.slice(0, 256) : undefined;
    } catch (error) {
      onError(error, "clientAddress");
      return undefined;
    }
  }

  /** The hot path of an audited gate: one literal of one shape (plus the address, if recorded). */
  function succeeded(
    request: RequestLike,
    source: KeySource | undefined,
    now: number,
    app: App,
  ): AuthSucceededEvent {
    const event: AuthSucceededEvent = {
      type: "auth.succeeded",
      version: EVENT_SCHEMA_VERSION,
      at: at(now),
      appId: app.id,
      keyId: app.keyId,
      source, // always known once a key was accepted
    };
    if (clientAddress !== undefined) {
      const address = addressOf(request);
      if (address !== undefined) event.clientAddress = address;
    }
    return event;
  }

  function requestContext(request: RequestLike, source: KeySource | undefined): RequestContext {
    const context: RequestContext = {};
    if (source !== undefined) context.source = source;
    const address = addressOf(request);
    if (address !== undefined) context.clientAddress = address;
    return context;
  }

  function authSpan(
    otel: Instruments,
    report: AuthReport,
    attributes: Record<string, string | boolean>,
    failed: boolean,
  ): void {
    if (report.source !== undefined) attributes["mcpgate.key.source"] = report.source;
    const keyId = keyIdOf(report.key);
    if (keyId !== undefined) attributes["mcpgate.key.id"] = keyId;
    attributes["mcpgate.auth.cache_hit"] = report.cacheHit;
    if (keyId !== undefined) {
      (report.cacheHit ? otel.cacheHits : otel.cacheMisses)?.add(1);
    }
    if (otel.tracer === undefined) return;
    const span = otel.tracer.startSpan(OTEL_NAMES.authSpan, {
      startTime: report.startedAt,
      attributes,
    });
    if (failed) span.setStatus({ code: otel.api.SpanStatusCode.ERROR });
    span.end(performance.now());
  }

  const reporter: GateReporter = {
    events,
    get active() {
      return listening() || otelInstruments() !== undefined;
    },
    get instruments() {
      return otelInstruments();
    },
    begin(request, now, otel, startedAt, credential) {
      return {
        request,
        now,
        otel,
        startedAt,
        cacheHit: false,
        source: credential?.source,
        key: credential?.key,
      };
    },
    accepted(request, source, now, app) {
      if (events !== undefined && events.hasSubscribers) {
        events.emit(succeeded(request, source, now, app));
      }
    },
    now: () => performance.now(),

    emit,

    authenticated(report, app) {
      if (events !== undefined && events.hasSubscribers) {
        events.emit(succeeded(report.request, report.source, report.now, app));
      }
      const otel = report.otel;
      if (otel === undefined) return;
      otel.authOutcomes?.add(1, { "mcpgate.auth.outcome": "success" });
      authSpan(
        otel,
        report,
        { "mcpgate.auth.outcome": "success", "mcpgate.app.id": app.id },
        false,
      );
    },

    refused(report, error) {
      if (listening()) {
        const keyId = keyIdOf(report.key);
        const context = {
          ...requestContext(report.request, report.source),
          ...(keyId === undefined ? {} : { keyId }),
        };
        const retryAfterSeconds = error.retryAfterSeconds ?? 1;
        if (error.code === "rate_limited") {
          emit({ type: "auth.rate_limited", retryAfterSeconds, ...context });
        } else if (error.code === "overloaded") {
          emit({ type: "auth.overloaded", retryAfterSeconds, ...context });
        } else {
          emit({ type: "auth.failed", reason: error.code, ...context });
        }
      }
      const otel = report.otel;
      if (otel === undefined) return;
      const attributes = { "mcpgate.auth.outcome": "failure", "mcpgate.auth.reason": error.code };
      otel.authOutcomes?.add(1, attributes);
      // A refused key is an expected answer; only a failure to answer (5xx) marks the span.
      authSpan(otel, report, { ...attributes }, error.status >= 500);
    },

    timed(hasher) {
      return {
        parameters: hasher.parameters,
        hash: (key) => hasher.hash(key),
        needsRehash: (phc) => hasher.needsRehash(phc),
        verify: async (phc, key) => {
          const histogram = otelInstruments()?.verificationDuration;
          if (histogram === undefined) return hasher.verify(phc, key);
          const started = performance.now();
          let outcome = "error";
          try {
            const valid = await hasher.verify(phc, key);
            outcome = valid ? "valid" : "invalid";
            return valid;
          } finally {
            const seconds = (performance.now() - started) / 1000;
            histogram.record(seconds, { "mcpgate.verification.outcome": outcome });
          }
        },
      };
    },

    toolCalled(app, name, startedAt, outcome) {
      const tool = toolLabel(name);
      const endedAt = performance.now();
      emit({
        type: "tool.called",
        appId: app.id,
        keyId: app.keyId,
        tool,
        durationMs: round(endedAt - startedAt),
        outcome,
      });
      toolTelemetry(app, tool, outcome, startedAt, endedAt);
    },

    toolRefused(app, name, reason) {
      const tool = toolLabel(name);
      emit({ type: "tool.refused", appId: app.id, keyId: app.keyId, tool, reason });
      const now = performance.now();
      toolTelemetry(app, tool, "refused", now, now, reason);
    },

    rateLimited(app, retryAfterSeconds) {
      emit({ type: "auth.rate_limited", appId: app.id, keyId: app.keyId, retryAfterSeconds });
    },

    sessionOpened(app) {
      emit({ type: "session.opened", appId: app.id, keyId: app.keyId });
    },

    sessionClosed(app, cause) {
      emit({ type: "session.closed", appId: app.id, keyId: app.keyId, cause });
    },

    close: () => void stopObserving(),
  };

  function toolTelemetry(
    app: TelemetryPrincipal,
    tool: string,
    outcome: ToolCallOutcome,
    startedAt: number,
    endedAt: number,
    reason?: McpgateErrorCode,
  ): void {
    const otel = otelInstruments();
    if (otel === undefined) return;
    otel.toolCalls?.add(1, { "mcpgate.app.id": app.id, "mcpgate.tool.outcome": outcome });
    if (otel.tracer === undefined) return;
    const attributes: Record<string, string> = {
      "mcpgate.tool.name": tool,
      "mcpgate.app.id": app.id,
      "mcpgate.key.id": app.keyId,
      "mcpgate.tool.outcome": outcome,
    };
    if (reason !== undefined) attributes["mcpgate.tool.refusal_reason"] = reason;
    const span = otel.tracer.startSpan(OTEL_NAMES.toolSpan, { startTime: startedAt, attributes });
    if (outcome === "error") span.setStatus({ code: otel.api.SpanStatusCode.ERROR });
    span.end(endedAt);
  }

  return Object.freeze(reporter);
}
