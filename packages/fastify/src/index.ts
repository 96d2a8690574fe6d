/**
 * @mcpgate/fastify: MCPGate API-key auth for Fastify 5: a `rewriteUrl` helper (path keys are
 * removed before routing), a plugin that authenticates in `onRequest`, and a log serializer.
 */
import type { IncomingMessage } from "node:http";
import {
  authenticateRequestFast,
  isGate,
  redactFields,
  redactKey,
  redactRequest,
  serializeChallenge,
  redactUrl,
  toAuthInfo,
  zodFieldError,
  type App,
  type AuthResult,
  type Challenge,
  type Gate,
  type McpgateAuthInfo,
} from "@mcpgate/core";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { z } from "zod";

declare module "fastify" {
  interface FastifyRequest {
    /** The MCP SDK `AuthInfo` of the authenticated app; `null` before authentication. */
    auth: McpgateAuthInfo | null;
    /** The authenticated app (no hash, no key); `null` before authentication. */
    mcpgate: App | null;
  }
  interface FastifyInstance {
    /**
     * Authenticates a request and attaches `request.auth` / `request.mcpgate`. Added by
     * {@link fastifyMcpgate}. With `decorateOnly`, it throws an error carrying `statusCode` and
     * `headers` (for `@fastify/auth`); otherwise it writes core's challenge itself.
     */
    verifyMcpgate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/**
 * Options of {@link fastifyMcpgate}.
 *
 * @example
 * ```ts
 * const options: FastifyMcpgateOptions = { gate, decorateOnly: true };
 * ```
 */
export interface FastifyMcpgateOptions {
  /** The gate that authenticates. */
  gate: Gate;
  /**
   * Only decorate (`fastify.verifyMcpgate`, `request.auth`, `request.mcpgate`) without adding the
   * `onRequest` hook, to compose with `@fastify/auth` or use per route. Default `false`.
   */
  decorateOnly?: boolean;
}

/** The URL each request had before {@link createRewriteUrl} removed its path key. */
const urlsBeforeRewrite = new WeakMap<IncomingMessage, string>();

/**
 * Builds Fastify's `rewriteUrl` server option, which runs before routing: a path key
 * (`/mcp/mgw_…/x` → `/mcp/x`) is removed so the route that matches does not depend on it, and any
 * other key-like text in the URL is redacted so neither routes, logs nor Fastify's own errors
 * (`FST_ERR_BAD_URL` echoes the URL) see it. The plugin still authenticates the URL as it arrived.
 * It uses the gate's own base path, so the two cannot disagree.
 *
 * @throws TypeError when `gate` is not a Gate.
 * @example
 * ```ts
 * const gate = createGate({ store: new MemoryStore() });
 * const app = Fastify({ rewriteUrl: createRewriteUrl(gate) });
 * ```
 */
export function createRewriteUrl(gate: Gate): (req: IncomingMessage) => string {
  if (!isGate(gate)) throw new TypeError("createRewriteUrl: gate must come from createGate()");
  return (req) => {
    const url = req.url ?? "/";
    // Only the path is read here; the plugin judges path, query and headers together later.
    const cleaned = gate.cleanUrl(url);
    // The cleaner looks for a literal `mgw`; redaction also finds encoded forms (`%6Dgw%5F…`).
    const rewritten = cleaned === url ? redactUrl(url) : cleaned;
    if (rewritten !== url) urlsBeforeRewrite.set(req, url);
    return rewritten;
  };
}

/**
 * What Fastify's default `req` log serializer writes, with keys redacted from the URL.
 *
 * @example
 * ```ts
 * const line: SerializedRequest = serializeRequest(request); // line.url === "/mcp/mgw_a1b2c3d4…"
 * ```
 */
// A type alias, not an interface: Fastify's serializer type needs an implicit index signature.
export type SerializedRequest = {
  method: string;
  url: string;
  version: string | undefined;
  host: string;
  remoteAddress: string;
  remotePort: number | undefined;
};

/**
 * A `req` log serializer that redacts keys from the URL (Fastify logs the URL before any hook
 * runs).
 *
 * @example
 * ```ts
 * const app = Fastify({ logger: { serializers: { req: serializeRequest } } });
 * ```
 */
export function serializeRequest(request: FastifyRequest): SerializedRequest {
  return {
    method: request.method,
    // Fastify's url getter reads raw.url, which createRewriteUrl has usually cleaned already.
    url: redactUrl(request.url),
    version: request.headers["accept-version"] as string | undefined,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket.remotePort,
  };
}

/**
 * An error as pino's standard `err` serializer writes it (type, message, stack and the error's own
 * fields, `cause` included), with every key redacted in every string, and byte buffers such as the
 * `rawPacket` of a Node parser error (logged by Fastify at `trace`) written as redacted text
 * instead of a byte array.
 *
 * @example
 * ```ts
 * const app = Fastify({ logger: { serializers: { err: serializeError } } });
 * ```
 */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) {
    return { type: typeof error, message: redactKey(String(error)), stack: "" };
  }
  return redactFields(error) as SerializedError;
}

/**
 * What {@link serializeError} writes: the fields of pino's standard `err` serializer.
 *
 * @example
 * ```ts
 * const line: SerializedError = serializeError(new Error("boom")); // line.type === "Error"
 * ```
 */
// A type alias, not an interface: Fastify's serializer type needs an implicit index signature.
export type SerializedError = {
  type: string;
  message: string;
  stack: string;
  [field: string]: unknown;
};

/**
 * Logger options for `Fastify({ logger: { ...logRedaction } })`: the `req` and `err` serializers
 * of this package and a pino `logMethod` hook that redacts keys from log messages (Fastify logs an
 * error's message as the line's `msg`, and a JSON parser error quotes the body).
 *
 * @example
 * ```ts
 * const app = Fastify({ logger: { level: "info", ...logRedaction } });
 * ```
 */
export const logRedaction = Object.freeze({
  serializers: Object.freeze({ req: serializeRequest, err: serializeError }),
  hooks: Object.freeze({
    logMethod(this: unknown, args: unknown[], method: LogMethod): void {
      const redacted = args.map((arg) => (typeof arg === "string" ? redactKey(arg) : arg));
      // `log.error(error)` alone: pino would take the message from the error, unredacted.
      const [first] = redacted;
      if (redacted.length === 1 && first instanceof Error) redacted.push(redactKey(first.message));
      method.apply(this, redacted);
    },
  }),
});

/** A pino log method, as its `hooks.logMethod` receives it. */
type LogMethod = (...args: unknown[]) => void;

const optionsSchema = z
  .object({
    gate: z.custom<Gate>(isGate, "must be a Gate from createGate()"),
    decorateOnly: z.boolean().default(false),
  })
  .loose();

const plugin: FastifyPluginAsync<FastifyMcpgateOptions> = async (fastify, options) => {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw zodFieldError("@mcpgate/fastify options", parsed.error);
  const { gate, decorateOnly } = parsed.data;

  function authenticate(request: FastifyRequest): AuthResult | Promise<AuthResult> {
    const raw = request.raw;
    return authenticateRequestFast(gate, {
      url: urlsBeforeRewrite.get(raw) ?? raw.url,
      headers: raw.headers,
      rawHeaders: raw.rawHeaders,
      socket: raw.socket,
    });
  }

  /** Attaches the principal, or returns the challenge to answer; the request is clean after it. */
  function settle(request: FastifyRequest, result: AuthResult): Challenge | undefined {
    const raw = request.raw;
    if (result.ok && result.credential.source === "path") {
      raw.url = result.credential.url;
      // Set by Fastify when rewriteUrl is configured; it still holds the key.
      if ("originalUrl" in raw) raw.originalUrl = result.credential.url;
    }
    // No key is left in the URLs or any header (request.headers is raw.headers), for what runs
    // next and for anything that logs the request later.
    redactRequest(raw as IncomingMessage & { originalUrl?: string });
    if (!result.ok) return result.challenge;
    request.auth = toAuthInfo(result.app);
    request.mcpgate = result.app;
    return undefined;
  }

  /** Serialized once per challenge by core: Fastify sends the prepared string as it is. */
  function sendChallenge(reply: FastifyReply, challenge: Challenge): void {
    const { status, headers, body } = serializeChallenge(challenge);
    void reply.code(status).headers(headers).send(body);
  }

  async function verifyMcpgate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const challenge = settle(request, await authenticate(request));
    if (challenge === undefined) return;
    const { status, headers, body } = challenge;
    if (decorateOnly) {
      throw Object.assign(new Error(body.message), {
        statusCode: status,
        headers,
        code: body.error,
      });
    }
    sendChallenge(reply, challenge);
  }

  /**
   * The `onRequest` hook: callback style, so a cached key (or a memoized refusal) costs no promise
   * and no microtask. After a challenge is sent, `done` is not called (Fastify's rule for hooks
   * that reply).
   */
  function onRequest(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) {
    const answer = authenticate(request);
    if (answer instanceof Promise) {
      answer.then((result) => proceed(request, reply, result, done)).catch(done);
    } else {
      proceed(request, reply, answer, done);
    }
  }

  function proceed(
    request: FastifyRequest,
    reply: FastifyReply,
    result: AuthResult,
    done: (error?: Error) => void,
  ): void {
    const challenge = settle(request, result);
    if (challenge === undefined) done();
    else sendChallenge(reply, challenge);
  }

  if (!fastify.hasRequestDecorator("mcpgate")) {
    fastify.decorateRequest("auth", null);
    fastify.decorateRequest("mcpgate", null);
  }
  fastify.decorate("verifyMcpgate", verifyMcpgate);
  // Fastify's own error bodies (404 "Route … not found", 400 bad URL, parser errors) may quote the
  // request; whatever produced them, an error body leaves without a key.
  // Callback style: no promise per response.
  fastify.addHook("onSend", (_request, reply, payload, done) => {
    done(
      null,
      reply.statusCode >= 400 && typeof payload === "string" ? redactKey(payload) : payload,
    );
  });
  if (!decorateOnly) fastify.addHook("onRequest", onRequest);
};

/**
 * Fastify 5 plugin: authenticates every request of the context it is registered in, in
 * `onRequest` (before any body is read). Failures get core's challenge and no handler runs; on
 * success `request.auth` is the MCP SDK `AuthInfo` and `request.mcpgate` the app. Pair it with
 * {@link createRewriteUrl} so path keys do not take part in routing.
 *
 * @throws TypeError (at registration) when an option is invalid.
 * @example
 * ```ts
 * const gate = createGate({ store: new MemoryStore() });
 * const app = Fastify({
 *   rewriteUrl: createRewriteUrl(gate),
 *   logger: { serializers: { req: serializeRequest } },
 * });
 * await app.register(fastifyMcpgate, { gate });
 * app.post("/mcp", async (request) => ({ hello: request.mcpgate?.name }));
 * ```
 */
export const fastifyMcpgate: FastifyPluginAsync<FastifyMcpgateOptions> = fp(plugin, {
  fastify: "5.x",
  name: "@mcpgate/fastify",
});
