export {
  createMcpEndpoint,
  createMcpHandler,
  type McpEndpoint,
  type McpHandler,
} from "./handler.js";
export type { McpEndpointOptions, McpHandlerOptions, McpServerLike } from "./options.js";
export type { Guardrail, ToolCall } from "./isolation.js";
export type { AllowedHosts, HostValidation } from "./host-validation.js";
export { MemoryEventStore, type EventStore } from "./event-store.js";
