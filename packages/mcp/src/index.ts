export { createMcpHandler, type McpHandler } from "./handler.js";
export type { McpHandlerOptions, McpServerLike } from "./options.js";
export type { Guardrail, ToolCall } from "./isolation.js";
export type { AllowedHosts, HostValidation } from "./host-validation.js";
export { MemoryEventStore, type EventStore } from "./event-store.js";
