/**
 * Per-app tool isolation at the protocol level, between the transport and whatever server the
 * factory built (McpServer or the low-level Server): `tools/list` results are filtered and
 * `tools/call` of a tool outside the policy never reaches the server. Working on the transport's
 * messages keeps this independent of how, or whether, the factory registered its tools.
 */
import { isMcpgateError, isToolAllowed, type App } from "@mcpgate/core";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import { JSON_RPC } from "./json-rpc.js";

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

interface IsolationOptions {
  guardrail: Guardrail | undefined;
  onError: (error: unknown, context: string) => void;
}

const GENERIC_REFUSAL = "The tool call was refused.";

function appOf(extra: MessageExtraInfo | undefined): App | undefined {
  const app = extra?.authInfo?.extra?.app;
  return typeof app === "object" && app !== null ? (app as App) : undefined;
}

/** Installs the filter on a transport the server is already connected to. */
export function isolateTools(transport: Transport, options: IsolationOptions): void {
  const deliver = transport.onmessage;
  if (deliver === undefined) throw new Error("isolateTools: connect the server first");
  const { guardrail, onError } = options;
  const pendingLists = new Map<RequestId, App | undefined>();
  const send = transport.send.bind(transport);

  const reply = (id: RequestId, body: { result: object } | { error: object }): void => {
    send({ jsonrpc: "2.0", id, ...body } as JSONRPCMessage).catch((error: unknown) =>
      onError(error, "send"),
    );
  };

  const refuse = async (call: ToolCall, id: RequestId): Promise<boolean> => {
    if (guardrail === undefined) return false;
    try {
      await guardrail(call);
      return false;
    } catch (error) {
      const shown = isMcpgateError(error) && error.code === "tool_not_allowed";
      if (!shown) onError(error, "guardrail");
      const text = shown ? error.message : GENERIC_REFUSAL;
      reply(id, { result: { content: [{ type: "text", text }], isError: true } });
      return true;
    }
  };

  const filtered = (message: JSONRPCMessage, extra?: MessageExtraInfo): void => {
    if (!isJSONRPCRequest(message)) return deliver(message, extra);
    const app = appOf(extra);
    if (message.method === "tools/list") {
      pendingLists.set(message.id, app);
      return deliver(message, extra);
    }
    if (message.method !== "tools/call") return deliver(message, extra);
    const tool = message.params?.name;
    // Without a string name the server's own schema check answers "invalid params".
    if (typeof tool !== "string") return deliver(message, extra);
    if (app === undefined || !isToolAllowed(app.policy, tool)) {
      return reply(message.id, {
        error: {
          code: JSON_RPC.invalidParams,
          message: `Tool ${JSON.stringify(tool)} is not available to this app.`,
          data: { error: "tool_not_allowed" },
        },
      });
    }
    if (guardrail === undefined) return deliver(message, extra);
    const args = message.params?.arguments;
    const call: ToolCall = {
      app,
      tool,
      arguments: typeof args === "object" && args !== null ? (args as Record<string, unknown>) : {},
    };
    void refuse(call, message.id).then((refused) => {
      if (!refused) deliver(message, extra);
    });
  };
  transport.onmessage = filtered as Transport["onmessage"];

  transport.send = (message, sendOptions) => {
    if (isJSONRPCResultResponse(message) && pendingLists.has(message.id)) {
      const app = pendingLists.get(message.id);
      pendingLists.delete(message.id);
      const tools = (message.result as { tools?: unknown }).tools;
      if (Array.isArray(tools)) {
        const visible = tools.filter(
          (tool: { name?: unknown }) =>
            app !== undefined &&
            typeof tool.name === "string" &&
            isToolAllowed(app.policy, tool.name),
        );
        message = { ...message, result: { ...message.result, tools: visible } };
      }
    } else if ("id" in message && "error" in message && message.id !== undefined) {
      pendingLists.delete(message.id);
    }
    return send(message, sendOptions);
  };
}
