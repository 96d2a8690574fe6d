/**
 * Options of the v2 `createMcpEndpoint`, validated once with zod: the fields both majors share
 * (../options.ts) plus the v2 server factory and the legacy-era posture.
 */
import { zodFieldError, type App } from "@mcpgate/core";
import type { McpRequestContext, McpServer, Server } from "@modelcontextprotocol/server";
import { z } from "zod";
import {
  checkPathMatchesGate,
  checkSessionCaps,
  fn,
  sharedFields,
  type McpEndpointBaseOptions,
  withSessionDefaults,
} from "../endpoint-options.js";

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
export interface McpEndpointOptions extends McpEndpointBaseOptions {
  /**
   * Builds the v2 server for an app. Register any tools, or only the app's: the app's policy
   * decides what it can list and call either way.
   */
  server: McpServerFactoryV2;
  /**
   * How 2025-era requests are served (2026-07-28 requests are always served statelessly):
   * `"stateful"` (default): `Mcp-Session-Id` sessions bound to (app, key generation), as on 1.x;
   * `"stateless"`: a fresh server per POST (the SDK's fallback); `"reject"`: 2026-07-28 only.
   * Session options (`maxSessions`, `maxSessionsPerApp`, `sessionIdleTimeoutMs`) apply to
   * `"stateful"`. Through `fetch`, `hostValidation: "auto"` knows the local address only when it is
   * passed (`node()` passes it): fetch runtimes bound to localhost should list `allowedHosts`.
   */
  legacy?: "stateful" | "stateless" | "reject";
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
