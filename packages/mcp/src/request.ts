/**
 * What happens to the node:http request before the SDK sees it: the key leaves the URL and the
 * headers, the app arrives as `req.auth`, and the body is read once, bounded.
 */
import type { IncomingMessage } from "node:http";
import { toAuthInfo, type App } from "@mcpgate/core";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { jsonRpcErrorAnswer, type HttpAnswer } from "./json-rpc.js";

/** A request as the SDK's transport reads it (`auth` is how it finds `extra.authInfo`). */
export type McpRequest = IncomingMessage & { auth?: AuthInfo; originalUrl?: string };

/**
 * Rewrites the request so nothing downstream (SDK `requestInfo`, loggers, Express'
 * `originalUrl`) holds the key. The SDK builds its `Headers` from `rawHeaders`, hence both.
 */
export function stripCredential(req: McpRequest, url: string, app: App): void {
  req.url = url;
  if (typeof req.originalUrl === "string") req.originalUrl = url;
  delete req.headers.authorization;
  delete req.headersDistinct.authorization;
  const raw = req.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.toLowerCase() !== "authorization") kept.push(name, raw[i + 1] as string);
  }
  req.rawHeaders = kept;
  req.auth = toAuthInfo(app);
}

/** The outcome of reading a JSON body. */
export type BodyResult =
  | { ok: true; body: unknown }
  | { ok: false; status: 400 | 413 | 500; code: number; message: string; error?: string };

/** What a body parser left on the request (`req.body` of Express, Koa, Connect parsers). */
type ParsedRequest = IncomingMessage & { body?: unknown };

const BODY_ALREADY_READ: BodyResult = {
  ok: false,
  status: 500,
  code: -32603,
  error: "body_already_read",
  message:
    "The request body was already read by a body parser (such as express.json()) and not passed on: call mcp(req, res, req.body), or mount the MCP handler before the body parser.",
};

/**
 * The JSON body of a POST: `parsedBody` when given; else what a body parser already left in
 * `req.body` (its stream is consumed, so waiting for it would hang); else read from the stream.
 * A consumed stream with nothing parsed fails at once with `body_already_read`.
 */
export async function bodyOf(
  req: IncomingMessage,
  parsedBody: unknown,
  maxBytes: number,
): Promise<BodyResult> {
  if (parsedBody !== undefined) return { ok: true, body: parsedBody };
  if (!req.readableEnded) return readJsonBody(req, maxBytes);
  const parsed = (req as ParsedRequest).body;
  if (parsed === undefined) return BODY_ALREADY_READ;
  if (typeof parsed === "string" || Buffer.isBuffer(parsed)) {
    // A text or raw parser: the JSON is still to be parsed (its size was bounded by that parser).
    try {
      return { ok: true, body: JSON.parse(parsed.toString()) as unknown };
    } catch {
      return PARSE_ERROR;
    }
  }
  return { ok: true, body: parsed };
}

/** A body that is not JSON. */
export const PARSE_ERROR: BodyResult = {
  ok: false,
  status: 400,
  code: -32700,
  message: "Parse error: Invalid JSON",
};

/** Reads and parses a JSON body of at most `maxBytes` (a larger `Content-Length` is refused unread). */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const tooLarge = payloadTooLarge(maxBytes);
  if (Number(req.headers["content-length"]) > maxBytes) return tooLarge;
  const text = await new Promise<string | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= maxBytes) return void chunks.push(chunk);
      // Stop collecting but do not destroy the request: Node drains the rest after the 413.
      req.off("data", onData).off("end", onEnd).off("error", reject);
      resolve(undefined);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks).toString("utf8"));
    req.on("data", onData).once("end", onEnd).once("error", reject);
  });
  if (text === undefined) return tooLarge;
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return PARSE_ERROR;
  }
}

/** A body over `maxBytes` (the SDK's words). */
export function payloadTooLarge(maxBytes: number): BodyResult {
  return {
    ok: false,
    status: 413,
    code: -32000,
    message: `Payload Too Large: Request body must not exceed ${maxBytes} bytes`,
  };
}

/** The answer for a body that could not be read (413, 400 parse error, 500 already read). */
export function bodyRefusal(read: Exclude<BodyResult, { ok: true }>): HttpAnswer {
  const headers: Record<string, string> = read.status === 413 ? { connection: "close" } : {};
  const { code, message, error } = read;
  const data = error === undefined ? {} : { data: { error } };
  return jsonRpcErrorAnswer(read.status, { code, message, ...data }, headers);
}
