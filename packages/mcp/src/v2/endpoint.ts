/**
 * `createMcpEndpoint` for the MCP TypeScript SDK v2 (`@modelcontextprotocol/server`): one
 * endpoint for 2026-07-28 (stateless) and 2025-era (sessionful or stateless) clients.
 *
 * Per request, the same steps and answers as the 1.x endpoint: shutdown, OAuth probes, Host/Origin,
 * path, authentication, method, bounded body, revocation re-check. Then, for 2026-07-28 requests,
 * the mirrored headers are validated against the body and a call outside the app's policy is
 * refused before the server factory runs. The SDK then serves the key-free request; the isolation
 * layer shared with 1.x sits between its transport and the server the factory built.
 */
import { randomUUID } from "node:crypto";
import { InvalidKeyError, telemetryOf, toAuthInfo, type App } from "@mcpgate/core";
import {
  createMcpHandler as createSdkHandler,
  isInitializeRequest,
  isLegacyRequest,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
  type McpRequestContext,
} from "@modelcontextprotocol/server";
import { refusalFor } from "../capability-policy.js";
import { createDefaultErrorReport } from "../error-report.js";
import { followGate, sweepIdleSessions } from "../gate-follow.js";
import { createHostRule } from "../host-validation.js";
import { isolate, PolicyWatchers } from "../isolation.js";
import { JSON_RPC, jsonRpcErrorAnswer, SESSION_NOT_FOUND, type HttpAnswer } from "../json-rpc.js";
import { containsKeyShape } from "../key-shapes.js";
import type { TransportLike } from "../message-shapes.js";
import { checkModernHeaders } from "../modern-headers.js";
import { endpointRateLimiter } from "../rate-limit.js";
import {
  authChallengeAnswer,
  isOAuthProbe,
  NOT_OAUTH_ANSWER,
  SHUTTING_DOWN,
  tooManySessionsAnswer,
} from "../refusals.js";
import { bodyRefusal, type BodyResult } from "../request.js";
import { guardedFactory, requestFailure } from "../server-factory.js";
import { SessionRegistry, type Session } from "../sessions.js";
import { nodeHandlerOf, type NodeHandler } from "./node.js";
import { onBodyEnd, readFetchJsonBody, toResponse, withoutKey } from "./fetch-io.js";
import { parseEndpointOptions, type McpEndpointOptions, type McpServerV2Like } from "./options.js";

/** A single 2026-07-28 `subscriptions/listen` request (batches are not part of that revision). */
function isListenRequest(
  body: unknown,
): body is { method: "subscriptions/listen"; id: string | number; params?: unknown } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const { method, id } = body as { method?: unknown; id?: unknown };
  return method === "subscriptions/listen" && (typeof id === "string" || typeof id === "number");
}

/** The methods whose target the 2026-07-28 `Mcp-Name` header mirrors. */
const NAMED_BY_HEADER: ReadonlySet<string> = new Set([
  "tools/call",
  "resources/read",
  "prompts/get",
]);

/** What `fetch` may be told besides the request. */
export interface McpEndpointFetchOptions {
  /**
   * The body, already parsed (a framework consumed it). The endpoint then reads nothing;
   * `maxBodyBytes` is the framework's to enforce.
   */
  parsedBody?: unknown;
  /** The local address the connection arrived on (decides `hostValidation: "auto"`). */
  localAddress?: string;
}

/**
 * The v2 endpoint: a web-standard `fetch` (Hono, Bun, Deno, Workers, Next.js), the same as a
 * node:http handler (`node`: plain `http`, Express, Fastify), and `close()`.
 *
 * @example
 * ```ts
 * const endpoint: McpEndpoint = createMcpEndpoint({ gate, server: buildServer });
 * export default { fetch: endpoint.fetch };
 * ```
 */
export interface McpEndpoint {
  /** Serves one request. Never rejects: failures become JSON-RPC error responses. */
  fetch(request: Request, options?: McpEndpointFetchOptions): Promise<Response>;
  /**
   * Serves one node:http request. Pass `parsedBody` when a framework already consumed the body
   * (Express `express.json()`, Fastify). Never rejects.
   */
  node: NodeHandler;
  /** From the call on every request gets 503 (`shutting_down`); open sessions and streams close. */
  close(): Promise<void>;
}

type LegacySession = Session<WebStandardStreamableHTTPServerTransport>;

const METHODS = { stateful: "GET, POST, DELETE", other: "POST" } as const;
const SESSION_REQUIRED = "Bad Request: Mcp-Session-Id header is required";

function notFound(): HttpAnswer {
  return jsonRpcErrorAnswer(404, { code: JSON_RPC.serverError, message: "Not Found" });
}

const PROTOCOL_VERSION_META = "io.modelcontextprotocol/protocolVersion";

/** A 2026-07-28 request (it carries the per-request envelope) gets `resultType: "complete"`. */
function completeForEra(
  result: Record<string, unknown>,
  request: { params?: Record<string, unknown> },
): object {
  const meta = request.params?._meta as Record<string, unknown> | undefined;
  return meta?.[PROTOCOL_VERSION_META] === undefined
    ? result
    : { ...result, resultType: "complete" };
}

function appOf(context: McpRequestContext): App {
  const app = context.authInfo?.extra?.app;
  // The endpoint always passes the app: without one, something bypassed it.
  if (typeof app !== "object" || app === null) throw new Error("request without an app");
  return app as App;
}

/**
 * Creates the v2 MCP endpoint: every request authenticated with the gate before anything else,
 * the key stripped before the SDK sees the request, tools (resources, prompts) isolated per app.
 *
 * @throws TypeError when an option is invalid (the message names the field).
 * @example
 * ```ts
 * import { createGate, MemoryStore } from "@mcpgate/core";
 * import { createMcpEndpoint } from "@mcpgate/mcp/v2";
 * import { McpServer } from "@modelcontextprotocol/server";
 *
 * const gate = createGate({ store: new MemoryStore() });
 * const endpoint = createMcpEndpoint({
 *   gate,
 *   server: (app) => {
 *     const server = new McpServer({ name: "demo", version: "1.0.0" });
 *     server.registerTool("whoami", {}, () => ({ content: [{ type: "text", text: app.name }] }));
 *     return server;
 *   },
 * });
 * export default { fetch: endpoint.fetch };
 * ```
 */
export function createMcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const settings = parseEndpointOptions(options);
  const { gate, path, maxBodyBytes, legacy, guardrail } = settings;
  const onError = settings.onError ?? createDefaultErrorReport();
  const buildServer = guardedFactory(settings.server);
  const checkHost = createHostRule(settings.hostValidation);
  const clock = settings.clock ?? Date.now;
  const rateLimiter = endpointRateLimiter(settings.rateLimiter, clock);
  const watchers = new PolicyWatchers();
  const sessions = new SessionRegistry<WebStandardStreamableHTTPServerTransport>({
    onError,
    clock,
    idleMs: settings.sessionIdleTimeoutMs,
    maxSessions: settings.maxSessions,
    maxSessionsPerApp: settings.maxSessionsPerApp,
    telemetry: telemetryOf(gate),
  });
  const allowedMethods = legacy === "stateful" ? METHODS.stateful : METHODS.other;
  let closed = false;
  const idleSweep =
    legacy === "stateful" ? sweepIdleSessions(sessions, settings.sessionIdleTimeoutMs) : undefined;

  const unsubscribe = followGate(gate, { watchers, rateLimiter, sessions });

  /** The factory's server, with isolation installed on whatever transport the SDK connects. */
  async function isolatedServer(app: App, context: McpRequestContext): Promise<McpServerV2Like> {
    const product = await buildServer(app, context);
    // The SDK connects the low-level Server of an McpServer (modern era) or the McpServer itself
    // (legacy); both end in the low-level Server's connect.
    const server = product instanceof McpServer ? product.server : product;
    const connect = server.connect.bind(server);
    server.connect = async (transport) => {
      await connect(transport);
      isolate(transport as unknown as TransportLike, {
        gate,
        guardrail,
        rateLimiter,
        onError,
        watchers,
        appId: app.id,
        shapeResult: completeForEra,
      });
    };
    return product;
  }

  const sdk = createSdkHandler((context) => isolatedServer(appOf(context), context), {
    legacy: legacy === "stateful" ? "reject" : legacy,
    responseMode: settings.jsonResponse ? "json" : "auto",
    maxRequestBodySize: maxBodyBytes,
    onerror: (error) => onError(error, "sdk"),
  });

  async function serveLegacySession(request: Request, app: App, body: unknown): Promise<Response> {
    const authInfo = toAuthInfo(app);
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const session = sessions.find(sessionId, app);
      if (session === undefined) return toResponse(SESSION_NOT_FOUND);
      const ended = sessions.open(session);
      try {
        const response = await session.transport.handleRequest(request, {
          authInfo,
          parsedBody: body,
        });
        return onBodyEnd(response, ended);
      } catch (error) {
        ended();
        throw error;
      }
    }
    const initializing = Array.isArray(body)
      ? body.some((message) => isInitializeRequest(message))
      : isInitializeRequest(body);
    if (request.method !== "POST" || !initializing) {
      return toResponse(
        jsonRpcErrorAnswer(400, { code: JSON_RPC.serverError, message: SESSION_REQUIRED }),
      );
    }
    const reservation = sessions.reserve(app);
    if (typeof reservation === "string") {
      return toResponse(tooManySessionsAnswer(reservation, settings.maxSessionsPerApp));
    }
    const newSessionId = randomUUID();
    let session: LegacySession | undefined;
    let server: McpServerV2Like | undefined;
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => newSessionId,
      enableJsonResponse: settings.jsonResponse,
      onsessioninitialized: (id) => {
        session = {
          lastSeen: clock(),
          open: 0,
          appId: app.id,
          keyGeneration: app.keyGeneration,
          server: server as McpServerV2Like,
          transport,
        };
        sessions.add(id, session, reservation);
      },
    });
    transport.onclose = () => {
      if (session !== undefined) sessions.remove(newSessionId, session);
    };
    let response: Response;
    try {
      server = await isolatedServer(app, { era: "legacy", authInfo, requestInfo: request });
      await server.connect(transport);
      response = await transport.handleRequest(request, { authInfo, parsedBody: body });
    } finally {
      reservation.release();
    }
    // Refused, shut down meanwhile, or the key was revoked while it ran: no session stays open.
    if (session === undefined || closed || !gate.isCurrent(app)) await server.close();
    return response;
  }

  async function serve(request: Request, input: McpEndpointFetchOptions): Promise<Response> {
    if (closed) return toResponse(SHUTTING_DOWN);
    const url = new URL(request.url);
    // Answer OAuth probes at once: an API-key endpoint has no authorization server.
    if (isOAuthProbe(url.pathname)) return toResponse(NOT_OAUTH_ANSWER);
    const hostProblem = checkHost({
      host: request.headers.get("host") ?? url.host,
      origin: request.headers.get("origin") ?? undefined,
      localAddress: input.localAddress,
    });
    if (hostProblem !== undefined) {
      return toResponse(
        jsonRpcErrorAnswer(403, { code: JSON_RPC.serverError, message: hostProblem }),
      );
    }
    const { pathname } = url;
    if (pathname !== path && !pathname.startsWith(`${path}/`)) return toResponse(notFound());
    // Authenticate before any other answer: an unauthenticated client learns nothing else.
    const auth = await gate.authenticateRequest({
      url: pathname + url.search,
      headers: { authorization: request.headers.get("authorization") ?? undefined },
    });
    if (!auth.ok) {
      const misplaced = containsKeyShape(pathname) ? { path } : undefined;
      return toResponse(authChallengeAnswer(auth.challenge, misplaced));
    }
    const { app, credential } = auth;
    const clean = new URL(credential.url, url);
    // Only the endpoint itself: `/mcp/<key>/anything` is not an MCP URL.
    if (clean.pathname !== path && clean.pathname !== `${path}/`) return toResponse(notFound());
    if (!allowedMethods.includes(request.method)) {
      return toResponse(
        jsonRpcErrorAnswer(
          405,
          { code: JSON_RPC.serverError, message: "Method not allowed." },
          { allow: allowedMethods },
        ),
      );
    }
    let body: unknown;
    if (request.method === "POST") {
      const read: BodyResult =
        input.parsedBody !== undefined
          ? { ok: true, body: input.parsedBody }
          : await readFetchJsonBody(request, maxBodyBytes);
      if (!read.ok) return toResponse(bodyRefusal(read));
      body = read.body;
    }
    // The key was checked on the headers: a regenerate while the body arrived revokes it here too.
    if (!gate.isCurrent(app)) {
      return toResponse(authChallengeAnswer(gate.challenge(new InvalidKeyError()), undefined));
    }
    const forSdk = withoutKey(request, clean);
    if (request.method === "POST") {
      const mirrored = checkModernHeaders((name) => forSdk.headers.get(name), body);
      if (mirrored.kind === "mismatch") return toResponse(mirrored.answer);
      if (mirrored.kind === "validated" && NAMED_BY_HEADER.has(mirrored.method)) {
        // Validated headers name the target: refuse before a server is built or the body dispatched.
        // Only these three methods carry their target in Mcp-Name; any other (e.g. a completion's
        // reference, in the body) is checked where it is dispatched.
        const target = mirrored.method === "resources/read" ? "uri" : "name";
        const refusal = refusalFor(app, mirrored.method, { [target]: mirrored.name });
        if (refusal !== undefined && mirrored.id !== undefined) {
          return Response.json({ jsonrpc: "2.0", id: mirrored.id, error: refusal });
        }
      }
    }
    // The SDK serves subscriptions/listen itself, past the transport the isolation layer wraps:
    // the resources its filter names are checked here.
    if (isListenRequest(body)) {
      const refusal = refusalFor(app, body.method, body.params);
      if (refusal !== undefined)
        return Response.json({ jsonrpc: "2.0", id: body.id, error: refusal });
    }
    if (
      legacy === "stateful" &&
      (await isLegacyRequest(forSdk, body, { maxRequestBodySize: maxBodyBytes }))
    ) {
      return serveLegacySession(forSdk, app, body);
    }
    return sdk.fetch(forSdk, { authInfo: toAuthInfo(app), parsedBody: body });
  }

  async function fetch(
    request: Request,
    fetchOptions: McpEndpointFetchOptions = {},
  ): Promise<Response> {
    try {
      return await serve(request, fetchOptions);
    } catch (error) {
      onError(error, "request");
      return toResponse(jsonRpcErrorAnswer(500, requestFailure(error)));
    }
  }

  return {
    fetch,
    node: nodeHandlerOf(fetch, gate.cleanUrl, maxBodyBytes),
    async close() {
      closed = true;
      unsubscribe();
      clearInterval(idleSweep);
      await sessions.closeAll();
      await sdk.close();
    },
  };
}
