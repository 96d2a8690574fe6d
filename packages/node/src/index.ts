/**
 * @mcpgate/node: MCPGate API-key auth for a raw `node:http` handler, with no framework.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  authenticateRequestFast,
  isGate,
  redactRequest,
  serializeChallenge,
  toAuthInfo,
  zodFieldError,
  type App,
  type AuthResult,
  type Challenge,
  type Gate,
  type McpgateAuthInfo,
} from "@mcpgate/core";
import { z } from "zod";

/**
 * A request that passed authentication: `url` no longer holds a path key.
 *
 * @example
 * ```ts
 * const handler = (req: AuthenticatedRequest, res: ServerResponse) => res.end(req.mcpgate.name);
 * ```
 */
export type AuthenticatedRequest<Request extends IncomingMessage = IncomingMessage> = Request & {
  /** The MCP SDK `AuthInfo` of the app (hand it to a transport's `handleRequest`). */
  auth: McpgateAuthInfo;
  /** The authenticated app (no hash, no key). */
  mcpgate: App;
};

/**
 * The handler {@link withMcpgate} calls once a request is authenticated.
 *
 * @example
 * ```ts
 * const hello: AuthenticatedHandler = (req, res) => res.end(`hello ${req.auth.clientId}`);
 * ```
 */
export type AuthenticatedHandler<Request extends IncomingMessage = IncomingMessage> = (
  req: AuthenticatedRequest<Request>,
  res: ServerResponse,
) => unknown;

/**
 * Options of {@link withMcpgate}.
 *
 * @example
 * ```ts
 * withMcpgate(gate, handler, { onHandlerError: (error, _req, res) => { log(error); res.destroy(); } });
 * ```
 */
export interface WithMcpgateOptions {
  /**
   * Called when the handler throws or rejects. Default: answers `gate.challenge(error)` (a bare 500
   * unless it is an McpgateError) when nothing was sent yet, otherwise destroys the response. The
   * error's message is never written to the client.
   */
  onHandlerError?: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
}

const optionsSchema = z
  .object({
    onHandlerError: z
      .custom<NonNullable<WithMcpgateOptions["onHandlerError"]>>((v) => typeof v === "function")
      .optional(),
  })
  .strict();

/** Whether a handler returned something to wait for (what `await` would follow). */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * Writes core's challenge (status, `WWW-Authenticate`, `Retry-After`, small JSON body).
 *
 * @example
 * ```ts
 * const result = await gate.authenticateRequest(req);
 * if (!result.ok) return writeChallenge(res, result.challenge);
 * ```
 */
export function writeChallenge(res: ServerResponse, challenge: Challenge): void {
  // Serialized once per challenge by core: a refused request writes prepared bytes.
  const { status, headerList, body } = serializeChallenge(challenge);
  res.writeHead(status, headerList as string[]);
  res.end(body);
}

/**
 * Wraps a `node:http` request handler so it only runs for requests with a valid key (in the path
 * under the gate's base path, or `Authorization: Bearer`). Other requests get core's challenge and
 * never reach `handler`. On success `req.url` has the key removed, `req.auth` is the MCP SDK
 * `AuthInfo` and `req.mcpgate` the app. Either way, once authentication is done, no key is left in
 * `req.url`, `req.headers` or `req.rawHeaders` in any encoding (the `Authorization` header
 * included: the handler has `req.auth`).
 *
 * @throws TypeError when an option is invalid (the message names the field).
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createGate, MemoryStore } from "@mcpgate/core";
 * import { withMcpgate } from "@mcpgate/node";
 *
 * const gate = createGate({ store: new MemoryStore() });
 * createServer(
 *   withMcpgate(gate, (req, res) => res.end(`hello ${req.mcpgate.name}`)),
 * ).listen(3000);
 * ```
 */
export function withMcpgate<Request extends IncomingMessage = IncomingMessage>(
  gate: Gate,
  handler: AuthenticatedHandler<Request>,
  options: WithMcpgateOptions = {},
): (req: Request, res: ServerResponse) => void {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw zodFieldError("withMcpgate options", parsed.error);
  if (!isGate(gate)) throw new TypeError("withMcpgate: gate must come from createGate()");
  if (typeof handler !== "function") throw new TypeError("withMcpgate: handler must be a function");
  const onHandlerError =
    parsed.data.onHandlerError ??
    ((error: unknown, _req: IncomingMessage, res: ServerResponse): void => {
      // core's challenge: a bare 500 for anything that is not an McpgateError, message never shown
      if (res.headersSent) res.destroy();
      else writeChallenge(res, gate.challenge(error));
    });

  /** Everything after authentication; returns what the handler returned (maybe a promise). */
  function proceed(req: Request, res: ServerResponse, result: AuthResult): unknown {
    if (result.ok) req.url = result.credential.url;
    // From here on no key is left in the URL or any header, for the handler and for loggers that
    // read the request when the response finishes.
    redactRequest(req);
    if (!result.ok) return writeChallenge(res, result.challenge);
    const authenticated = req as AuthenticatedRequest<Request>;
    authenticated.auth = toAuthInfo(result.app);
    authenticated.mcpgate = result.app;
    return handler(authenticated, res);
  }

  // A cached key (or a memoized refusal) is answered synchronously: no promise, no microtask.
  return (req, res) => {
    try {
      const answer = authenticateRequestFast(gate, req);
      const outcome =
        answer instanceof Promise
          ? answer.then((result) => proceed(req, res, result))
          : proceed(req, res, answer);
      if (isThenable(outcome)) {
        Promise.resolve(outcome).catch((error: unknown) => onHandlerError(error, req, res));
      }
    } catch (error) {
      onHandlerError(error, req, res);
    }
  };
}
