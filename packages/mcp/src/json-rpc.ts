/**
 * JSON-RPC error bodies for everything answered before (or instead of) the SDK: auth challenges,
 * unknown sessions, bad bodies. Same shape and codes as the SDK's own transport errors.
 */
import type { ServerResponse } from "node:http";
import { toJsonRpcErrorBody, type Challenge } from "@mcpgate/core";

/** JSON-RPC codes used on the HTTP layer (the SDK's transport uses the same ones). */
export const JSON_RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  invalidParams: -32602,
  /** Generic server error: the SDK answers every HTTP-level refusal with it. */
  serverError: -32000,
  /** The SDK's "Session not found". */
  sessionNotFound: -32001,
} as const;

/** Writes one JSON-RPC error response (`id: null`) unless a response was already started. */
export function writeJsonRpcError(
  res: ServerResponse,
  status: number,
  error: { code: number; message: string; data?: unknown },
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const body = JSON.stringify({ jsonrpc: "2.0", error, id: null });
  res.writeHead(status, { ...headers, "content-type": "application/json" });
  res.end(body);
}

/**
 * Writes core's challenge (status, `WWW-Authenticate`, `Retry-After`) with a JSON-RPC error body:
 * `{ code: -32000, message, data: { error } }` where `error` is the challenge's public code.
 */
export function writeChallenge(res: ServerResponse, challenge: Challenge): void {
  const { error } = toJsonRpcErrorBody(challenge);
  writeJsonRpcError(res, challenge.status, error, challenge.headers);
}

/** Exactly the SDK's answer to an unknown `Mcp-Session-Id`. */
export function writeSessionNotFound(res: ServerResponse): void {
  writeJsonRpcError(res, 404, { code: JSON_RPC.sessionNotFound, message: "Session not found" });
}
