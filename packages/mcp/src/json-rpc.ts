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
  /** MCP 2026-07-28 `HeaderMismatch`: mirrored headers missing, malformed or unlike the body. */
  headerMismatch: -32020,
} as const;

/**
 * An HTTP answer built once and written by either runtime: node:http ({@link writeAnswer}) or
 * fetch (`new Response(answer.body, answer)` in v2/).
 */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One JSON-RPC error response (`id: null` unless given) as an answer. */
export function jsonRpcErrorAnswer(
  status: number,
  error: { code: number; message: string; data?: unknown },
  headers: Record<string, string> = {},
  id: string | number | null = null,
): HttpAnswer {
  return {
    status,
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", error, id }),
  };
}

/** Writes an answer unless a response was already started. */
export function writeAnswer(res: ServerResponse, answer: HttpAnswer): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

/** Writes one JSON-RPC error response (`id: null`) unless a response was already started. */
export function writeJsonRpcError(
  res: ServerResponse,
  status: number,
  error: { code: number; message: string; data?: unknown },
  headers: Record<string, string> = {},
): void {
  writeAnswer(res, jsonRpcErrorAnswer(status, error, headers));
}

/**
 * Writes core's challenge (status, `WWW-Authenticate`, `Retry-After`) with a JSON-RPC error body:
 * `{ code: -32000, message, data: { error } }` where `error` is the challenge's public code.
 */
export function writeChallenge(res: ServerResponse, challenge: Challenge): void {
  writeAnswer(res, challengeAnswer(challenge));
}

/** {@link writeChallenge}'s answer. */
export function challengeAnswer(challenge: Challenge): HttpAnswer {
  const { error } = toJsonRpcErrorBody(challenge);
  return jsonRpcErrorAnswer(challenge.status, error, challenge.headers);
}

/** Exactly the SDK's answer to an unknown `Mcp-Session-Id`. */
export function writeSessionNotFound(res: ServerResponse): void {
  writeAnswer(res, SESSION_NOT_FOUND);
}

/** {@link writeSessionNotFound}'s answer. */
export const SESSION_NOT_FOUND: HttpAnswer = jsonRpcErrorAnswer(404, {
  code: JSON_RPC.sessionNotFound,
  message: "Session not found",
});
