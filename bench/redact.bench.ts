/**
 * What the adapters' redaction costs per request: `redactRequest` over the headers an MCP client
 * sends (both `headers` and `rawHeaders`, as on Node), against building the same request object.
 */
import { generateKey, redactRequest } from "@mcpgate/core";
import { compare } from "./compare.js";

const key = generateKey();

/** The header lines of a request, as Node's parser hands them over. */
type Lines = readonly (readonly [string, string])[];

const minimal: Lines = [
  ["Host", "127.0.0.1:3000"],
  ["Authorization", `Bearer ${key}`],
];
/** What an MCP client sends on a tools/call (SDK 1.x over Streamable HTTP). */
const mcpClient: Lines = [
  ["Host", "127.0.0.1:3000"],
  ["User-Agent", "node"],
  ["Accept", "application/json, text/event-stream"],
  ["Authorization", `Bearer ${key}`],
  ["Content-Type", "application/json"],
  ["Mcp-Session-Id", "6f9c1e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"],
  ["Mcp-Protocol-Version", "2025-11-25"],
  ["Accept-Encoding", "gzip, deflate"],
];

/** A fresh request each call (redaction rewrites it), with values copied as a parser makes them. */
function requestOf(lines: Lines) {
  const rawHeaders: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of lines) {
    const fresh = ` ${value}`.slice(1); // a new string, not yet hashed
    rawHeaders.push(name, fresh);
    headers[name.toLowerCase()] = fresh;
  }
  return { url: "/mcp", headers, rawHeaders };
}

export async function redactBench(): Promise<void> {
  await compare(
    "redactRequest per request: headers and rawHeaders, as the adapters call it",
    { name: "building the MCP client's request alone", fn: () => requestOf(mcpClient) },
    [
      {
        name: "redactRequest, Host + Authorization",
        fn: () => redactRequest(requestOf(minimal)),
      },
      {
        name: "redactRequest, an MCP client's 8 headers",
        fn: () => redactRequest(requestOf(mcpClient)),
      },
    ],
  );
}
