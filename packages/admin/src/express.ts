/**
 * Express (4 and 5) mount: a middleware that hands the request to the admin handler, or to
 * `next()` when the path is not under the mount. No Express import: node's types are enough.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createAdminHandler } from "./handler.js";
import type { AdminOptions } from "./options.js";

/** The parts of an Express request the mount reads (Express's `Request` has them). */
export interface ExpressLikeRequest extends IncomingMessage {
  originalUrl?: string;
  body?: unknown;
}

/** An Express middleware. */
export type AdminMiddleware = (
  req: ExpressLikeRequest,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * The admin dashboard and API as Express middleware. Mount it without a path (`basePath` says
 * where it lives); the owner hook receives Express's request (with `req.user`, `req.session`…).
 *
 * @throws TypeError when an option is invalid.
 * @example
 * ```ts
 * app.use(adminMiddleware({ gate, owner: (req) => req.user?.teamId }));
 * ```
 */
export function adminMiddleware<R extends ExpressLikeRequest = ExpressLikeRequest>(
  options: AdminOptions<R>,
): AdminMiddleware {
  const handle = createAdminHandler<R>(options);
  return (req, res, next) => {
    // Under app.use("/x", …) Express rewrites req.url; originalUrl is the full path.
    const url = req.url;
    req.url = req.originalUrl ?? url;
    // A body parser mounted earlier has consumed the stream; hand over what it parsed.
    const parsedBody = req.readableEnded && req.body !== undefined ? { body: req.body } : undefined;
    handle(req, res, { hostRequest: req as R, ...(parsedBody ? { parsedBody } : {}) }).then(
      (handled) => {
        req.url = url;
        if (!handled) next();
      },
      next,
    );
  };
}
