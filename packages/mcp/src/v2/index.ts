export { createMcpEndpoint, type McpEndpoint, type McpEndpointFetchOptions } from "./endpoint.js";
export type { NodeHandler } from "./node.js";
export type { McpEndpointOptions, McpServerFactoryV2, McpServerV2Like } from "./options.js";
export type { McpEndpointBaseOptions } from "../endpoint-options.js";
export type { Guardrail, ToolCall } from "../isolation.js";
export type { AllowedHosts, HostValidation } from "../host-validation.js";
