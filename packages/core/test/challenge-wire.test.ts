/**
 * serializeChallenge: the bytes adapters write for a refused request, built once per challenge.
 * The laws: what goes on the wire is exactly the challenge (body, headers, length), and a
 * challenge from a challenger is serialized once, not per request.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHALLENGE_CONTENT_TYPE,
  ClosedError,
  InvalidKeyError,
  MalformedAuthorizationError,
  MissingCredentialsError,
  OverloadedError,
  RateLimitedError,
  StoreUnavailableError,
  createChallenger,
  serializeChallenge,
  type Challenge,
} from "../src/index.js";

const errors = fc.oneof(
  fc.constant(new InvalidKeyError()),
  fc.constant(new MissingCredentialsError()),
  fc.constant(new MissingCredentialsError("key_outside_base_path", "abcd1234")),
  fc.constant(new MalformedAuthorizationError("missing_scheme")),
  fc.constant(new StoreUnavailableError()),
  fc.constant(new Error("not ours")),
  fc.double({ min: 0, max: 100_000, noNaN: true }).map((s) => new RateLimitedError(s)),
  fc.integer({ min: 1, max: 100_000 }).map((s) => new OverloadedError(s, "verification_queue")),
  fc.integer({ min: 1, max: 1_000 }).map((s) => new ClosedError(s)),
);

function expectWireOf(challenge: Challenge): void {
  const wire = serializeChallenge(challenge);
  expect(wire.status).toBe(challenge.status);
  expect(JSON.parse(wire.body)).toEqual(challenge.body);
  expect(wire.headers["content-type"]).toBe(CHALLENGE_CONTENT_TYPE);
  expect(wire.headers["content-length"]).toBe(String(Buffer.byteLength(wire.body)));
  for (const [name, value] of Object.entries(challenge.headers)) {
    expect(wire.headers[name.toLowerCase()]).toBe(value);
  }
  expect(Object.keys(wire.headers)).toHaveLength(Object.keys(challenge.headers).length + 2);
  expect(wire.headerList).toEqual(Object.entries(wire.headers).flat());
}

describe("serializeChallenge", () => {
  it("is exactly the challenge: status, every header, JSON body and its byte length", () => {
    fc.assert(
      fc.property(errors, fc.constantFrom("mcpgate", 'a "quoted" realm'), (error, realm) => {
        expectWireOf(createChallenger({ realm })(error));
      }),
    );
  });

  it("serializes a challenger's challenge once: the same refusal writes the same prepared bytes", () => {
    fc.assert(
      fc.property(errors, (error) => {
        const challenge = createChallenger()(error);
        expect(serializeChallenge(challenge)).toBe(serializeChallenge(challenge));
      }),
    );
    const challenger = createChallenger();
    expect(challenger(new InvalidKeyError())).toBe(challenger(new InvalidKeyError()));
    expect(challenger(new RateLimitedError(7))).toBe(challenger(new RateLimitedError(6.2)));
    expect(challenger(new RateLimitedError(7))).not.toBe(challenger(new RateLimitedError(8)));
  });

  it("keeps a Retry-After of any size correct, sharing only the small ones (a bounded table)", () => {
    const challenger = createChallenger();
    const long = challenger(new RateLimitedError(86_400));
    expect(long.headers["retry-after"]).toBe("86400");
    expect(challenger(new RateLimitedError(86_400))).not.toBe(long);
    expect(serializeChallenge(long).headers["retry-after"]).toBe("86400");
  });

  it("serializes a challenge-shaped object that no challenger made (built on the spot)", () => {
    const own: Challenge = {
      status: 418,
      headers: { "X-Teapot": "short and stout" },
      body: { error: "teapot", message: "I'm a teapot ✓" },
    };
    expectWireOf(own);
    expect(serializeChallenge(own).headers["x-teapot"]).toBe("short and stout");
  });
});
