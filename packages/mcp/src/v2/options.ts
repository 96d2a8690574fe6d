/**
 * Options of the v2 `createMcpEndpoint`, validated once with zod: the fields both majors share
 * (../options.ts) plus the v2 server factory and the legacy-era posture.
 */
import { zodFieldError, type App, type Gate } from "@mcpgate/core";
import type { McpRequestContext, McpServer, Server } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { HostValidation } from "../host-validation.js";
import type { Guardrail } from "../isolation.js";
import {
  checkPathMatchesGate,
  checkSessionCaps,
  fn,
  sharedFields,
  withSessionDefaults,
} from "../options.js";

/**
 * What the v2 server factory may return: the high-level `McpServer` or the low-level `Server` of
 * `@modelcontextprotocol/server`.
 *
 * @example
 * ```ts
 * const build = (app: App): McpServerV2Like => new McpServer({ name: app.name, version: "1.0.0" });
 * ```
 */
export type McpServerV2Like = McpServer | Server;

/**
 * Builds the server for one request (modern era, and legacy `"stateless"`) or one session
 * (legacy `"stateful"`). `app` is the authenticated app; `context` is the SDK's
 * (`era`, `authInfo` without the key, `requestInfo` without the key).
 *
 * @example
 * ```ts
 * const server: McpServerFactoryV2 = (app, { era }) => buildServerFor(app, era);
 * ```
 */
export type McpServerFactoryV2 = (
  app: App,
  context: McpRequestContext,
) => McpServerV2Like | Promise<McpServerV2Like>;

/**
 * Options of the v2 `createMcpEndpoint` (`@mcpgate/mcp/v2`).
 *
 * @example
 * ```ts
 * const options: McpEndpointOptions = { gate, server: (app) => buildServer(app), legacy: "stateful" };
 * ```
 */
export interface McpEndpointOptions {
  /** The gate that authenticates every request (`createGate`). */
  gate: Gate;
  /**
   * Builds the v2 server for an app. Register any tools, or only the app's: the app's policy
   * decides what it can list and call either way.
   */
  server: McpServerFactoryV2;
  /**
   * How 2025-era requests are served (2026-07-28 requests are always served statelessly):
   * `"stateful"` (default): `Mcp-Session-Id` sessions bound to (app, key generation), as on 1.x;
   * `"stateless"`: a fresh server per POST (the SDK's fallback); `"reject"`: 2026-07-28 only.
   */
  legacy?: "stateful" | "stateless" | "reject";
  /** Runs before every allowed `tools/call`; throw `ToolNotAllowedError` to refuse with a message. */
  guardrail?: Guardrail;
  /**
   * DNS-rebinding protection, as on 1.x. `"auto"` (default) checks loopback names when the
   * connection arrived on a loopback address; through `fetch` the local address is known only when
   * passed (`node()` passes it), so fetch runtimes bound to localhost should list `allowedHosts`.
   */
  hostValidation?: HostValidation;
  /** The endpoint's path, the same as the gate's `basePath`. Default `"/mcp"`. */
  path?: string;
  /** Largest accepted request body in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Open legacy sessions at most, all apps together. Default 10 000. */
  maxSessions?: number;
  /** Open legacy sessions at most per app. Default a tenth of `maxSessions`, at most 1 000. */
  maxSessionsPerApp?: number;
  /** Legacy sessions without a request for this long are closed. Default 30 minutes. */
  sessionIdleTimeoutMs?: number;
  /** Answer with one JSON body instead of an SSE stream (modern `responseMode: "json"`). */
  jsonResponse?: boolean;
  /** Failures off the normal path. Default: one `console.error` line per cause, keys redacted. */
  onError?: (error: unknown, context: string) => void;
  /** Milliseconds clock for rate limits and session idleness; for tests. Default `Date.now`. */
  clock?: () => number;
}

const schema = z
  .object({
    ...sharedFields,
    server: fn<McpServerFactoryV2>("must be a function (app, context) => McpServer"),
    legacy: z.enum(["stateful", "stateless", "reject"]).default("stateful"),
  })
  .strict()
  .superRefine(checkSessionCaps)
  .transform(withSessionDefaults);

/** Validated options, with defaults applied. */
export type McpEndpointSettings = Readonly<z.output<typeof schema>>;

/** @throws TypeError naming the offending field. */
export function parseEndpointOptions(options: McpEndpointOptions): McpEndpointSettings {
  const result = schema.safeParse(options);
  if (!result.success) throw zodFieldError("MCP endpoint options", result.error);
  checkPathMatchesGate(result.data.gate, result.data.path);
  return Object.freeze(result.data);
}
