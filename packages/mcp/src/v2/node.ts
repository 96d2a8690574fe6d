/**
 * node:http (Express, Fastify, plain `http`) in front of the v2 endpoint's `fetch`: the request
 * becomes a web `Request` (its body streamed, read only after authentication), the node request
 * is cleaned of the key in place for access loggers (as on 1.x), and the `Response` is written
 * back, streaming (SSE) included.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { takeCredentials } from "../hygiene.js";
import { writeAnswer } from "../json-rpc.js";
import { bodyOf, bodyRefusal, type McpRequest } from "../request.js";
import type { McpEndpointFetchOptions } from "./endpoint.js";

/** A node:http handler; `parsedBody` as with Express `express.json()` or Fastify. */
export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  parsedBody?: unknown,
) => Promise<void>;

function originOf(host: string | undefined): string {
  try {
    return new URL(`http://${host ?? "localhost"}`).origin;
  } catch {
    return "http://localhost";
  }
}

function toWebRequest(req: McpRequest, signal: AbortSignal, withBody: boolean): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // A header fetch cannot hold (node accepted it): not one MCP or the gate reads.
    }
  }
  const url = new URL(req.originalUrl ?? req.url ?? "/", originOf(req.headers.host));
  const method = req.method ?? "GET";
  const body = withBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null;
  return new Request(url, {
    method,
    headers,
    body,
    signal,
    ...(body === null ? {} : { duplex: "half" }),
  } as RequestInit);
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) headers[name] = value;
  res.writeHead(response.status, headers);
  if (response.body === null) return void res.end();
  res.flushHeaders();
  const reader = response.body.getReader();
  res.once("close", () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
  } catch {
    // The client went away or the stream failed: nothing more to send.
  }
  res.end();
}

/**
 * Wraps a fetch handler for node:http. `cleanUrl` is the gate's, to clean the node request in
 * place; `maxBodyBytes` bounds a body a framework left on `req.body` as text.
 */
export function nodeHandlerOf(
  fetch: (request: Request, options: McpEndpointFetchOptions) => Promise<Response>,
  cleanUrl: (url: string) => string,
  maxBodyBytes: number,
): NodeHandler {
  return async (incoming, res, parsedBody) => {
    const req = incoming as McpRequest;
    const aborted = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) aborted.abort();
    });
    let body = parsedBody;
    if (body === undefined && req.method === "POST" && req.readableEnded) {
      // A body parser consumed the stream: take what it left (or say it did not leave it).
      const read = await bodyOf(req, undefined, maxBodyBytes);
      if (!read.ok) return writeAnswer(res, bodyRefusal(read));
      body = read.body;
    }
    const streamed = req.method === "POST" && body === undefined;
    const request = toWebRequest(req, aborted.signal, streamed);
    // From here on loggers reading `req` (morgan, pino-http) see no key.
    takeCredentials(req, cleanUrl);
    const localAddress = req.socket.localAddress;
    const response = await fetch(request, {
      ...(body === undefined ? {} : { parsedBody: body }),
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    await writeResponse(response, res);
  };
}
