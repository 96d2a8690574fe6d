/**
 * CSRF defence for every state-changing request, whatever the host uses for sessions: a browser
 * must say the request is same-origin (`Sec-Fetch-Site`, `Origin`), and it must carry a custom
 * header that HTML forms cannot send and cross-origin scripts cannot send without a CORS preflight
 * this mount never grants. Bodies are JSON only (see `readJsonBody`).
 */
import type { IncomingMessage } from "node:http";
import { header, HttpError } from "./http.js";

/** The header every state-changing request must carry, with the value `"1"`. */
export const CSRF_HEADER = "x-mcpgate-admin";

const SAFE_METHODS = new Set(["GET", "HEAD"]);

/**
 * Refuses a state-changing request that a browser marks cross-site or cross-origin, or that lacks
 * {@link CSRF_HEADER}. Non-browser clients (no `Origin`, no `Sec-Fetch-Site`) pass with the header.
 * @throws HttpError 403
 * @internal
 */
export function assertSameOrigin(req: IncomingMessage, allowedOrigins: readonly string[]): void {
  if (SAFE_METHODS.has(req.method ?? "GET")) return;
  const site = header(req, "sec-fetch-site");
  const origin = header(req, "origin");
  const crossOrigin =
    (site !== undefined && site !== "same-origin") ||
    (origin !== undefined && !isOwnOrigin(origin, header(req, "host"), allowedOrigins));
  if (crossOrigin) {
    throw new HttpError(403, {
      error: "cross_origin_request",
      message: "Changes are accepted only from this dashboard's own origin.",
    });
  }
  if (header(req, CSRF_HEADER) !== "1") {
    throw new HttpError(403, {
      error: "csrf_header_required",
      message: `State-changing requests must carry the header ${CSRF_HEADER}: 1.`,
    });
  }
}

function isOwnOrigin(
  origin: string,
  host: string | undefined,
  allowedOrigins: readonly string[],
): boolean {
  if (allowedOrigins.includes(origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null"
  }
  return (
    host !== undefined &&
    (parsed.protocol === "http:" || parsed.protocol === "https:") &&
    parsed.host === host.toLowerCase()
  );
}
