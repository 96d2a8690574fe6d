/**
 * OpenTelemetry key redaction. A path key (`/mcp/mgw_…`) reaches spans through the standard HTTP
 * instrumentation (`url.full`, `url.path`, `http.target`, `http.url`, client spans of outgoing
 * calls, exception messages). This redacts every string attribute, event attribute and span name
 * before any exporter sees the span. Structural types only: nothing here imports
 * `@opentelemetry/api`, so it costs nothing when OpenTelemetry is absent.
 */
import { redactUrl } from "./redact.js";

/** An attribute value as OpenTelemetry defines it. */
type AttributeValue =
  | string
  | number
  | boolean
  | readonly (string | null | undefined)[]
  | readonly (number | null | undefined)[]
  | readonly (boolean | null | undefined)[];

/** The parts of an SDK span (`@opentelemetry/sdk-trace-base` `Span`) redaction needs. */
export interface RedactableSpan {
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events?: readonly { readonly attributes?: Record<string, unknown> }[];
  setAttribute(key: string, value: AttributeValue): unknown;
  updateName(name: string): unknown;
}

/** A span processor (the SDK's `SpanProcessor` shape) that redacts keys from every span. */
export interface RedactingSpanProcessor {
  onStart(span: RedactableSpan, parentContext: unknown): void;
  onEnding(span: RedactableSpan): void;
  onEnd(span: unknown): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * `redactUrl`, also through repeated percent-encoding (`%255F`): a URL attribute may hold a path
 * that a proxy or client encoded twice. Telemetry only needs to be readable, so a redacted value
 * may come back less encoded than it was.
 */
function redactText(text: string): string {
  let current = redactUrl(text);
  let probe = current;
  for (let depth = 0; depth < 4 && probe.includes("%25"); depth++) {
    probe = probe.replaceAll("%25", "%");
    const clean = redactUrl(probe);
    if (clean !== probe) current = probe = clean;
  }
  return current;
}

function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (!Array.isArray(value)) return value;
  let changed = false;
  const redacted = (value as readonly unknown[]).map((item) => {
    if (typeof item !== "string") return item;
    const clean = redactText(item);
    if (clean !== item) changed = true;
    return clean;
  });
  return changed ? redacted : value;
}

/**
 * Replaces every key in a span's name, attributes and event attributes by its key-id form
 * (`mgw_a1b2c3d4…`), in place. Usable as the HTTP instrumentation's `requestHook`, but the
 * {@link createRedactingSpanProcessor} also covers attributes set later and spans of other
 * instrumentations.
 *
 * @example
 * ```ts
 * new HttpInstrumentation({ requestHook: (span) => redactSpanAttributes(span as never) });
 * ```
 */
export function redactSpanAttributes(span: RedactableSpan): void {
  const name = redactText(span.name);
  if (name !== span.name) span.updateName(name);
  for (const [key, value] of Object.entries(span.attributes)) {
    if (value === undefined) continue;
    const clean = redactValue(value);
    if (clean !== value) span.setAttribute(key, clean as AttributeValue);
  }
  for (const event of span.events ?? []) {
    const attributes = event.attributes;
    if (attributes === undefined) continue;
    // Events are plain records in the SDK; there is no setter for them.
    for (const [key, value] of Object.entries(attributes)) {
      if (value !== undefined) attributes[key] = redactValue(value);
    }
  }
}

/**
 * A span processor that redacts keys when a span starts (URL attributes are set at start) and
 * again while it ends (anything set later, such as `http.route`, hooks, exception events): a span
 * is never handed to an exporter with a key in it. Add it to the tracer provider's
 * `spanProcessors`; its position does not matter (every processor's `onEnding` runs before any
 * `onEnd`). Needs an SDK with `onEnding` (`@opentelemetry/sdk-trace-base` ≥ 2.1).
 *
 * @example
 * ```ts
 * const provider = new NodeTracerProvider({
 *   spanProcessors: [createRedactingSpanProcessor(), new BatchSpanProcessor(exporter)],
 * });
 * ```
 */
export function createRedactingSpanProcessor(): RedactingSpanProcessor {
  return Object.freeze({
    onStart: (span: RedactableSpan) => redactSpanAttributes(span),
    onEnding: (span: RedactableSpan) => redactSpanAttributes(span),
    onEnd: () => {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  });
}
