/**
 * @mcpgate/express: MCPGate API-key auth as Express 4/5 middleware.
 */
import {
  authenticateRequestFast,
  isGate,
  redactRequest,
  serializeChallenge,
  redactUrl,
  toAuthInfo,
  type App,
  type AuthResult,
  type Gate,
} from "@mcpgate/core";
import type { Request, RequestHandler, Response } from "express";

/**
 * The MCP SDK's `AuthInfo`, member for member, so this package's `req.auth` declaration and the
 * SDK's own (`@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth`) merge without conflict.
 *
 * @example
 * ```ts
 * const auth: AuthInfo | undefined = req.auth; // set by mcpgate(gate)
 * ```
 */
export interface AuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt?: number;
  resource?: URL;
  extra?: Record<string, unknown>;
}

// Global `Express.Request` (which every Express `Request` extends) needs no module resolution, and
// the SDK's `auth?: AuthInfo` on `express-serve-static-core` is assignable to this one.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by `mcpgate()` (or the MCP SDK's bearer middleware): the caller's `AuthInfo`. */
      auth?: AuthInfo;
      /** Set by `mcpgate()`: the authenticated app (no hash, no key). */
      mcpgate?: App;
    }
  }
}

/** Express strips the mount path from `req.url`; re-derive it from the key-free full URL. */
function relativeUrl(fullUrl: string, baseUrl: string): string {
  if (baseUrl === "" || !fullUrl.startsWith(baseUrl)) return fullUrl;
  const rest = fullUrl.slice(baseUrl.length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}

/**
 * Express middleware (4 and 5) that lets a request through only with a valid key, in the path under
 * the gate's base path (`/mcp/mgw_…`) or in `Authorization: Bearer`. Otherwise it answers core's
 * challenge and does not call `next()`. On success `req.originalUrl` and `req.url` lose the key,
 * `req.auth` is the MCP SDK `AuthInfo` (so an SDK transport passes it to tools as
 * `extra.authInfo`) and `req.mcpgate` is the app. Either way, once it has authenticated, no key is
 * left in the URLs, `req.headers` or `req.rawHeaders`, in any encoding.
 *
 * @throws TypeError when `gate` is not a Gate.
 * @example
 * ```ts
 * const gate = createGate({ store: new MemoryStore() });
 * const app = express();
 * app.use("/mcp", mcpgate(gate), (req, res) => {
 *   res.json({ hello: req.mcpgate?.name });
 * });
 * ```
 */
export function mcpgate(gate: Gate): RequestHandler {
  if (!isGate(gate)) throw new TypeError("mcpgate: gate must be a Gate from createGate()");

  /** `true` when the request may go on; otherwise the challenge has been written. */
  function settle(req: Request, res: Response, result: AuthResult): boolean {
    if (result.ok && result.credential.source === "path") {
      req.url = relativeUrl(result.credential.url, req.baseUrl);
      req.originalUrl = result.credential.url;
    }
    // No key is left in the URLs or any header, for what runs next and for loggers that read the
    // request when the response finishes (morgan, pino-http).
    redactRequest(req);
    if (!result.ok) {
      // Serialized once per challenge by core (and no ETag hashed per refusal, as res.json would).
      const { status, headerList, body } = serializeChallenge(result.challenge);
      res.writeHead(status, headerList as string[]).end(body);
      return false;
    }
    req.auth = toAuthInfo(result.app);
    req.mcpgate = result.app;
    return true;
  }

  // A cached key (or a memoized refusal) is settled synchronously: no promise, no microtask.
  // Express 4 ignores rejected promises: every outcome is settled here.
  return (req, res, next) => {
    // A mounted middleware sees a relative req.url; the key and the base path are in the full URL.
    const answer = authenticateRequestFast(gate, {
      url: req.originalUrl,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      socket: req.socket,
    });
    if (answer instanceof Promise) {
      answer
        .then((result) => settle(req, res, result))
        .then((ok) => {
          if (ok) next();
        }, next);
      return;
    }
    let ok: boolean;
    try {
      ok = settle(req, res, answer);
    } catch (error) {
      next(error);
      return;
    }
    if (ok) next();
  };
}

const BEARER_SCHEME = /^[ \t]*bearer(?:[ \t]|$)/i;

/**
 * Express middleware for the whole app, mounted first: removes every key, in every encoding, from
 * requests that {@link mcpgate} (or the MCP endpoint) will not see, so Express' default 404 page,
 * error pages and access loggers (morgan's `combined`: URL, `Referer`, the Basic-auth user) never
 * print one. It leaves alone only what the gate reads as a credential: a URL with a key under the
 * gate's base path, and a `Bearer` `Authorization` header; those are cleaned by the handler that
 * authenticates them. Every other header (`Referer`, `X-Forwarded-Uri`, `X-Original-URL`, Basic
 * credentials…) is redacted.
 *
 * @throws TypeError when `gate` is not a Gate.
 * @example
 * ```ts
 * const gate = createGate({ store: new MemoryStore() });
 * const app = express();
 * app.use(redactRequests(gate)); // first
 * app.use(morgan("combined"));
 * app.use("/mcp", mcpgate(gate), (req, res) => res.json({ hello: req.mcpgate?.name }));
 * ```
 */
export function redactRequests(gate: Gate): RequestHandler {
  if (!isGate(gate)) throw new TypeError("redactRequests: gate must be a Gate from createGate()");
  return (req, _res, next) => {
    const url = req.originalUrl;
    // A path credential: the gate's cleaner removes more than redaction does.
    const pathCredential = redactUrl(gate.cleanUrl(url)) !== redactUrl(url);
    const authorization = req.headers.authorization;
    const keep =
      typeof authorization === "string" && BEARER_SCHEME.test(authorization)
        ? ["authorization"]
        : [];
    if (pathCredential) {
      const { url: relative, originalUrl } = req;
      redactRequest(req, { keep });
      req.url = relative;
      req.originalUrl = originalUrl;
    } else {
      redactRequest(req, { keep });
    }
    next();
  };
}
