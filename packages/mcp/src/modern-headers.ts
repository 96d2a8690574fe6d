/**
 * Header–body validation of MCP 2026-07-28 POSTs: `MCP-Protocol-Version`, `Mcp-Method` and
 * `Mcp-Name` mirror the body, and a server that reads the body must answer any disagreement (or a
 * missing or malformed header) with 400 and JSON-RPC -32020. Only once they agree may a policy be
 * applied from the headers — and only for versions that require this validation: older versions
 * (or none) never make the headers trustworthy, so they get no header-based decision at all.
 */
import { decodeHeaderValue } from "./header-value.js";
import { JSON_RPC, jsonRpcErrorAnswer, type HttpAnswer } from "./json-rpc.js";

/** The first protocol revision whose mirrored headers servers must validate against the body. */
export const FIRST_VALIDATED_REVISION = "2026-07-28";
const REVISION = /^\d{4}-\d{2}-\d{2}$/;
const PROTOCOL_VERSION_META = "io.modelcontextprotocol/protocolVersion";

/** Methods whose target is mirrored in `Mcp-Name`, and the param that holds it. */
const NAMED: Readonly<Record<string, "name" | "uri">> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
};

/** The outcome of {@link checkModernHeaders}. */
export type ModernHeaders =
  /** Not a request whose headers this revision validates: nothing may be decided from them. */
  | { kind: "unvalidated" }
  /** Headers and body agree: `method` (and `name`, for the named methods) can be trusted. */
  | { kind: "validated"; id: string | number | undefined; method: string; name: string | undefined }
  /** The 400 / -32020 answer the spec requires. */
  | { kind: "mismatch"; answer: HttpAnswer };

/** True for a revision that requires header–body validation (2026-07-28 and later). */
export function requiresHeaderValidation(version: string | undefined): boolean {
  return version !== undefined && REVISION.test(version) && version >= FIRST_VALIDATED_REVISION;
}

function mismatch(message: string, id: string | number | undefined): ModernHeaders {
  const answer = jsonRpcErrorAnswer(
    400,
    { code: JSON_RPC.headerMismatch, message: `Header mismatch: ${message}` },
    {},
    id ?? null,
  );
  return { kind: "mismatch", answer };
}

function field(object: unknown, key: string): unknown {
  return typeof object === "object" && object !== null && !Array.isArray(object)
    ? (object as Record<string, unknown>)[key]
    : undefined;
}

/**
 * Checks a POST's mirrored headers against its parsed JSON body. `header(name)` returns a header's
 * value (names are lower case). Batches are not a 2026-07-28 message: they stay "unvalidated"
 * and the SDK answers them.
 */
export function checkModernHeaders(
  header: (name: string) => string | null | undefined,
  body: unknown,
): ModernHeaders {
  const version = header("mcp-protocol-version") ?? undefined;
  if (!requiresHeaderValidation(version)) return { kind: "unvalidated" };
  const method = field(body, "method");
  if (typeof method !== "string") return { kind: "unvalidated" };
  const rawId = field(body, "id");
  const id = typeof rawId === "string" || typeof rawId === "number" ? rawId : undefined;
  const params = field(body, "params");
  const bodyVersion = field(field(params, "_meta"), PROTOCOL_VERSION_META);
  if (bodyVersion !== undefined && bodyVersion !== version) {
    return mismatch(`MCP-Protocol-Version header value '${version}' does not match body value`, id);
  }
  const methodHeader = header("mcp-method");
  if (methodHeader === null || methodHeader === undefined) {
    return mismatch("required header Mcp-Method is missing", id);
  }
  if (methodHeader !== method) {
    return mismatch("Mcp-Method header value does not match body value", id);
  }
  const key = NAMED[method];
  if (key === undefined) return { kind: "validated", id, method, name: undefined };
  const nameHeader = header("mcp-name");
  if (nameHeader === null || nameHeader === undefined) {
    return mismatch("required header Mcp-Name is missing", id);
  }
  const name = decodeHeaderValue(nameHeader);
  if (name === undefined) return mismatch("Mcp-Name header value is malformed", id);
  if (name !== field(params, key)) {
    return mismatch("Mcp-Name header value does not match body value", id);
  }
  return { kind: "validated", id, method, name };
}
