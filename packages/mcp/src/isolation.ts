/**
 * Per-app isolation at the protocol level, between the transport and whatever server the factory
 * built (McpServer or the low-level Server). Each message from the client is checked where it is
 * dispatched — after the body arrived and after every await on the way (server factory,
 * guardrail) — so that:
 *
 * - nothing runs for a key revoked meanwhile (`gate.isCurrent`, a Map lookup) or on a closed
 *   session;
 * - requests outside the app's policy (tools, resources, prompts, completions) never reach the
 *   server, and list results are filtered per request (see request-ids.ts), never by matching ids;
 * - each metered call (not each HTTP request) spends the app's rate limit;
 * - notifications to the client leak nothing the app cannot see.
 */
import {
  InvalidKeyError,
  isMcpgateError,
  toJsonRpcErrorBody,
  type App,
  type Gate,
} from "@mcpgate/core";
import { filterResult, isMetered, refusalFor, visibleNotification } from "./capability-policy.js";
import { JSON_RPC } from "./json-rpc.js";
import type { RateLimiter } from "./rate-limit.js";
import type {
  JsonRpcMessage as JSONRPCMessage,
  JsonRpcNotification as JSONRPCNotification,
  JsonRpcRequest as JSONRPCRequest,
  MessageExtra as MessageExtraInfo,
  RequestId,
  TransportLike as Transport,
} from "./message-shapes.js";
import { RequestIds } from "./request-ids.js";
import { ToolTelemetry } from "./tool-telemetry.js";

/**
 * What a guardrail sees before an allowed tool call.
 *
 * @example
 * ```ts
 * const log = ({ app, tool }: ToolCall) => console.log(`${app.keyId} calls ${tool}`);
 * ```
 */
export interface ToolCall {
  /** The app whose key made this HTTP request (current policy, never the key). */
  app: App;
  tool: string;
  /** The call's arguments as sent by the client (not yet validated by the tool's schema). */
  arguments: Readonly<Record<string, unknown>>;
}

/**
 * Runs before each allowed `tools/call`. Refuse by throwing a `ToolNotAllowedError` (from
 * `@mcpgate/core`): its message is shown to the client. Anything else thrown also refuses the
 * call, with a generic message, and is reported to `onError`.
 *
 * @example
 * ```ts
 * const guardrail: Guardrail = ({ app, tool, arguments: args }) => {
 *   if (tool === "transfer" && Number(args.amount) > 100 && !app.policy.scopes.includes("large")) {
 *     throw new ToolNotAllowedError(tool, "Transfers over 100 need the 'large' scope.");
 *   }
 * };
 * ```
 */
export type Guardrail = (call: ToolCall) => void | Promise<void>;

/** The isolation installed on one transport. */
export interface Isolation {
  /** Tells the client its lists changed (the app's policy did), for each capability it has. */
  policyChanged(): void;
}

export interface IsolationOptions {
  gate: Gate;
  guardrail: Guardrail | undefined;
  rateLimiter: RateLimiter;
  onError: (error: unknown, context: string) => void;
  /** Closed or not, the isolation unregisters itself here when its transport closes. */
  watchers?: PolicyWatchers;
  appId: string;
  /**
   * Completes a result the isolation layer answers itself (a guardrail's refusal) for the
   * request's protocol era; v2 adds the 2026-07-28 `resultType`. Default: unchanged.
   */
  shapeResult?: (result: Record<string, unknown>, request: JSONRPCRequest) => object;
}

const GENERIC_REFUSAL = "The tool call was refused.";
const SESSION_CLOSED = {
  code: JSON_RPC.serverError,
  message: "The session was closed before the call ran.",
  data: { error: "session_closed" },
};
const CAPABILITIES = ["tools", "resources", "prompts"] as const;

function appOf(extra: MessageExtraInfo | undefined): App | undefined {
  const app = extra?.authInfo?.extra?.app;
  return typeof app === "object" && app !== null ? (app as App) : undefined;
}

let revokedError: object | undefined;
/** The same words as the 401 for a regenerated key (built once: no stack per refusal). */
function revoked(gate: Gate): object {
  revokedError ??= toJsonRpcErrorBody(gate.challenge(new InvalidKeyError())).error;
  return revokedError;
}

function rateLimited(retryAfterSeconds: number): object {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return {
    code: JSON_RPC.serverError,
    message: `Rate limit exceeded for this app; retry in ${seconds} s.`,
    data: { error: "rate_limited", retryAfterSeconds: seconds },
  };
}

/** Installs isolation on a transport the server is already connected to. */
export function isolate(transport: Transport, options: IsolationOptions): Isolation {
  const deliver = transport.onmessage;
  if (deliver === undefined) throw new Error("isolate: connect the server first");
  const { gate, guardrail, rateLimiter, onError } = options;
  const send = transport.send.bind(transport);
  const ids = new RequestIds();
  const tools = new ToolTelemetry(gate);
  let closed = false;
  /** Tool calls waiting in the guardrail (by gate-owned id): answered, not dropped, on close. */
  const held = new Map<RequestId, { request: JSONRPCRequest; app: App }>();
  /** The app of the latest request: whom server-initiated notifications go to. */
  let latestApp: App | undefined;
  /** What the server declared in its initialize result (stateful sessions). */
  let capabilities: Record<string, unknown> | undefined;

  const reply = (id: RequestId, body: { result: object } | { error: object }): void => {
    send({ jsonrpc: "2.0", id, ...body } as JSONRPCMessage).catch((error: unknown) =>
      onError(error, "send"),
    );
  };

  /** True when the guardrail refused (and answered) the call. */
  const shapeResult = options.shapeResult ?? ((result) => result);
  const refusedByGuardrail = async (call: ToolCall, request: JSONRPCRequest): Promise<boolean> => {
    try {
      await (guardrail as Guardrail)(call);
      return false;
    } catch (error) {
      const shown = isMcpgateError(error) && error.code === "tool_not_allowed";
      if (!shown) onError(error, "guardrail");
      const text = shown ? error.message : GENERIC_REFUSAL;
      const result = { content: [{ type: "text", text }], isError: true };
      reply(request.id, { result: shapeResult(result, request) });
      return true;
    }
  };

  const cancel = (message: JSONRPCNotification, extra?: MessageExtraInfo): void => {
    const clientId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
    if (clientId === undefined) return;
    for (const id of ids.idsOf(clientId)) {
      deliver({ ...message, params: { ...message.params, requestId: id } }, extra);
    }
  };

  const dispatch = (request: JSONRPCRequest, app: App, extra?: MessageExtraInfo): void => {
    const refusal = refusalFor(app, request.method, request.params);
    if (refusal !== undefined) {
      tools.refused(app, request, "tool_not_allowed");
      return reply(request.id, { error: refusal });
    }
    if (!isMetered(request.method)) return admit(request, app, extra);
    const wait = rateLimiter.take(app);
    if (typeof wait === "number") {
      if (wait <= 0) return admit(request, app, extra);
      tools.rateLimited(app, request, wait);
      return reply(request.id, { error: rateLimited(wait) });
    }
    // A shared limiter had to ask its store: the key may have been regenerated meanwhile.
    void wait.then((seconds) => {
      if (closed) return;
      if (!gate.isCurrent(app)) return reply(request.id, { error: revoked(gate) });
      if (seconds > 0) {
        tools.rateLimited(app, request, seconds);
        return reply(request.id, { error: rateLimited(seconds) });
      }
      admit(request, app, extra);
    });
  };

  const admit = (request: JSONRPCRequest, app: App, extra?: MessageExtraInfo): void => {
    const id = ids.assign({ clientId: request.id, method: request.method, app });
    const forServer = { ...request, id };
    const tool = request.params?.name;
    // Without a string name the server's own schema check answers "invalid params".
    if (guardrail === undefined || request.method !== "tools/call" || typeof tool !== "string") {
      tools.started(id, app, request);
      return deliver(forServer, extra);
    }
    const args = request.params?.arguments;
    const call: ToolCall = {
      app,
      tool,
      arguments: typeof args === "object" && args !== null ? (args as Record<string, unknown>) : {},
    };
    held.set(id, { request, app });
    void refusedByGuardrail(call, request).then((refused) => {
      // Not held any more: the transport closed meanwhile and the call was answered then.
      if (!held.delete(id)) return;
      if (refused) tools.refused(app, request, "tool_not_allowed");
      if (refused || closed) return void ids.settle(id);
      // The guardrail awaited: the key may have been regenerated meanwhile.
      if (!gate.isCurrent(app)) {
        ids.settle(id);
        tools.refused(app, request, "invalid_key");
        return reply(request.id, { error: revoked(gate) });
      }
      tools.started(id, app, request);
      deliver(forServer, extra);
    });
  };

  transport.onmessage = ((message: JSONRPCMessage, extra?: MessageExtraInfo): void => {
    if (closed) return;
    const app = appOf(extra);
    const current = app !== undefined && gate.isCurrent(app);
    // A response to a request of the server's (sampling, elicitation) resumes a handler: only
    // from a key that still holds.
    if (!("method" in message)) return current ? deliver(message, extra) : undefined;
    if (!("id" in message) || message.id === undefined) {
      if (!current) return;
      if (message.method === "notifications/cancelled") return cancel(message, extra);
      return deliver(message, extra);
    }
    if (!current) {
      tools.refused(app, message as JSONRPCRequest, "invalid_key");
      return reply(message.id, { error: revoked(gate) });
    }
    latestApp = app;
    dispatch(message as JSONRPCRequest, app, extra);
  }) as Transport["onmessage"];

  transport.send = (message, sendOptions) => {
    const related = sendOptions?.relatedRequestId;
    if (related !== undefined) {
      const pending = ids.get(related);
      if (pending !== undefined)
        sendOptions = { ...sendOptions, relatedRequestId: pending.clientId };
    }
    if (!("method" in message)) {
      const pending = "id" in message ? ids.settle(message.id as RequestId) : undefined;
      if (pending !== undefined) tools.settled(message.id as RequestId, message);
      if (pending !== undefined) {
        if ("result" in message) {
          if (pending.method === "initialize") {
            capabilities = (message.result as { capabilities?: Record<string, unknown> })
              .capabilities;
          }
          const result = filterResult(pending.app, pending.method, message.result);
          message = { ...message, id: pending.clientId, result };
        } else {
          message = { ...message, id: pending.clientId };
        }
      }
    } else if (!("id" in message)) {
      const visible = visibleNotification(latestApp, message);
      if (visible === undefined) return Promise.resolve();
      message = visible;
    }
    return send(message, sendOptions);
  };

  const isolation: Isolation = {
    policyChanged() {
      // The latest request's policy is stale now: hold back resource updates until the next one.
      latestApp = undefined;
      if (closed || capabilities === undefined) return;
      for (const capability of CAPABILITIES) {
        if (capabilities[capability] === undefined) continue;
        send({ jsonrpc: "2.0", method: `notifications/${capability}/list_changed` }).catch(
          (error: unknown) => onError(error, "send"),
        );
      }
    },
  };
  const unwatch = options.watchers?.add(options.appId, isolation);
  // A session closed while calls wait in the guardrail (its key regenerated, the app deleted,
  // shutdown): each waiting call gets its answer on its own stream before the transport closes,
  // so the client sees why instead of waiting for its timeout. The call never runs.
  const closeTransport = transport.close.bind(transport);
  transport.close = async () => {
    const answers = [...held].map(([id, { request, app }]) => {
      ids.settle(id);
      const revokedKey = !gate.isCurrent(app);
      if (revokedKey) tools.refused(app, request, "invalid_key");
      const error = revokedKey ? revoked(gate) : SESSION_CLOSED;
      return send({ jsonrpc: "2.0", id: request.id, error } as JSONRPCMessage).catch(
        (failure: unknown) => onError(failure, "send"),
      );
    });
    held.clear();
    await Promise.all(answers);
    return closeTransport();
  };

  const onclose = transport.onclose;
  transport.onclose = () => {
    closed = true;
    ids.clear();
    tools.clear();
    unwatch?.();
    onclose?.();
  };
  return isolation;
}

/** The isolations of open transports, by app: a policy change notifies that app's clients. */
export class PolicyWatchers {
  readonly #byApp = new Map<string, Set<Isolation>>();

  add(appId: string, isolation: Isolation): () => void {
    let set = this.#byApp.get(appId);
    if (set === undefined) this.#byApp.set(appId, (set = new Set()));
    set.add(isolation);
    return () => {
      set.delete(isolation);
      if (set.size === 0 && this.#byApp.get(appId) === set) this.#byApp.delete(appId);
    };
  }

  policyChanged(appId: string): void {
    for (const isolation of this.#byApp.get(appId) ?? []) isolation.policyChanged();
  }
}
