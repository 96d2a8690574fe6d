export { createAdminHandler, type AdminHandler, type MountContext } from "./handler.js";
export { adminMiddleware, type AdminMiddleware, type ExpressLikeRequest } from "./express.js";
export { adminPlugin } from "./fastify.js";
export { ADMIN_TOKEN_PATTERN, issueAdminToken, type IssuedAdminToken } from "./admin-token.js";
export { CSRF_HEADER } from "./same-origin.js";
export type {
  AdminOptions,
  AdminTokenAuth,
  CommonAdminOptions,
  OwnerAuth,
  OwnerResult,
} from "./options.js";
export type { AppPage, AppView, IssuedKeyView } from "./apps.js";
export type { AdminErrorBody } from "./http.js";
