/**
 * Key hygiene: the first thing the endpoint does with a request is take every key out of it. The
 * credential is kept aside for authentication; the request itself (its URL, Express'
 * `originalUrl`, `headers`, `headersDistinct` and `rawHeaders`) no longer holds a key in any
 * encoding, whatever the answer turns out to be (401, 404, 405, 200). Access loggers that read the
 * request when the response finishes, and the SDK's `requestInfo`, see the clean request.
 */
import type { RequestLike } from "@mcpgate/core";
import { containsKeyShape, redactHeaderValue } from "./key-shapes.js";
import type { McpRequest } from "./request.js";

const AUTHORIZATION = "authorization";

/**
 * Cleans `req` in place and returns what authentication needs (the original URL and raw
 * headers). `cleanUrl` is the gate's: a path key under its base path is removed, any other key
 * redacted.
 */
export function takeCredentials(req: McpRequest, cleanUrl: (url: string) => string): RequestLike {
  const url = req.originalUrl ?? req.url ?? "/";
  const credentials: RequestLike = { url, rawHeaders: req.rawHeaders, socket: req.socket };
  if (typeof req.url === "string") req.url = cleanUrl(req.url);
  if (typeof req.originalUrl === "string") req.originalUrl = cleanUrl(req.originalUrl);
  scrubHeaders(req);
  return credentials;
}

/** Drops `Authorization` and redacts every other header value that holds a key. */
function scrubHeaders(req: McpRequest): void {
  const raw = req.rawHeaders;
  let changed: Set<string> | undefined;
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === AUTHORIZATION) {
      (changed ??= new Set()).add(lower);
    } else if (containsKeyShape(value) || containsKeyShape(name)) {
      (changed ??= new Set()).add(lower);
      kept.push(containsKeyShape(name) ? "x-redacted" : name, redactHeaderValue(value));
    } else {
      kept.push(name, value);
    }
  }
  if (changed === undefined) return;
  // Node builds `headers` and `headersDistinct` lazily from `rawHeaders`: build them first.
  const headers = req.headers as Record<string, string | string[] | undefined>;
  const distinct = req.headersDistinct as Record<string, string[] | undefined>;
  req.rawHeaders = kept;
  for (const name of changed) {
    const values: string[] = [];
    for (let i = 0; i + 1 < kept.length; i += 2) {
      if ((kept[i] as string).toLowerCase() === name) values.push(kept[i + 1] as string);
    }
    if (values.length === 0) {
      delete headers[name];
      delete distinct[name];
    } else {
      headers[name] = name === "set-cookie" ? values : values.join(", ");
      distinct[name] = values;
    }
  }
}
