/**
 * The endpoint's own refusals, each with a stable `data.error` code and a message a person can act
 * on: OAuth probes, session caps, shutdown, and the hint added to 401s. Real MCP clients print
 * these bodies (mcp-remote shows the body of the failed client registration; MCP Inspector CLI the
 * 401 body), so the text is what the user reads when a key is wrong.
 */
import type { ServerResponse } from "node:http";
import type { Challenge } from "@mcpgate/core";
import {
  challengeAnswer,
  JSON_RPC,
  jsonRpcErrorAnswer,
  writeAnswer,
  type HttpAnswer,
} from "./json-rpc.js";
import type { SessionRefusal } from "./sessions.js";

/** Printed by clients that try OAuth after a 401; says why OAuth cannot help. */
export const NOT_OAUTH =
  "This MCP server does not use OAuth: it authenticates with an API key (mgw_...) in the URL " +
  "path or in an 'Authorization: Bearer' header. If your client is trying to sign in, the key it " +
  "sent was missing, invalid or regenerated: ask the app's owner for the current key.";

const KEY_HINT: Record<string, string> = {
  missing_credentials:
    "Send the app's API key in the URL path (/mcp/mgw_...) or as 'Authorization: Bearer mgw_...'. " +
    "This server does not use OAuth.",
  invalid_key:
    "It is unknown, mistyped or was regenerated: ask the app's owner for the current key. " +
    "This server does not use OAuth.",
};

/**
 * Paths MCP clients probe for OAuth after a 401: discovery documents (RFC 9728, RFC 8414, OpenID)
 * and the default endpoints the SDK client falls back to (dynamic registration, authorize, token).
 */
export function isOAuthProbe(pathname: string): boolean {
  return (
    pathname.includes("/.well-known/") ||
    pathname === "/register" ||
    pathname === "/authorize" ||
    pathname === "/token"
  );
}

/**
 * 404 without advertising OAuth, with an OAuth-style error body (`error`, `error_description`),
 * which is the shape clients parse and print.
 */
export function writeNotOAuth(res: ServerResponse): void {
  writeAnswer(res, NOT_OAUTH_ANSWER);
}

/** {@link writeNotOAuth}'s answer. */
export const NOT_OAUTH_ANSWER: HttpAnswer = {
  status: 404,
  headers: { "content-type": "application/json", "cache-control": "no-store" },
  body: JSON.stringify({ error: "oauth_not_supported", error_description: NOT_OAUTH }),
};

/**
 * Core's challenge, with a hint on 401s that tells MCP users what to do instead of OAuth.
 * `misplacedKey`: the URL holds a key where this endpoint does not read one (`/mcp/x/mgw_…`).
 */
export function writeAuthChallenge(
  res: ServerResponse,
  challenge: Challenge,
  misplacedKey: { path: string } | undefined,
): void {
  writeAnswer(res, authChallengeAnswer(challenge, misplacedKey));
}

/** {@link writeAuthChallenge}'s answer. */
export function authChallengeAnswer(
  challenge: Challenge,
  misplacedKey: { path: string } | undefined,
): HttpAnswer {
  const misplaced =
    misplacedKey !== undefined && challenge.body.error === "missing_credentials"
      ? `The URL holds a key, but not where this endpoint reads it: use ${misplacedKey.path}/mgw_... ` +
        "or an 'Authorization: Bearer' header."
      : undefined;
  const hint = misplaced ?? (challenge.status === 401 ? KEY_HINT[challenge.body.error] : undefined);
  if (hint === undefined) return challengeAnswer(challenge);
  return jsonRpcErrorAnswer(
    challenge.status,
    {
      code: JSON_RPC.serverError,
      message: `${challenge.body.message} ${hint}`,
      data: { error: challenge.body.error },
    },
    challenge.headers,
  );
}

/** 503 for every request once `close()` was called. */
export function writeShuttingDown(res: ServerResponse): void {
  writeAnswer(res, SHUTTING_DOWN);
}

/** {@link writeShuttingDown}'s answer. */
export const SHUTTING_DOWN: HttpAnswer = jsonRpcErrorAnswer(
  503,
  {
    code: JSON_RPC.serverError,
    message: "The MCP endpoint is shutting down; retry on another instance.",
    data: { error: "shutting_down" },
  },
  { "retry-after": "5", connection: "close" },
);

/** The app's own session cap (429) or the server's (503), with nothing idle to close. */
export function writeTooManySessions(
  res: ServerResponse,
  refusal: SessionRefusal,
  limit: number,
): void {
  writeAnswer(res, tooManySessionsAnswer(refusal, limit));
}

/** {@link writeTooManySessions}'s answer. */
export function tooManySessionsAnswer(refusal: SessionRefusal, limit: number): HttpAnswer {
  const message =
    refusal === "app"
      ? `This app already has ${limit} open sessions (maxSessionsPerApp), all busy. ` +
        "End unused sessions with DELETE, or retry later."
      : "The server has too many open sessions; retry later.";
  return jsonRpcErrorAnswer(
    refusal === "app" ? 429 : 503,
    { code: JSON_RPC.serverError, message, data: { error: "too_many_sessions" } },
    { "retry-after": "5" },
  );
}
