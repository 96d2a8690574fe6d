/**
 * The fetch side of the endpoint: answers as `Response`s, bounded JSON bodies from a `Request`,
 * the request the SDK sees (no key in its URL or headers), and response bodies whose end is known.
 */
import type { HttpAnswer } from "../json-rpc.js";
import { containsKeyShape, redactHeaderValue } from "../key-shapes.js";
import { PARSE_ERROR, payloadTooLarge, type BodyResult } from "../request.js";

/** An answer built once (shared with the 1.x endpoint) as a web `Response`. */
export function toResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** Reads and parses a JSON body of at most `maxBytes` (a larger `Content-Length` is refused unread). */
export async function readFetchJsonBody(request: Request, maxBytes: number): Promise<BodyResult> {
  if (Number(request.headers.get("content-length")) > maxBytes) return payloadTooLarge(maxBytes);
  if (request.body === null) return PARSE_ERROR;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  try {
    return { ok: true, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown };
  } catch {
    return PARSE_ERROR;
  }
}

/**
 * The request as the SDK may see it: `url` (the key already removed by the gate), no
 * `Authorization`, every other header that holds a key in any encoding redacted, and no body
 * (the endpoint hands the SDK the parsed body).
 */
export function withoutKey(request: Request, url: URL): Request {
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    if (name === "authorization" || containsKeyShape(name)) continue;
    headers.append(name, containsKeyShape(value) ? redactHeaderValue(value) : value);
  }
  return new Request(url, { method: request.method, headers, signal: request.signal });
}

/**
 * `response` with a body that calls `ended` once when it is finished or cancelled (an SSE stream
 * counts as open on its session until then).
 */
export function onBodyEnd(response: Response, ended: () => void): Response {
  if (response.body === null) {
    ended();
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          ended();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        ended();
        controller.error(error);
      }
    },
    async cancel(reason) {
      ended();
      await reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}
