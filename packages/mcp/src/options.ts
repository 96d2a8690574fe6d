/**
 * Options of `createMcpEndpoint`, validated once with zod: a bad one throws a `TypeError`
 * naming the field, at startup rather than at the first request.
 */
import {
  isGate,
  isRateLimiter,
  zodFieldError,
  type App,
  type Gate,
  type RateLimiter,
} from "@mcpgate/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { z } from "zod";
import type { EventStore } from "./event-store.js";
import type { HostValidation } from "./host-validation.js";
import type { Guardrail } from "./isolation.js";

/**
 * What the server factory may return: the high-level `McpServer` or the low-level `Server`.
 *
 * @example
 * ```ts
 * const server = (app: App): McpServerLike => new McpServer({ name: app.name, version: "1.0.0" });
 * ```
 */
export type McpServerLike = McpServer | Server;

/**
 * The options both majors' `createMcpEndpoint` share (`@mcpgate/mcp` and `@mcpgate/mcp/v2`).
 *
 * @example
 * ```ts
 * const shared: McpEndpointBaseOptions = { gate, hostValidation: { allowedHosts: ["mcp.example.com"] } };
 * ```
 */
export interface McpEndpointBaseOptions {
  /** The gate that authenticates every request (`createGate`). */
  gate: Gate;
  /** Runs before every allowed `tools/call`; throw `ToolNotAllowedError` to refuse with a message. */
  guardrail?: Guardrail;
  /**
   * DNS-rebinding protection. `"auto"` (default) checks `Host` (and `Origin`, when sent) against
   * `localhost`, `127.0.0.1` and `[::1]` when the connection arrived on a loopback address;
   * `{ allowedHosts, allowedOrigins? }` always checks; `false` never does.
   */
  hostValidation?: HostValidation;
  /** The endpoint's path, the same as the gate's `basePath`. Default `"/mcp"`. */
  path?: string;
  /** Largest accepted request body in bytes. Default 4 MiB (the SDK's default). */
  maxBodyBytes?: number;
  /**
   * Open sessions at most, all apps together (stateful). When full, the least recently used idle
   * session of the app holding the most sessions is closed; when none is idle, `initialize` gets
   * 503. Default 10 000.
   */
  maxSessions?: number;
  /**
   * Open sessions at most per app (stateful), at most `maxSessions`; keep it below so that no app
   * can take every session. When full, that app's least recently used idle session is closed;
   * when none is idle, its `initialize` gets 429. Default a tenth of `maxSessions`, at most 1 000.
   */
  maxSessionsPerApp?: number;
  /**
   * Stateful sessions without a request for this long are closed (clients then re-initialize).
   * Default 30 minutes.
   */
  sessionIdleTimeoutMs?: number;
  /** Answer POSTs with one JSON body instead of an SSE stream (the SDK's `enableJsonResponse`). */
  jsonResponse?: boolean;
  /**
   * Failures off the normal path (a throwing factory or guardrail, a failed close). Default: one
   * `console.error` line per distinct cause, keys redacted.
   */
  onError?: (error: unknown, context: string) => void;
  /**
   * Enforces each app's `policy.rateLimit` (one unit per tools/call, resources/read, prompts/get).
   * Default: an in-memory token bucket per app in this process (`createMemoryRateLimiter`). With
   * several instances pass a shared one, e.g. `await createPostgresRateLimiter({ pool })` from
   * `@mcpgate/store-postgres`, or each instance allows the full limit.
   */
  rateLimiter?: RateLimiter;
  /** Milliseconds clock for rate limits and session idleness; for tests. Default `Date.now`. */
  clock?: () => number;
}

/**
 * Options of `createMcpEndpoint`.
 *
 * @example
 * ```ts
 * const options: McpEndpointOptions = { gate, mode: "stateless", server: buildServer, guardrail };
 * ```
 */
export interface McpEndpointOptions extends McpEndpointBaseOptions {
  /**
   * Builds the MCP server for an app: once per session (stateful) or per request (stateless).
   * Register any tools; the app's policy decides which ones it can list and call.
   */
  server: (app: App) => McpServerLike | Promise<McpServerLike>;
  /**
   * `"stateful"`: `Mcp-Session-Id` sessions bound to (app, key generation), with a GET stream.
   * `"stateless"`: a fresh server and transport for every POST; GET and DELETE answer 405.
   */
  mode: "stateful" | "stateless";
  /**
   * Makes SSE streams resumable (SEP-1699): events are stored and replayed after a client's
   * `Last-Event-ID`, only ever to the session (app, key generation) that produced them. Use
   * `new MemoryEventStore()` on one instance. Stateful mode only.
   */
  eventStore?: EventStore;
  /** Reconnection delay in milliseconds suggested to clients (SSE `retry`); needs `eventStore`. */
  retryInterval?: number;
}

/** A zod schema for a function option. */
export const fn = <T>(message = "must be a function") =>
  z.custom<T>((value) => typeof value === "function", message);

/** The options both majors' endpoints share, with their validation and defaults. */
export const sharedFields = {
  gate: z.custom<Gate>(isGate, "must be a gate from createGate()"),
  guardrail: fn<Guardrail>().optional(),
  hostValidation: z
    .union([
      z.literal("auto"),
      z.literal(false),
      z
        .object({
          allowedHosts: z.array(z.string().min(1)).min(1),
          allowedOrigins: z.array(z.string().url()).optional(),
        })
        .strict(),
    ])
    .default("auto"),
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9\-._~/]*$/, "must be an absolute path")
    .default("/mcp"),
  maxBodyBytes: z
    .number()
    .int()
    .min(1)
    .max(1024 ** 3)
    .default(4 * 1024 * 1024),
  maxSessions: z.number().int().min(1).max(10_000_000).default(10_000),
  maxSessionsPerApp: z.number().int().min(1).max(10_000_000).optional(),
  sessionIdleTimeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(7 * 86_400_000)
    .default(1_800_000),
  jsonResponse: z.boolean().default(false),
  onError: fn<(error: unknown, context: string) => void>().optional(),
  rateLimiter: z
    .custom<RateLimiter>(isRateLimiter, "must be a RateLimiter (take, forget)")
    .optional(),
  clock: fn<() => number>().optional(),
};

/** The per-app cap must fit in the global one. */
export function checkSessionCaps(
  options: { maxSessions: number; maxSessionsPerApp?: number | undefined },
  context: z.RefinementCtx,
): void {
  const perApp = options.maxSessionsPerApp;
  if (perApp !== undefined && perApp > options.maxSessions) {
    context.addIssue({
      code: "custom",
      path: ["maxSessionsPerApp"],
      message: `must be at most maxSessions (${options.maxSessions})`,
    });
  }
}

/** Default per-app cap: a tenth of the global one, at most 1 000. */
export function withSessionDefaults<
  T extends { maxSessions: number; maxSessionsPerApp?: number | undefined },
>(options: T): T & { maxSessionsPerApp: number } {
  return {
    ...options,
    maxSessionsPerApp:
      options.maxSessionsPerApp ??
      Math.max(1, Math.min(1000, Math.floor(options.maxSessions / 10))),
  };
}

const schema = z
  .object({
    ...sharedFields,
    server: fn<McpEndpointOptions["server"]>("must be a function (app) => McpServer"),
    mode: z.enum(["stateful", "stateless"]),
    eventStore: z
      .custom<EventStore>(
        (value) =>
          typeof value === "object" &&
          value !== null &&
          typeof (value as EventStore).storeEvent === "function" &&
          typeof (value as EventStore).replayEventsAfter === "function",
        "must be an EventStore (storeEvent, replayEventsAfter), e.g. new MemoryEventStore()",
      )
      .optional(),
    retryInterval: z.number().int().min(0).max(86_400_000).optional(),
  })
  .strict()
  .superRefine((options, context) => {
    checkSessionCaps(options, context);
    if (options.eventStore !== undefined && options.mode !== "stateful") {
      context.addIssue({
        code: "custom",
        path: ["eventStore"],
        message: 'needs mode "stateful" (a stream is resumed within its session)',
      });
    }
    if (options.retryInterval !== undefined && options.eventStore === undefined) {
      context.addIssue({
        code: "custom",
        path: ["retryInterval"],
        message: "needs eventStore (the interval is sent with resumable streams only)",
      });
    }
  })
  .transform(withSessionDefaults);

/**
 * The options under their former name.
 *
 * @deprecated Use {@link McpEndpointOptions}; this alias goes in the next major.
 */
export type McpHandlerOptions = McpEndpointOptions;

/** Validated options, with defaults applied. */
export type McpHandlerSettings = Readonly<z.output<typeof schema>>;

/** A key-shaped probe: never authenticated, only run through the gate's URL cleaner. */
const PROBE_KEY = `mgw_${"0".repeat(32)}`;

/**
 * The endpoint's path must be the gate's base path, or path keys are never found (every request
 * would get "An API key is required"). The gate does not expose its base path, so ask its URL
 * cleaner whether it strips a key from `<path>/mgw_…`.
 */
export function checkPathMatchesGate(gate: Gate, path: string): void {
  const base = path.replace(/\/+$/, "");
  if (gate.cleanUrl(`${base}/${PROBE_KEY}`) === (base || "/")) return;
  throw new TypeError(
    `Invalid MCP handler options: path: "${path}" is not the gate's basePath (createGate({ basePath })): ` +
      "keys in the URL path would never be found. Pass the same value to both.",
  );
}

/** @throws TypeError naming the offending field. */
export function parseMcpHandlerOptions(options: McpEndpointOptions): McpHandlerSettings {
  const result = schema.safeParse(options);
  if (!result.success) throw zodFieldError("MCP handler options", result.error);
  checkPathMatchesGate(result.data.gate, result.data.path);
  return Object.freeze(result.data);
}
