/**
 * The options both majors' `createMcpEndpoint` share, their validation and defaults. No SDK is
 * imported here (not even its types), so each entry's declarations name only its own SDK.
 */
import { isGate, isRateLimiter, type Gate, type RateLimiter } from "@mcpgate/core";
import { z } from "zod";
import type { HostValidation } from "./host-validation.js";
import type { Guardrail } from "./isolation.js";

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
