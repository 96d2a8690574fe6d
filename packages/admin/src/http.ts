/**
 * Writing responses and reading bodies on node:http, the one request/response type every mount
 * hands to the admin handler.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Body of every admin API error: a stable code and a fixed sentence, never a stack or a key. */
export interface AdminErrorBody {
  error: string;
  message: string;
  /** Field-level problems of invalid input. */
  issues?: string[];
}

/** An admin API failure with its HTTP status. @internal */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: AdminErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

/**
 * Headers on every response of the mount: nothing is cached (pages and API hold app data, two
 * responses hold a key), nothing may frame or sniff it, no referrer leaves it, and the CSP allows
 * only the dashboard's own script and stylesheet.
 */
const SECURITY_HEADERS: Record<string, string> = {
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

/** @internal */
export function send(
  res: ServerResponse,
  status: number,
  contentType: string | undefined,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...(contentType ? { "content-type": contentType } : {}),
    ...headers,
  });
  res.end(body);
}

/** @internal */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  if (status === 204) return send(res, 204, undefined, "", headers);
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value), headers);
}

/** One value of a header (the first, if repeated). @internal */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const MAX_BODY_BYTES = 64 * 1024;

/**
 * The JSON object body of a request, or `{}` when it has none. Only `application/json` is read:
 * HTML forms cannot send it cross-origin without a CORS preflight (which this mount never allows).
 * @throws HttpError 413, 415, 400
 */
export async function readJsonBody(
  req: IncomingMessage,
  preParsed?: { body: unknown },
): Promise<Record<string, unknown>> {
  const length = Number(header(req, "content-length") ?? 0);
  const chunked = header(req, "transfer-encoding") !== undefined;
  if (length === 0 && !chunked && preParsed === undefined) return {};
  const mediaType = (header(req, "content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new HttpError(415, {
      error: "unsupported_media_type",
      message: "Send a JSON body (Content-Type: application/json).",
    });
  }
  if (length > MAX_BODY_BYTES) throw tooLarge();
  let value: unknown;
  if (preParsed !== undefined) {
    value = preParsed.body;
  } else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(chunk);
    }
    try {
      value = size === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      throw new HttpError(400, { error: "invalid_json", message: "The body is not valid JSON." });
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(400, { error: "invalid_json", message: "The body must be a JSON object." });
  }
  return value as Record<string, unknown>;
}

function tooLarge(): HttpError {
  return new HttpError(413, { error: "body_too_large", message: "The body is too large." });
}
