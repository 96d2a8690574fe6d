/**
 * Fastify (5) mount: a plugin with the mount's routes; the raw request goes to the admin handler
 * untouched (no body parsing in this plugin's scope), the owner hook gets Fastify's request.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createAdminHandler } from "./handler.js";
import type { AdminOptions } from "./options.js";

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
export function adminPlugin(
  options: AdminOptions<FastifyRequest>,
): (instance: FastifyInstance) => Promise<void> {
  const handle = createAdminHandler<FastifyRequest>(options);
  const basePath = options.basePath ?? "/admin";
  return async (instance) => {
    // Leave bodies unread: the admin handler reads (and limits) them itself.
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
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
