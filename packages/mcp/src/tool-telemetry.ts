/**
 * Tool-call reporting for one transport, through the gate's telemetry (audit events, the
 * `mcpgate.tool_call` span, the tool-calls counter): one function per event source, called by
 * the isolation where it decides. Nothing is measured while nobody listens.
 */
import {
  telemetryOf,
  type App,
  type Gate,
  type GateTelemetry,
  type McpgateErrorCode,
} from "@mcpgate/core";
import type { JSONRPCMessage, JSONRPCRequest, RequestId } from "@modelcontextprotocol/sdk/types.js";

interface RunningCall {
  app: App;
  tool: string;
  startedAt: number;
}

function toolOf(request: JSONRPCRequest): string | undefined {
  if (request.method !== "tools/call") return undefined;
  const name = request.params?.name;
  return typeof name === "string" ? name : undefined;
}

export class ToolTelemetry {
  readonly #telemetry: GateTelemetry | undefined;
  /** Calls handed to the server, by server-side id, until their response. */
  readonly #running = new Map<RequestId, RunningCall>();

  constructor(gate: Gate) {
    this.#telemetry = telemetryOf(gate);
  }

  /** A request refused before it reached the server: `tool.refused` when it is a tool call. */
  refused(app: App | undefined, request: JSONRPCRequest, reason: McpgateErrorCode): void {
    const telemetry = this.#telemetry;
    if (telemetry === undefined || app === undefined || !telemetry.active) return;
    const tool = toolOf(request);
    if (tool !== undefined) telemetry.toolRefused(app, tool, reason);
  }

  /** The app's rate limit refused a metered request (`auth.rate_limited`, and `tool.refused`). */
  rateLimited(app: App, request: JSONRPCRequest, retryAfterSeconds: number): void {
    const telemetry = this.#telemetry;
    if (telemetry === undefined || !telemetry.active) return;
    telemetry.rateLimited(app, retryAfterSeconds);
    this.refused(app, request, "rate_limited");
  }

  /** A request goes to the server as `id`; a tool call is timed from here. */
  started(id: RequestId, app: App, request: JSONRPCRequest): void {
    const telemetry = this.#telemetry;
    if (telemetry === undefined || !telemetry.active) return;
    const tool = toolOf(request);
    if (tool !== undefined) this.#running.set(id, { app, tool, startedAt: telemetry.now() });
  }

  /** The server answered `id`: `tool.called`, `error` for a JSON-RPC error or `isError`. */
  settled(id: RequestId, message: JSONRPCMessage): void {
    if (this.#running.size === 0 || this.#telemetry === undefined) return;
    const call = this.#running.get(id);
    if (call === undefined) return;
    this.#running.delete(id);
    const failed =
      !("result" in message) || (message.result as { isError?: unknown }).isError === true;
    this.#telemetry.toolCalled(call.app, call.tool, call.startedAt, failed ? "error" : "ok");
  }

  /** The transport closed: calls without an answer are not reported. */
  clear(): void {
    this.#running.clear();
  }
}
