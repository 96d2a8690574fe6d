/**
 * The MCP SDK's `AuthInfo` shape for an app (structurally; core does not depend on the SDK).
 * Adapters put it on `req.auth`, and the SDK's transports hand it to tool handlers as
 * `extra.authInfo`.
 */
import type { App } from "./app.js";

/** Structurally the MCP SDK's `AuthInfo`, with the app under `extra.app`. */
export interface McpgateAuthInfo {
  /** The key id, never the key: handlers and logs may see it. */
  token: string;
  /** The app id. */
  clientId: string;
  scopes: string[];
  /**
   * Seconds since the epoch: when the key expires (`app.keyExpiresAt`). For a key that never
   * expires, "now + 1 hour", for consumers (the SDK's own bearer middleware) that require a value.
   */
  expiresAt: number;
  extra: { app: App };
}

const AUTH_INFO_LIFETIME_SECONDS = 3600;

/**
 * The `AuthInfo` of an authenticated app.
 *
 * @example
 * ```ts
 * req.auth = toAuthInfo(await gate.authenticate(key));
 * ```
 */
export function toAuthInfo(app: App, nowMs: number = Date.now()): McpgateAuthInfo {
  return {
    token: app.keyId,
    clientId: app.id,
    scopes: [...app.policy.scopes],
    expiresAt:
      app.keyExpiresAt === null
        ? Math.floor(nowMs / 1000) + AUTH_INFO_LIFETIME_SECONDS
        : Math.floor(app.keyExpiresAt.getTime() / 1000),
    extra: { app },
  };
}
