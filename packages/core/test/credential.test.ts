import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ConflictingCredentialsError,
  KeyInQueryError,
  MalformedAuthorizationError,
  MalformedKeyError,
  MalformedPathError,
  MemoryStore,
  MissingCredentialsError,
  createCredentialExtractor,
  createGate,
  createUrlCleaner,
  extractCredential,
  generateKey,
  isMcpgateError,
  parseKey,
  toChallenge,
  type RequestLike,
} from "../src/index.js";

const key = generateKey();
const other = generateKey();

function failure(request: RequestLike, extract = extractCredential): unknown {
  try {
    extract(request);
  } catch (error) {
    return error;
  }
  throw new Error("expected extraction to fail");
}

describe("extractCredential: where the key may be", () => {
  it("reads the key from the path under /mcp and strips it from the URL", () => {
    expect(extractCredential({ url: `/mcp/${key}` })).toEqual({ key, source: "path", url: "/mcp" });
    expect(extractCredential({ url: `/mcp/${key}/sse?x=1` })).toEqual({
      key,
      source: "path",
      url: "/mcp/sse?x=1",
    });
  });

  it("reads a Bearer header, scheme case-insensitive, one or more spaces", () => {
    for (const value of [`Bearer ${key}`, `bearer ${key}`, `BEARER ${key}`, `Bearer    ${key}`]) {
      expect(extractCredential({ url: "/mcp", headers: { authorization: value } })).toEqual({
        key,
        source: "header",
        url: "/mcp",
      });
    }
  });

  it("accepts the same key in path and header", () => {
    expect(
      extractCredential({ url: `/mcp/${key}`, headers: { authorization: `Bearer ${key}` } }),
    ).toMatchObject({ key, source: "path" });
  });

  it("honours a custom base path and ignores keys outside it", () => {
    const extract = createCredentialExtractor({ basePath: "/api/v1/" });
    expect(extract({ url: `/api/v1/${key}/tools` })).toEqual({
      key,
      source: "path",
      url: "/api/v1/tools",
    });
    expect(failure({ url: `/other/${key}` }, extract)).toBeInstanceOf(MissingCredentialsError);
    expect(failure({ url: `/mcpx/${key}` })).toBeInstanceOf(MissingCredentialsError);
  });

  it("treats another Authorization scheme as no credentials (RFC 7235), so a path key still works", () => {
    expect(
      failure({ url: "/mcp", headers: { authorization: "Basic dXNlcjpwYXNz" } }),
    ).toBeInstanceOf(MissingCredentialsError);
    expect(
      extractCredential({ url: `/mcp/${key}`, headers: { authorization: "Basic dXNlcjpwYXNz" } })
        .key,
    ).toBe(key);
  });

  it("prefers headersDistinct, so two Authorization headers are seen", () => {
    const request = {
      url: "/mcp",
      headers: { authorization: `Bearer ${key}` },
      headersDistinct: { authorization: [`Bearer ${key}`, `Bearer ${other}`] },
    };
    expect(failure(request)).toMatchObject({
      code: "malformed_authorization",
      reason: "multiple_headers",
    });
  });
});

describe("extractCredential: what is refused", () => {
  it.each([
    ["no credentials", { url: "/mcp" }, MissingCredentialsError],
    [
      "an empty bearer",
      { url: "/mcp", headers: { authorization: "Bearer" } },
      MalformedAuthorizationError,
    ],
    [
      "a bearer of spaces",
      { url: "/mcp", headers: { authorization: "Bearer   " } },
      MalformedAuthorizationError,
    ],
    [
      "a tab instead of a space",
      { url: "/mcp", headers: { authorization: `Bearer\t${key}` } },
      MalformedAuthorizationError,
    ],
    [
      "trailing garbage",
      { url: "/mcp", headers: { authorization: `Bearer ${key} extra` } },
      MalformedAuthorizationError,
    ],
    [
      "two tokens with a comma",
      { url: "/mcp", headers: { authorization: `Bearer ${key}, Bearer ${other}` } },
      MalformedAuthorizationError,
    ],
    [
      "an over-long header",
      { url: "/mcp", headers: { authorization: `Bearer ${"a".repeat(2000)}` } },
      MalformedAuthorizationError,
    ],
    [
      "a non-mgw bearer token",
      { url: "/mcp", headers: { authorization: "Bearer eyJhbGciOi.payload.sig" } },
      MalformedKeyError,
    ],
    [
      "a different key in path and header",
      { url: `/mcp/${key}`, headers: { authorization: `Bearer ${other}` } },
      ConflictingCredentialsError,
    ],
    ["a key in the query string", { url: `/mcp?key=${key}` }, KeyInQueryError],
    [
      "a percent-encoded key in the query string",
      { url: `/mcp?k=mgw%5F${key.slice(4)}` },
      KeyInQueryError,
    ],
    ["an RFC 6750 access_token query parameter", { url: "/mcp?access_token=abc" }, KeyInQueryError],
    [
      "a key in the query even with a valid header",
      { url: `/mcp?key=${key}`, headers: { authorization: `Bearer ${key}` } },
      KeyInQueryError,
    ],
    ["a truncated key in the path", { url: `/mcp/${key.slice(0, 20)}` }, MalformedKeyError],
    ["a percent-encoded key in the path", { url: `/mcp/mgw%5F${key.slice(4)}` }, MalformedKeyError],
    ["a non-ASCII key in the path", { url: `/mcp/mgw_${"é".repeat(32)}` }, MalformedKeyError],
    ["dot segments after the key", { url: `/mcp/${key}/../../admin` }, MalformedPathError],
    ["dot segments before the base path", { url: `/x/../mcp/${key}` }, MalformedPathError],
    ["an encoded slash", { url: `/mcp/${key}%2f..%2fadmin` }, MalformedPathError],
    ["a backslash", { url: `/mcp/${key}\\..\\admin` }, MalformedPathError],
  ])("%s", (_, request, expected) => {
    expect(failure(request as RequestLike)).toBeInstanceOf(expected);
  });

  it("never echoes the key in an error message", () => {
    const error = failure({
      url: `/mcp/${key}`,
      headers: { authorization: `Bearer ${other}` },
    }) as Error;
    expect(error.message).not.toContain(key.slice(12));
    expect(error.message).not.toContain(other.slice(12));
  });

  it("rejects a bad base path when the extractor is created", () => {
    expect(() => createCredentialExtractor({ basePath: "mcp" })).toThrow(TypeError);
    expect(() => createCredentialExtractor({ basePath: "/a/../b" })).toThrow(/basePath/);
  });
});

describe("rawHeaders", () => {
  it("sees two Authorization headers whatever their case", () => {
    const rawHeaders = [
      "Host",
      "h",
      "Authorization",
      `Bearer ${key}`,
      "AUTHORIZATION",
      `Bearer ${key}`,
    ];
    expect(failure({ url: "/mcp", rawHeaders })).toMatchObject({ reason: "multiple_headers" });
  });

  it("gives the same answer as headersDistinct built from the same headers (law)", () => {
    const name = fc.constantFrom(
      "Authorization",
      "authorization",
      "AUTHORIZATION",
      "Host",
      "X-Other",
    );
    const value = fc.oneof(
      fc.constantFrom(
        `Bearer ${key}`,
        `bearer  ${key}`,
        `Bearer ${key} `,
        ` Bearer ${key}\t`,
        "Basic eA==",
        "Bearer",
        `Bearer ${other}`,
      ),
      fc.string(),
    );
    const outcome = (request: RequestLike): unknown => {
      try {
        return extractCredential(request).key;
      } catch (error) {
        return [(error as { code?: string }).code, (error as { reason?: string }).reason];
      }
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 4 }), (headers) => {
        const headersDistinct: Record<string, string[]> = {};
        for (const [n, v] of headers)
          (headersDistinct[n.toLowerCase()] ??= []).push(v.replace(/^[ \t]+|[ \t]+$/g, ""));
        const rawHeaders = headers.flat();
        expect(outcome({ url: "/mcp", rawHeaders })).toEqual(
          outcome({ url: "/mcp", headersDistinct }),
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe("extractCredential never throws anything but a McpgateError", () => {
  const headerValue = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    fc.constantFrom("Bearer", "bearer ", "Basic x", `Bearer ${key}`, `Bearer ${key}\u0000`),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.constant(undefined),
  );
  const url = fc.oneof(
    fc.webPath(),
    fc.string({ unit: "binary" }),
    fc.constantFrom(`/mcp/${key}`, "/mcp/", "/mcp", `/mcp/${key}?`, "?", ""),
    fc.tuple(fc.webPath(), fc.webQueryParameters()).map(([p, q]) => `/mcp${p}?${q}`),
    fc.constant(undefined),
  );
  const request = fc.record(
    {
      url,
      headers: fc.dictionary(fc.constantFrom("authorization", "Authorization", "x"), headerValue),
      headersDistinct: fc.oneof(
        fc.constant(undefined),
        fc.record({ authorization: fc.array(fc.string(), { maxLength: 3 }) }),
      ),
    },
    { requiredKeys: [] },
  );

  it("on arbitrary request-like input", () => {
    fc.assert(
      fc.property(request, (input) => {
        try {
          const credential = extractCredential(input as RequestLike);
          expect(credential.key).toMatch(/^mgw_[A-Za-z0-9]{32}$/);
          expect(credential.url).not.toContain(credential.key);
        } catch (error) {
          expect(isMcpgateError(error)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("even on values of the wrong type", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (url, headers) => {
        try {
          extractCredential({ url, headers, headersDistinct: headers } as RequestLike);
        } catch (error) {
          expect(isMcpgateError(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("createUrlCleaner", () => {
  const clean = createUrlCleaner({ basePath: "/mcp" });

  it("removes a path key under the base path and redacts any other key", () => {
    expect(clean(`/mcp/${key}/sse?x=1`)).toBe("/mcp/sse?x=1");
    expect(clean(`/elsewhere/${key}`)).toBe(`/elsewhere/mgw_${key.slice(4, 12)}…`);
    expect(clean(`/mcp/${key}/../admin`)).toBe(`/mcp/mgw_${key.slice(4, 12)}…/../admin`);
    expect(clean("/health")).toBe("/health");
  });

  it("never throws and never returns the secret part of a key", () => {
    fc.assert(
      fc.property(fc.webPath(), fc.string(), fc.boolean(), (path, junk, encode) => {
        const fresh = generateKey();
        const url = `/mcp/${encode ? fresh.replace("_", "%5F") : fresh}${path}?${junk}`;
        expect(clean(url)).not.toContain(fresh.slice(12));
      }),
    );
  });
});

describe("mistakes get a message that names them", () => {
  it("a bare key in Authorization (no Bearer) is malformed, and the answer says the scheme is missing", () => {
    for (const authorization of [key, ` ${key}`, `MGW_${key.slice(4)}`]) {
      const error = failure({ url: "/mcp", headers: { authorization } });
      expect(error).toMatchObject({ code: "malformed_authorization", reason: "missing_scheme" });
      const challenge = toChallenge(error);
      expect(challenge.status).toBe(400);
      expect(challenge.body.message).toMatch(/without the Bearer scheme/);
      expect(challenge.headers["www-authenticate"]).toMatch(/without the Bearer scheme/);
      expect(JSON.stringify(challenge)).not.toContain(key.slice(12));
    }
  });

  it("a key in the path outside the base path: 401 that says where keys are read, with the key id at most", () => {
    const extract = createCredentialExtractor({ basePath: "/mcp" });
    for (const url of [
      `/api/mcp/${key}`,
      `/mcp/x/${key}/y`,
      `/${key}`,
      `/api/mgw%5F${key.slice(4)}`,
    ]) {
      const error = failure({ url }, extract);
      expect(error).toBeInstanceOf(MissingCredentialsError);
      expect(error).toMatchObject({ reason: "key_outside_base_path", keyId: key.slice(4, 12) });
      const challenge = toChallenge(error);
      expect(challenge.status).toBe(401);
      expect(challenge.headers["www-authenticate"]).toBe('Bearer realm="mcpgate"');
      expect(challenge.body.message).toMatch(/outside|base path/);
      expect(JSON.stringify([challenge, (error as Error).message])).not.toContain(key.slice(12));
    }
    expect(failure({ url: "/api/mcp" }, extract)).toMatchObject({ reason: "none" });
    expect(toChallenge(failure({ url: "/api/mcp" }, extract)).body.message).toBe(
      "An API key is required.",
    );
  });

  it("whitespace policy: a key with whitespace around it is malformed, never trimmed", async () => {
    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const issued = await gate.createApp({ name: "a" });
    for (const padded of [` ${issued.key}`, `${issued.key}\n`, `\t${issued.key} `]) {
      await expect(gate.authenticate(padded)).rejects.toMatchObject({
        code: "malformed_key",
        reason: "surrounding_whitespace",
      });
    }
    expect(() => parseKey(` ${issued.key}`)).toThrow(/surrounding whitespace/);
    // Inside a URL path there is no trimming either; in a header, HTTP's own OWS rule applies.
    expect(failure({ url: `/mcp/${issued.key}%20` })).toBeInstanceOf(MalformedKeyError);
    expect(
      extractCredential({ url: "/mcp", headers: { authorization: `Bearer ${issued.key} ` } }).key,
    ).toBe(issued.key);
  });
});
