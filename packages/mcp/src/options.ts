/**
 * Options of the 1.x `createMcpEndpoint`, validated once with zod: a bad one throws a `TypeError`
 * naming the field, at startup rather than at the first request.
 */
import { zodFieldError, type App } from "@mcpgate/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { z } from "zod";
import type { EventStore } from "./event-store.js";
import {
  checkPathMatchesGate,
  checkSessionCaps,
  fn,
  sharedFields,
  withSessionDefaults,
  type McpEndpointBaseOptions,
} from "./endpoint-options.js";

export type { McpEndpointBaseOptions } from "./endpoint-options.js";

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

/** @throws TypeError naming the offending field. */
export function parseMcpHandlerOptions(options: McpEndpointOptions): McpHandlerSettings {
  const result = schema.safeParse(options);
  if (!result.success) throw zodFieldError("MCP handler options", result.error);
  checkPathMatchesGate(result.data.gate, result.data.path);
  return Object.freeze(result.data);
}
