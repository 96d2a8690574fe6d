/**
 * The user's `server(app)` factory, called defensively: a factory that throws, returns something
 * that is not an SDK server, or returns a server it returned before (an SDK server connects to one
 * transport only) fails with an error that says which, instead of a bare 500.
 */
import { JSON_RPC } from "./json-rpc.js";

/** Why the endpoint could not build a server; `code` and `message` are safe to show a client. */
export type ServerSetupCode = "server_factory_failed" | "server_invalid" | "server_reused";

export class ServerSetupError extends Error {
  readonly code: ServerSetupCode;

  constructor(code: ServerSetupCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ServerSetupError";
    this.code = code;
  }
}

const MESSAGES: Readonly<Record<ServerSetupCode, string>> = {
  server_factory_failed: "The MCP server factory (options.server) threw; see the server's log.",
  server_invalid: "The MCP server factory (options.server) must return an McpServer or Server.",
  server_reused:
    "The MCP server factory (options.server) must return a new McpServer per session (stateful) or request (stateless); it returned one it had returned before.",
};

/** What both SDK majors' servers (McpServer, Server) have in common. */
export interface ServerLike {
  connect(transport: never): Promise<void>;
  close(): Promise<void>;
}

function isServer(value: unknown): value is ServerLike {
  const server = value as Partial<Record<"connect" | "close", unknown>> | null;
  return (
    typeof server === "object" &&
    server !== null &&
    typeof server.connect === "function" &&
    typeof server.close === "function"
  );
}

/** Wraps a factory: each call returns a server never handed out before, or a ServerSetupError. */
export function guardedFactory<Args extends unknown[], Server>(
  factory: (...args: Args) => Server | Promise<Server>,
): (...args: Args) => Promise<Server> {
  const handedOut = new WeakSet<object>();
  return async (...args) => {
    let server: unknown;
    try {
      server = await factory(...args);
    } catch (cause) {
      throw new ServerSetupError("server_factory_failed", MESSAGES.server_factory_failed, {
        cause,
      });
    }
    if (!isServer(server)) throw new ServerSetupError("server_invalid", MESSAGES.server_invalid);
    if (handedOut.has(server)) throw new ServerSetupError("server_reused", MESSAGES.server_reused);
    handedOut.add(server);
    return server as Server;
  };
}

/**
 * The JSON-RPC error for a request that failed off the normal path, on either major's endpoint:
 * a broken factory is the host's to fix, so say what is wrong (never the cause's message).
 */
export function requestFailure(error: unknown): { code: number; message: string; data?: object } {
  return error instanceof ServerSetupError
    ? { code: JSON_RPC.serverError, message: error.message, data: { error: error.code } }
    : { code: JSON_RPC.serverError, message: "Internal error." };
}
