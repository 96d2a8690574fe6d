/**
 * RFC 6750 (Bearer Token Usage) §3: the WWW-Authenticate response header field, as produced by
 * toChallenge / createChallenger. Section numbers in test names refer to the RFC.
 */
import { describe, expect, it } from "vitest";
import {
  ConflictingCredentialsError,
  HashingFailedError,
  InvalidKeyError,
  KeyInQueryError,
  MalformedAuthorizationError,
  MalformedKeyError,
  MissingCredentialsError,
  OverloadedError,
  RateLimitedError,
  StoreUnavailableError,
  ToolNotAllowedError,
  createChallenger,
  toChallenge,
  toJsonRpcErrorBody,
} from "../src/index.js";

/** auth-param values of a Bearer challenge (RFC 9110 §11.6.1 syntax, quoted-string values). */
function parseBearer(header: string): Record<string, string> {
  const match = /^Bearer (.*)$/.exec(header);
  if (!match?.[1]) throw new Error(`not a Bearer challenge: ${header}`);
  const params: Record<string, string> = {};
  const param = /\s*([A-Za-z_]+)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;
  let rest = match[1];
  while (rest.length > 0) {
    param.lastIndex = 0;
    const m = param.exec(rest);
    if (!m?.[1] || m[2] === undefined) throw new Error(`bad auth-param list: ${rest}`);
    params[m[1]] = m[2].replace(/\\(.)/g, "$1");
    rest = rest.slice(param.lastIndex);
  }
  return params;
}

describe("RFC 6750 §3: the WWW-Authenticate response header field", () => {
  it("§3: uses the Bearer scheme with a realm attribute", () => {
    const { headers } = toChallenge(new InvalidKeyError());
    expect(parseBearer(headers["www-authenticate"] ?? "")).toMatchObject({ realm: "mcpgate" });
  });

  it("§3: each attribute appears at most once", () => {
    const header = toChallenge(new InvalidKeyError()).headers["www-authenticate"] ?? "";
    for (const name of ["realm", "error", "error_description"]) {
      expect(header.split(`${name}=`).length - 1).toBe(1);
    }
  });

  it("§3.1: a request lacking any authentication information gets no error code", () => {
    const { status, headers } = toChallenge(new MissingCredentialsError());
    expect(status).toBe(401);
    expect(headers["www-authenticate"]).toBe('Bearer realm="mcpgate"');
  });

  it.each([
    ["malformed Authorization header", new MalformedAuthorizationError("bad_syntax")],
    ["credentials in path and header that disagree", new ConflictingCredentialsError()],
    ["a key in the query string", new KeyInQueryError()],
  ])("§3.1 invalid_request: %s → 400", (_, error) => {
    const { status, headers } = toChallenge(error);
    expect(status).toBe(400);
    expect(parseBearer(headers["www-authenticate"] ?? "").error).toBe("invalid_request");
  });

  it("§3.1 invalid_token: unknown and malformed keys → 401 with the same challenge and body", () => {
    const unknown = toChallenge(new InvalidKeyError());
    const malformed = toChallenge(new MalformedKeyError("wrong_length", "abcdefgh"));
    expect(unknown.status).toBe(401);
    expect(parseBearer(unknown.headers["www-authenticate"] ?? "").error).toBe("invalid_token");
    expect(malformed).toEqual(unknown);
  });

  it("§3.1 insufficient_scope: a tool outside the app's policy → 403", () => {
    const { status, headers } = toChallenge(new ToolNotAllowedError("drop_tables"));
    expect(status).toBe(403);
    expect(parseBearer(headers["www-authenticate"] ?? "").error).toBe("insufficient_scope");
  });

  it("§3: error_description uses only %x20-21 / %x23-5B / %x5D-7E", () => {
    for (const error of [
      new InvalidKeyError(),
      new MalformedAuthorizationError("too_long"),
      new KeyInQueryError(),
    ]) {
      const description = /error_description="([^"]*)"/.exec(
        toChallenge(error).headers["www-authenticate"] ?? "",
      )?.[1];
      expect(description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
    }
  });

  it("§3: the realm is a quoted-string with quote and backslash escaped", () => {
    const challenge = createChallenger({ realm: 'say "hi" \\ there' });
    const header = challenge(new MissingCredentialsError()).headers["www-authenticate"] ?? "";
    expect(header).toBe('Bearer realm="say \\"hi\\" \\\\ there"');
    expect(parseBearer(header).realm).toBe('say "hi" \\ there');
  });

  it("§3: a realm that cannot be a header value is refused when the challenger is created", () => {
    expect(() => createChallenger({ realm: "line\r\nbreak" })).toThrow(TypeError);
    expect(() => createChallenger({ realm: "réalm" })).toThrow(TypeError);
  });

  it("does not advertise OAuth (no resource_metadata, no scope) on API-key challenges", () => {
    for (const error of [new MissingCredentialsError(), new InvalidKeyError()]) {
      expect(toChallenge(error).headers["www-authenticate"]).not.toMatch(
        /resource_metadata|scope=/,
      );
    }
  });
});

describe("non-auth statuses", () => {
  it("429 with Retry-After in whole seconds (rounded up, at least 1)", () => {
    expect(toChallenge(new RateLimitedError(2.2))).toMatchObject({
      status: 429,
      headers: { "retry-after": "3" },
    });
    expect(toChallenge(new RateLimitedError(0)).headers["retry-after"]).toBe("1");
  });

  it("503 with Retry-After for a store outage, a hashing failure and an overload; internals stay hidden", () => {
    const secret = new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2");
    for (const error of [
      new StoreUnavailableError({ cause: secret }),
      new HashingFailedError({ cause: secret }),
      new OverloadedError(),
    ]) {
      const challenge = toChallenge(error);
      expect(challenge.status).toBe(503);
      expect(challenge.headers["retry-after"]).toBe("1");
      expect(challenge.headers["www-authenticate"]).toBeUndefined();
      expect(JSON.stringify(challenge)).not.toContain("hunter2");
    }
  });

  it("anything that is not a McpgateError is a bare 500 that never shows its message", () => {
    const challenge = toChallenge(new Error("at Object.<anonymous> (/srv/app.js:1:1) secret"));
    expect(challenge).toEqual({
      status: 500,
      headers: {},
      body: { error: "internal_error", message: "Internal error." },
    });
  });

  it("hands out frozen challenges: no caller can change what another request is answered", () => {
    const a = toChallenge(new InvalidKeyError());
    expect(() => {
      (a.headers as Record<string, string>)["x-extra"] = "1";
    }).toThrow(TypeError);
    expect(() => {
      (a.body as { message: string }).message = "changed";
    }).toThrow(TypeError);
    expect(toChallenge(new InvalidKeyError())).toBe(a);
    expect(a.headers["x-extra"]).toBeUndefined();
    expect(a.body.message).toBe("The API key is invalid.");
  });
});

describe("toJsonRpcErrorBody: the same challenge as a JSON-RPC error for MCP endpoints", () => {
  it("carries the fixed message and the public code, never the internals", () => {
    const challenge = toChallenge(
      new StoreUnavailableError({ cause: new Error("password=hunter2") }),
    );
    expect(toJsonRpcErrorBody(challenge)).toEqual({
      jsonrpc: "2.0",
      error: {
        code: -32000,
        message: challenge.body.message,
        data: { error: "service_unavailable" },
      },
      id: null,
    });
    expect(JSON.stringify(toJsonRpcErrorBody(challenge))).not.toContain("hunter2");
  });
});
