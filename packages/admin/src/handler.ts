/**
 * The one admin request handler: routes, access (owner hook or standalone token), CSRF checks,
 * the JSON API and the dashboard pages. The Express and Fastify mounts only translate to it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isMcpgateError, type Gate } from "@mcpgate/core";
import { ALL_OWNERS, createAppService } from "./apps.js";
import { HttpError, readJsonBody, send, sendJson } from "./http.js";
import { parseAdminOptions, type AdminOptions } from "./options.js";
import { assertSameOrigin } from "./same-origin.js";
import { createStandalone } from "./standalone.js";
import { ASSETS } from "./ui/assets.js";
import { createPages } from "./ui/pages.js";

/** What a mount may pass besides node's request and response. */
export interface MountContext<R> {
  /** The framework's request, handed to the owner hook (default: node's request). */
  hostRequest?: R;
  /** A body the framework already parsed (Express with `express.json()` before the mount). */
  parsedBody?: { body: unknown };
}

/**
 * Handles a request if its path is under `basePath`; resolves `false` (untouched) otherwise.
 * Never rejects.
 */
export type AdminHandler<R = IncomingMessage> = (
  req: IncomingMessage,
  res: ServerResponse,
  context?: MountContext<R>,
) => Promise<boolean>;

const APP_ROUTE = /^\/api\/apps\/([^/]+)(\/regenerate)?$/;
const PAGE_ROUTE = /^\/apps\/([^/]+)$/;

/**
 * Creates the admin handler (JSON API under `<basePath>/api`, dashboard under `<basePath>`).
 *
 * @throws TypeError when an option is invalid (the message names the field).
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * const admin = createAdminHandler({ gate, owner: (req) => sessionUser(req)?.teamId });
 * createServer(async (req, res) => {
 *   if (!(await admin(req, res))) res.writeHead(404).end();
 * });
 * ```
 */
export function createAdminHandler<R = IncomingMessage>(options: AdminOptions<R>): AdminHandler<R> {
  const settings = parseAdminOptions(options);
  const { basePath, onError } = settings;
  const apps = createAppService(settings);
  const standalone =
    settings.adminTokenHash === undefined
      ? undefined
      : createStandalone({ ...settings, adminTokenHash: settings.adminTokenHash });
  const ownerHook = settings.owner as ((request: unknown) => unknown) | undefined;
  const pages = createPages({ ...settings, standalone: standalone !== undefined });

  async function scopeOf(req: IncomingMessage, context: MountContext<R> | undefined) {
    if (standalone) return (await standalone.isAdmin(req)) ? ALL_OWNERS : undefined;
    const owner = await ownerHook?.(context?.hostRequest ?? req);
    return typeof owner === "string" && owner.length > 0 && owner.length <= 256 ? owner : undefined;
  }

  async function api(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
    context: MountContext<R> | undefined,
  ): Promise<void> {
    const method = req.method ?? "GET";
    assertSameOrigin(req, settings.allowedOrigins);
    if (path === "/api/session" && standalone) {
      if (method === "POST") {
        const { token } = await readJsonBody(req, context?.parsedBody);
        const cookie = await standalone.login(req, token);
        return sendJson(res, 204, null, { "set-cookie": cookie });
      }
      if (method === "DELETE") {
        return sendJson(res, 204, null, { "set-cookie": standalone.logout(req) });
      }
      throw methodNotAllowed("POST, DELETE");
    }
    const scope = await scopeOf(req, context);
    if (scope === undefined) {
      throw new HttpError(401, { error: "unauthorized", message: "Sign in to manage apps." });
    }
    if (path === "/api/apps") {
      if (method === "GET") {
        const limit = query.get("limit");
        const page = await apps.list(scope, {
          cursor: query.get("cursor") ?? undefined,
          limit: limit === null ? undefined : parseLimit(limit),
        });
        return sendJson(res, 200, page);
      }
      if (method === "POST") {
        const body = await readJsonBody(req, context?.parsedBody);
        return sendJson(res, 201, await apps.create(scope, body));
      }
      throw methodNotAllowed("GET, POST");
    }
    const match = APP_ROUTE.exec(path);
    if (!match) throw notFound();
    const id = decodeSegment(match[1] ?? "");
    if (match[2]) {
      if (method !== "POST") throw methodNotAllowed("POST");
      const body = await readJsonBody(req, context?.parsedBody);
      return sendJson(res, 200, await apps.regenerate(scope, id, body));
    }
    if (method === "GET") return sendJson(res, 200, { app: await apps.get(scope, id) });
    if (method === "PATCH") {
      const body = await readJsonBody(req, context?.parsedBody);
      return sendJson(res, 200, { app: await apps.update(scope, id, body) });
    }
    if (method === "DELETE") {
      await apps.remove(scope, id);
      return sendJson(res, 204, null);
    }
    throw methodNotAllowed("GET, PATCH, DELETE");
  }

  async function page(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
    context: MountContext<R> | undefined,
  ): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") throw methodNotAllowed("GET");
    if (path === "/login" && standalone) return pages.login(res);
    const scope = await scopeOf(req, context);
    if (scope === undefined) {
      if (standalone) return send(res, 303, undefined, "", { location: `${basePath}/login` });
      return pages.denied(res);
    }
    if (path === "" || path === "/") {
      const cursor = query.get("cursor") ?? undefined;
      return pages.list(res, await apps.list(scope, { cursor, limit: 50 }), cursor !== undefined);
    }
    if (path === "/new") return pages.create(res);
    const match = PAGE_ROUTE.exec(path);
    if (match) return pages.settings(res, await apps.get(scope, decodeSegment(match[1] ?? "")));
    throw notFound();
  }

  function fail(req: IncomingMessage, res: ServerResponse, path: string, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const failure = toHttpError(error, settings.gate, onError);
    if (path.startsWith("/api/"))
      return sendJson(res, failure.status, failure.body, failure.headers);
    pages.error(res, failure.status, failure.body.message);
  }

  return async (req, res, context) => {
    const target = req.url ?? "/";
    const queryAt = target.indexOf("?");
    const pathname = queryAt === -1 ? target : target.slice(0, queryAt);
    if (pathname !== basePath && !pathname.startsWith(`${basePath}/`)) return false;
    const path = pathname.slice(basePath.length);
    try {
      const query = new URLSearchParams(queryAt === -1 ? "" : target.slice(queryAt + 1));
      if (/\/\.{1,2}(?:\/|$)|%2f|%5c|\\/i.test(path)) throw notFound();
      const asset = ASSETS.get(path);
      if (asset) {
        send(res, 200, asset.contentType, asset.body, {
          "cache-control": "no-cache",
          etag: asset.etag,
        });
      } else if (path === "/api" || path.startsWith("/api/")) {
        await api(req, res, path, query, context);
      } else {
        await page(req, res, path, query, context);
      }
    } catch (error) {
      fail(req, res, path, error);
    }
    return true;
  };
}

function parseLimit(raw: string): number {
  const limit = Number(raw);
  if (!/^\d{1,3}$/.test(raw) || limit < 1 || limit > 100) {
    throw new HttpError(400, { error: "invalid_request", message: "limit must be 1 … 100." });
  }
  return limit;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}

function notFound(): HttpError {
  return new HttpError(404, { error: "not_found", message: "Not found." });
}

function methodNotAllowed(allow: string): HttpError {
  return new HttpError(
    405,
    { error: "method_not_allowed", message: "Method not allowed." },
    { allow },
  );
}

/** The input validation failures of core (and of the admin's own expiry parsing). */
const INVALID_INPUT = /^Invalid (app|app update|key expiry): /;

/** Coded errors keep their core code and status; nothing else leaks a message. */
function toHttpError(
  error: unknown,
  gate: Pick<Gate, "challenge">,
  onError: (error: unknown) => void,
): HttpError {
  if (error instanceof HttpError) return error;
  if (isMcpgateError(error)) {
    const challenge = gate.challenge(error);
    const retryAfter = challenge.headers["retry-after"];
    const message =
      challenge.status >= 500
        ? "The service is temporarily unavailable; retry shortly."
        : challenge.body.message;
    if (error.code === "internal_error") onError(error);
    return new HttpError(
      challenge.status,
      { error: error.code, message },
      retryAfter ? { "retry-after": retryAfter } : {},
    );
  }
  const invalid = error instanceof TypeError ? INVALID_INPUT.exec(error.message) : null;
  if (invalid) {
    // Core's validation message names the fields and what is wrong; it never holds a secret.
    return new HttpError(400, {
      error: "invalid_request",
      message: invalid[1] === "key expiry" ? "The key expiry is invalid." : "The app is invalid.",
      issues: (error as TypeError).message.slice(invalid[0].length).split("; "),
    });
  }
  onError(error);
  return new HttpError(500, { error: "internal_error", message: "Internal error." });
}
