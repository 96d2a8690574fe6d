/**
 * The JSON-RPC and transport shapes the shared rules (isolation, request ids, policy) work on,
 * declared here structurally so that neither SDK major is imported: SDK 1.x and v2 transports
 * and messages both fit them.
 */
import type { McpgateAuthInfo } from "@mcpgate/core";

/** A JSON-RPC id. */
export type RequestId = string | number;

/** A JSON-RPC request (has `method` and `id`). */
export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: RequestId;
  method: string;
  params?: Record<string, unknown> & { name?: unknown; arguments?: unknown };
}

/** A JSON-RPC notification (has `method`, no `id`). */
export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: Record<string, unknown>;
}

/** Any JSON-RPC message: request, notification, result or error response. */
export type JsonRpcMessage =
  | JsonRpcRequest
  | JsonRpcNotification
  | { jsonrpc: "2.0"; id: RequestId; result: Record<string, unknown> }
  | { jsonrpc: "2.0"; id?: RequestId; error: { code: number; message: string; data?: unknown } };

/** What a transport hands along with a message (both SDKs: `authInfo`, and more). */
export interface MessageExtra {
  authInfo?: Pick<McpgateAuthInfo, "token" | "clientId" | "scopes"> & {
    extra?: Record<string, unknown>;
  };
}

/** Options of a transport's `send`. */
export interface SendOptions {
  relatedRequestId?: RequestId;
}

/** The part of an SDK transport (1.x or v2) the isolation layer wraps. */
export interface TransportLike {
  onmessage?: ((message: JsonRpcMessage, extra?: MessageExtra) => void) | undefined;
  onclose?: (() => void) | undefined;
  send(message: JsonRpcMessage, options?: SendOptions): Promise<void>;
  close(): Promise<void>;
}
