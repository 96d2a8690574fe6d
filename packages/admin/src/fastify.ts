/**
 * Fastify (5) mount: a plugin with the mount's routes; the raw request goes to the admin handler
 * untouched (no body parsing in this plugin's scope), the owner hook gets Fastify's request.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createAdminHandler } from "./handler.js";
import type { AdminOptions } from "./options.js";

/*
 * The little of Fastify 5 this plugin uses, written out structurally: the published declarations
 * then compile for users without Fastify installed (it is an optional peer). A real
 * `FastifyRequest` / `FastifyInstance` is assignable to these.
 */

/** Fastify's request, as far as the admin mount reads it. */
export interface FastifyRequestLike {
  raw: IncomingMessage;
}

interface FastifyReplyLike {
  raw: ServerResponse;
  hijack(): unknown;
}

/**
 * Fastify's instance, as far as the admin plugin registers on it. Its methods are overloaded
 * generics in Fastify's own types, so the parameters are left open here.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- see above */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): unknown;
  addContentTypeParser(...args: any[]): unknown;
  route(...args: any[]): unknown;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * The admin dashboard and API as a Fastify plugin. Register it without a prefix (`basePath`
 * says where it lives).
 *
 * @throws TypeError when an option is invalid.
 * @example
 * ```ts
 * await app.register(adminPlugin({ gate, owner: (request) => request.user?.teamId }));
 * ```
 */
export function adminPlugin<Request extends FastifyRequestLike = FastifyRequestLike>(
  options: AdminOptions<Request>,
): (instance: FastifyInstanceLike) => Promise<void> {
  const handle = createAdminHandler<Request>(options);
  const basePath = options.basePath ?? "/admin";
  return async (instance) => {
    // Leave bodies unread: the admin handler reads (and limits) them itself.
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser(
      "*",
      (_request: unknown, _payload: unknown, done: (error: null, body: undefined) => void) =>
        done(null, undefined),
    );
    const handler = async (request: Request, reply: FastifyReplyLike) => {
      reply.hijack();
      if (!(await handle(request.raw, reply.raw, { hostRequest: request }))) {
        reply.raw.writeHead(404).end();
      }
    };
    for (const url of [basePath, `${basePath}/*`]) {
      instance.route({ method: ["GET", "POST", "PATCH", "DELETE", "PUT"], url, handler });
    }
  };
}
