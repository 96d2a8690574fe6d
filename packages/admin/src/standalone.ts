/**
 * Standalone access: the admin token, exchanged for a session cookie by the login form or sent as
 * `Authorization: Bearer mga_…` by scripts. Argon2 runs one at a time and a short queue is all that
 * may wait, so a flood of guesses costs the server one hash at a time and gets 429 beyond that.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ADMIN_TOKEN_PATTERN, verifyAdminToken } from "./admin-token.js";
import { header, HttpError } from "./http.js";

const COOKIE = "mcpgate_admin";
const MAX_SESSIONS = 1_000;
const MAX_WAITING = 8;
const BEARER_MEMO_MS = 60_000;

function digest(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

/** @internal */
export interface Standalone {
  /** True when the request carries a live session cookie or a valid Bearer admin token. */
  isAdmin(req: IncomingMessage): Promise<boolean>;
  /** Checks the token and returns a `Set-Cookie` value for a new session. @throws HttpError 401, 429 */
  login(req: IncomingMessage, token: unknown): Promise<string>;
  /** Ends the request's session; returns the `Set-Cookie` value that clears the cookie. */
  logout(req: IncomingMessage): string;
}

/** @internal */
export function createStandalone(settings: {
  adminTokenHash: string;
  basePath: string;
  sessionTtlMs: number;
  secureCookie?: boolean | undefined;
  clock: () => number;
}): Standalone {
  const { adminTokenHash, basePath, sessionTtlMs, clock } = settings;
  /** digest(session id) → expiry. Only digests are kept, so a heap dump yields no cookie. */
  const sessions = new Map<string, number>();
  let verifiedBearer: { digest: Buffer; until: number } | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let waiting = 0;

  /** One Argon2 verification at a time; 429 when too many wait. */
  async function verifyQueued(token: string): Promise<boolean> {
    if (waiting >= MAX_WAITING) {
      throw new HttpError(
        429,
        { error: "rate_limited", message: "Too many sign-in attempts; retry shortly." },
        { "retry-after": "1" },
      );
    }
    waiting++;
    const result = running.then(() => verifyAdminToken(adminTokenHash, token));
    running = result.catch(() => undefined);
    try {
      return await result;
    } finally {
      waiting--;
    }
  }

  function sessionOf(req: IncomingMessage): string | undefined {
    const cookies = header(req, "cookie") ?? "";
    for (const part of cookies.split(";")) {
      const [name, value] = part.trim().split("=", 2);
      if (name === COOKIE && value) return digest(value);
    }
    return undefined;
  }

  function cookie(req: IncomingMessage, value: string, maxAgeSeconds: number): string {
    const secure =
      settings.secureCookie ??
      ((req.socket as { encrypted?: boolean }).encrypted === true ||
        header(req, "x-forwarded-proto") === "https");
    return `${COOKIE}=${value}; Path=${basePath || "/"}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  }

  return {
    async isAdmin(req) {
      const session = sessionOf(req);
      if (session !== undefined) {
        const expiry = sessions.get(session);
        if (expiry !== undefined && expiry > clock()) {
          sessions.set(session, clock() + sessionTtlMs); // idle timeout: renewed on use
          return true;
        }
        sessions.delete(session);
      }
      const authorization = header(req, "authorization");
      const token = /^bearer +(\S+)$/i.exec(authorization ?? "")?.[1];
      if (token === undefined || !ADMIN_TOKEN_PATTERN.test(token)) return false;
      const presented = Buffer.from(digest(token));
      if (
        verifiedBearer !== undefined &&
        verifiedBearer.until > clock() &&
        timingSafeEqual(verifiedBearer.digest, presented)
      ) {
        return true;
      }
      if (!(await verifyQueued(token))) return false;
      verifiedBearer = { digest: presented, until: clock() + BEARER_MEMO_MS };
      return true;
    },

    async login(req, token) {
      if (typeof token !== "string" || !(await verifyQueued(token))) {
        throw new HttpError(401, {
          error: "invalid_admin_token",
          message: "The admin token is invalid.",
        });
      }
      const now = clock();
      for (const [id, expiry] of sessions) if (expiry <= now) sessions.delete(id);
      if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
      const id = randomBytes(32).toString("base64url");
      sessions.set(digest(id), now + sessionTtlMs);
      return cookie(req, id, Math.floor(sessionTtlMs / 1000));
    },

    logout(req) {
      const session = sessionOf(req);
      if (session !== undefined) sessions.delete(session);
      return cookie(req, "", 0);
    },
  };
}
