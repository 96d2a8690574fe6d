/**
 * The web-standard seam: a fetch `Request` in, the app or a challenge `Response` out. Hono, Next.js
 * route handlers, Bun, Deno and the MCP SDK v2's `fetch` handler all speak `Request`/`Response`.
 */
import type { App } from "./app.js";
import { toAuthInfo, type McpgateAuthInfo } from "./auth-info.js";
import { serializeChallenge, type Challenge } from "./challenge.js";
import type { AnyMcpgateError } from "./errors.js";
import type { Gate } from "./gate.js";
import { redactUrl } from "./redact.js";

/** The outcome of {@link authenticateFetchRequest}. Never holds the key. */
export type FetchAuthResult =
  | {
      ok: true;
      app: App;
      /** The MCP SDK `AuthInfo` of the app (`token` is the key id). */
      authInfo: McpgateAuthInfo;
      /**
       * The request to hand on: the path key removed from the URL, `Authorization` removed, and
       * any other header that carries a key (`X-Forwarded-Uri`, `Referer`, …) dropped. The body is
       * the original's, unread.
       */
      request: Request;
    }
  | {
      ok: false;
      error: AnyMcpgateError;
      /** The challenge as a `Response` (401/400/429/503 with `WWW-Authenticate`/`Retry-After`). */
      response: Response;
    };

/**
 * Authenticates a web `Request` with the key in its path (`/mcp/mgw_…`) or `Authorization: Bearer`
 * header. Never rejects.
 *
 * @example
 * ```ts
 * const server = {
 *   async fetch(request: Request): Promise<Response> {
 *     const auth = await authenticateFetchRequest(gate, request);
 *     if (!auth.ok) return auth.response;
 *     return Response.json({ app: auth.app.name });
 *   },
 * };
 * ```
 */
export async function authenticateFetchRequest(
  gate: Gate,
  request: Request,
): Promise<FetchAuthResult> {
  const url = new URL(request.url);
  const result = await gate.authenticateRequest({
    url: url.pathname + url.search,
    headers: { authorization: request.headers.get("authorization") ?? undefined },
  });
  if (!result.ok) {
    return { ok: false, error: result.error, response: challengeResponse(result.challenge) };
  }
  const cleaned = new URL(result.credential.url, url);
  return {
    ok: true,
    app: result.app,
    authInfo: toAuthInfo(result.app),
    request: withoutKey(request, cleaned),
  };
}

/**
 * A challenge as a web `Response`.
 *
 * @example
 * ```ts
 * return challengeResponse(gate.challenge(error));
 * ```
 */
export function challengeResponse(challenge: Challenge): Response {
  const { status, headers, body } = serializeChallenge(challenge);
  return new Response(body, { status, headers });
}

function withoutKey(request: Request, url: URL): Request {
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    // Dropped rather than rewritten: a header value must stay a ByteString, and a half-redacted
    // forwarding header is of no use to anyone.
    if (name === "authorization" || redactUrl(value) !== value) continue;
    headers.append(name, value);
  }
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return new Request(url, {
    method: request.method,
    headers,
    body: hasBody ? request.body : null,
    signal: request.signal,
    redirect: request.redirect,
    // Node's fetch needs this to pass a stream body on.
    ...(hasBody && request.body !== null ? { duplex: "half" } : {}),
  } as RequestInit);
}
