/**
 * `createMcpEndpoint`: an authenticated MCP Streamable HTTP endpoint as a node:http handler.
 *
 * Per request: fast refusals that cost nothing (OAuth discovery paths, Host/Origin, path, method),
 * then authentication (every request, never "by session id"), the key stripped, the app's rate
 * limit, and finally the SDK transport of the app's session (stateful) or of a fresh server
 * (stateless), with tool isolation installed between the two.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { InvalidKeyError, telemetryOf, type App } from "@mcpgate/core";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { forgetScope, scopeEventStore } from "./event-store.js";
import { followGate, sweepIdleSessions } from "./gate-follow.js";
import { createHostCheck } from "./host-validation.js";
import { createDefaultErrorReport } from "./error-report.js";
import { takeCredentials } from "./hygiene.js";
import { isolate, PolicyWatchers } from "./isolation.js";
import { containsKeyShape } from "./key-shapes.js";
import { JSON_RPC, writeAnswer, writeJsonRpcError, writeSessionNotFound } from "./json-rpc.js";
import { parseMcpHandlerOptions, type McpEndpointOptions, type McpServerLike } from "./options.js";
import { endpointRateLimiter } from "./rate-limit.js";
import {
  isOAuthProbe,
  writeAuthChallenge,
  writeNotOAuth,
  writeShuttingDown,
  writeTooManySessions,
} from "./refusals.js";
import { bodyOf, bodyRefusal, stripCredential, type McpRequest } from "./request.js";
import { guardedFactory, requestFailure } from "./server-factory.js";
import { SessionRegistry, type Session } from "./sessions.js";

/**
 * A node:http request handler serving MCP, plus `close()` to end every session on shutdown.
 *
 * @example
 * ```ts
 * const mcp: McpEndpoint = createMcpEndpoint({ gate, mode: "stateful", server: buildServer });
 * process.on("SIGTERM", () => void mcp.close());
 * ```
 */
export interface McpEndpoint {
  /**
   * Serves one request. Never rejects: failures become JSON-RPC error responses. Pass
   * `parsedBody` when a framework already consumed the body (Express `express.json()`, Fastify).
   */
  (req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void>;
  /**
   * Shuts the endpoint down: from the call on, every request gets 503 (`shutting_down`); open
   * sessions close, which ends their SSE streams, so `server.close()` completes promptly after.
   */
  close(): Promise<void>;
}

const METHODS = { stateful: "GET, POST, DELETE", stateless: "POST" } as const;
const SESSION_REQUIRED = "Bad Request: Mcp-Session-Id header is required";

function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Creates the MCP endpoint: every request authenticated with the gate, one server per app (per
 * session or per request), tools filtered by the app's policy.
 *
 * @throws TypeError when an option is invalid (the message names the field).
 * @example
 * ```ts
 * import http from "node:http";
 * import { createGate, MemoryStore } from "@mcpgate/core";
 * import { createMcpEndpoint } from "@mcpgate/mcp";
 * import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
 *
 * const gate = createGate({ store: new MemoryStore() });
 * const mcp = createMcpEndpoint({
 *   gate,
 *   mode: "stateful",
 *   server: (app) => {
 *     const server = new McpServer({ name: "demo", version: "1.0.0" });
 *     server.registerTool("whoami", {}, () => ({ content: [{ type: "text", text: app.name }] }));
 *     return server;
 *   },
 * });
 * http.createServer(mcp).listen(3000, "127.0.0.1");
 * ```
 */
export function createMcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const settings = parseMcpHandlerOptions(options);
  const { gate, mode, path, maxBodyBytes } = settings;
  const onError = settings.onError ?? createDefaultErrorReport();
  const buildServer = guardedFactory(settings.server);
  const checkHost = createHostCheck(settings.hostValidation);
  const clock = settings.clock ?? Date.now;
  const rateLimiter = endpointRateLimiter(settings.rateLimiter, clock);
  const sessions = new SessionRegistry<StreamableHTTPServerTransport>({
    onError,
    clock,
    idleMs: settings.sessionIdleTimeoutMs,
    maxSessions: settings.maxSessions,
    maxSessionsPerApp: settings.maxSessionsPerApp,
    telemetry: telemetryOf(gate),
  });
  let closed = false;
  const idleSweep =
    mode === "stateful" ? sweepIdleSessions(sessions, settings.sessionIdleTimeoutMs) : undefined;
  const allowedMethods = METHODS[mode];
  const watchers = new PolicyWatchers();

  const unsubscribe = followGate(gate, { watchers, rateLimiter, sessions });

  async function connect(
    app: App,
    transport: StreamableHTTPServerTransport,
  ): Promise<McpServerLike> {
    const server = await buildServer(app);
    await server.connect(transport);
    const { guardrail } = settings;
    isolate(transport, { gate, guardrail, rateLimiter, onError, watchers, appId: app.id });
    return server;
  }

  function transportOptions(): { enableJsonResponse: boolean; maxRequestBodySize: number } {
    return { enableJsonResponse: settings.jsonResponse, maxRequestBodySize: maxBodyBytes };
  }

  /** Resumability for one session: its events are stored and replayed under its own scope. */
  const scopeOf = (app: App, sessionId: string) => `${app.id}:${app.keyGeneration}:${sessionId}`;
  function resumability(app: App, sessionId: string) {
    const { eventStore, retryInterval } = settings;
    if (eventStore === undefined) return {};
    return { eventStore: scopeEventStore(eventStore, scopeOf(app, sessionId)), retryInterval };
  }

  async function serveStateless(req: McpRequest, res: ServerResponse, app: App, body: unknown) {
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      ...transportOptions(),
    });
    const server = await connect(app, transport);
    res.once("close", () => {
      server.close().catch((error: unknown) => onError(error, "closeServer"));
    });
    await transport.handleRequest(req, res, body);
  }

  async function serveStateful(req: McpRequest, res: ServerResponse, app: App, body: unknown) {
    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const session = sessions.find(sessionId, app);
      if (session === undefined) return writeSessionNotFound(res);
      sessions.track(session, res);
      return session.transport.handleRequest(req, res, body);
    }
    const initializing = Array.isArray(body)
      ? body.some(isInitializeRequest)
      : isInitializeRequest(body);
    if (req.method !== "POST" || !initializing) {
      return writeJsonRpcError(res, 400, { code: JSON_RPC.serverError, message: SESSION_REQUIRED });
    }
    const reservation = sessions.reserve(app);
    if (typeof reservation === "string") {
      return writeTooManySessions(res, reservation, settings.maxSessionsPerApp);
    }
    const newSessionId = randomUUID();
    let session: Session<StreamableHTTPServerTransport> | undefined;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      ...transportOptions(),
      ...resumability(app, newSessionId),
      sessionIdGenerator: () => newSessionId,
      onsessioninitialized: (id) => {
        session = {
          lastSeen: clock(),
          open: 0,
          appId: app.id,
          keyGeneration: app.keyGeneration,
          server,
          transport,
        };
        sessions.add(id, session, reservation);
      },
    });
    transport.onclose = () => {
      if (session !== undefined && transport.sessionId !== undefined) {
        sessions.remove(transport.sessionId, session);
      }
      if (settings.eventStore) forgetScope(settings.eventStore, scopeOf(app, newSessionId));
    };
    let server: McpServerLike;
    try {
      server = await connect(app, transport);
      await transport.handleRequest(req, res, body);
    } finally {
      reservation.release();
    }
    // Refused, shut down meanwhile, or the key was revoked while it ran: no session stays open.
    if (session === undefined || closed || !gate.isCurrent(app)) await server.close();
  }

  async function serve(req: McpRequest, res: ServerResponse, parsedBody: unknown): Promise<void> {
    // Before anything can answer or log: the key leaves the URL and the headers.
    const credentials = takeCredentials(req, gate.cleanUrl);
    if (closed) return writeShuttingDown(res);
    const pathname = pathOf(req.originalUrl ?? req.url ?? "/");
    // Answer OAuth probes at once: an API-key endpoint has no authorization server.
    if (isOAuthProbe(pathname)) return writeNotOAuth(res);
    const hostProblem = checkHost(req);
    if (hostProblem !== undefined) {
      return writeJsonRpcError(res, 403, { code: JSON_RPC.serverError, message: hostProblem });
    }
    if (pathname !== path && !pathname.startsWith(`${path}/`)) {
      return writeJsonRpcError(res, 404, { code: JSON_RPC.serverError, message: "Not Found" });
    }
    // Authenticate before any other answer: an unauthenticated client learns nothing else.
    const auth = await gate.authenticateRequest(credentials);
    if (!auth.ok) {
      const misplaced = containsKeyShape(pathOf(credentials.url ?? "")) ? { path } : undefined;
      return writeAuthChallenge(res, auth.challenge, misplaced);
    }
    const { app, credential } = auth;
    // Only the endpoint itself: `/mcp/<key>/anything` is not an MCP URL.
    const stripped = pathOf(credential.url);
    if (stripped !== path && stripped !== `${path}/`) {
      return writeJsonRpcError(res, 404, { code: JSON_RPC.serverError, message: "Not Found" });
    }
    if (!allowedMethods.includes(req.method ?? "")) {
      return writeJsonRpcError(
        res,
        405,
        { code: JSON_RPC.serverError, message: "Method not allowed." },
        { allow: allowedMethods },
      );
    }
    stripCredential(req, req.url ?? credential.url, app);

    let body = parsedBody;
    if (req.method === "POST") {
      const read = await bodyOf(req, parsedBody, maxBodyBytes);
      if (!read.ok) {
        if (read.error !== undefined) onError(new TypeError(read.message), "body");
        return writeAnswer(res, bodyRefusal(read));
      }
      body = read.body;
    }
    // The key was checked on the headers: a regenerate while the body arrived revokes it here too.
    if (!gate.isCurrent(app)) {
      return writeAuthChallenge(res, gate.challenge(new InvalidKeyError()), undefined);
    }
    return mode === "stateful"
      ? serveStateful(req, res, app, body)
      : serveStateless(req, res, app, body);
  }

  const handler = async (req: IncomingMessage, res: ServerResponse, parsedBody?: unknown) => {
    try {
      await serve(req as McpRequest, res, parsedBody);
    } catch (error) {
      onError(error, "request");
      writeJsonRpcError(res, 500, requestFailure(error));
    }
  };
  return Object.assign(handler, {
    async close(): Promise<void> {
      closed = true;
      unsubscribe();
      clearInterval(idleSweep);
      await sessions.closeAll();
    },
  });
}

/**
 * The endpoint's interface under its former name.
 *
 * @deprecated Use {@link McpEndpoint}; this alias goes in the next major.
 */
export type McpHandler = McpEndpoint;

/**
 * {@link createMcpEndpoint} under its former name, which collides with the MCP SDK v2's own
 * `createMcpHandler` when both are imported in one file.
 *
 * @deprecated Use {@link createMcpEndpoint}; this alias goes in the next major.
 * @example
 * ```ts
 * const mcp = createMcpHandler({ gate, mode: "stateless", server: buildServer });
 * ```
 */
export const createMcpHandler: (options: McpEndpointOptions) => McpEndpoint = createMcpEndpoint;
