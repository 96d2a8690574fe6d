/**
 * What an app may see and use, per MCP method: the rules the isolation layer applies to each
 * request (refuse or pass), each list result (filter) and each server notification (drop or pass).
 * One table for every capability — tools, resources, resource templates, prompts, completions —
 * so a new method is either listed here or refused.
 */
import {
  isPromptAllowed,
  isResourceAllowed,
  isToolAllowed,
  type App,
  type AppPolicy,
} from "@mcpgate/core";
import { JSON_RPC } from "./json-rpc.js";
import { compileTemplate, matchesTemplate } from "./uri-template-match.js";

type Lists = Pick<AppPolicy, "tools" | "resources" | "prompts">;

/** Longest URI matched against the policy's URI templates (matching is linear in it). */
const MAX_MATCHED_URI = 65_536;
const templates = new Map<string, ReturnType<typeof compileTemplate>>();

function compiled(template: string): ReturnType<typeof compileTemplate> {
  if (!templates.has(template)) {
    if (templates.size >= 1000) templates.clear();
    templates.set(template, compileTemplate(template));
  }
  return templates.get(template);
}

/** True when `uri` is listed, or matches a URI template that is listed (core's rule decides). */
export function isResourceVisible(policy: Lists, uri: string): boolean {
  if (isResourceAllowed(policy, uri)) return true;
  if (policy.resources === "*" || uri.length > MAX_MATCHED_URI) return false;
  const template = policy.resources.find((entry) => {
    if (!entry.includes("{")) return false;
    const pieces = compiled(entry);
    return pieces !== undefined && matchesTemplate(pieces, uri);
  });
  return template !== undefined && isResourceAllowed(policy, uri, template);
}

/** True when the URI template itself is listed (as registered). */
function isTemplateVisible(policy: Lists, template: string): boolean {
  return isResourceAllowed(policy, template);
}

const isPromptVisible = (policy: Lists, name: string): boolean => isPromptAllowed(policy, name);

/** A JSON-RPC error object for a refused request. */
export interface Refusal {
  code: number;
  message: string;
  data: { error: string };
}

const refusal = (kind: "tool" | "resource" | "prompt", name: string): Refusal => ({
  code: JSON_RPC.invalidParams,
  message: `${kind[0]?.toUpperCase()}${kind.slice(1)} ${JSON.stringify(name)} is not available to this app.`,
  data: { error: `${kind}_not_allowed` },
});

function stringParam(params: unknown, key: string): string | undefined {
  if (typeof params !== "object" || params === null) return undefined;
  const value = (params as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

function resourceRefusal(app: App, uri: string | undefined): Refusal | undefined {
  // Without a string the server's own schema check answers "invalid params".
  if (uri === undefined || isResourceVisible(app.policy, uri)) return undefined;
  return refusal("resource", uri);
}

function completionRefusal(app: App, params: unknown): Refusal | undefined {
  const ref = (params as { ref?: unknown } | undefined)?.ref;
  const type = stringParam(ref, "type");
  if (type === "ref/prompt") {
    const name = stringParam(ref, "name");
    return name === undefined || isPromptVisible(app.policy, name)
      ? undefined
      : refusal("prompt", name);
  }
  if (type === "ref/resource") {
    const uri = stringParam(ref, "uri");
    return uri === undefined ||
      isTemplateVisible(app.policy, uri) ||
      isResourceVisible(app.policy, uri)
      ? undefined
      : refusal("resource", uri);
  }
  // An unknown kind of reference completes nothing the policy could vouch for.
  return {
    code: JSON_RPC.invalidParams,
    message: "Unsupported completion reference.",
    data: { error: "completion_not_allowed" },
  };
}

/**
 * A 2026-07-28 `subscriptions/listen` filter may name resources to be told about: each one must be
 * a resource the app can read, or the app learns when another app's resource changes.
 */
function listenRefusal(app: App, params: unknown): Refusal | undefined {
  const notifications = (params as { notifications?: unknown } | undefined)?.notifications;
  const uris = (notifications as { resourceSubscriptions?: unknown } | undefined)
    ?.resourceSubscriptions;
  if (!Array.isArray(uris)) return undefined;
  for (const uri of uris) {
    // A non-string entry fails the SDK's own schema check ("invalid params").
    const refused = resourceRefusal(app, typeof uri === "string" ? uri : undefined);
    if (refused !== undefined) return refused;
  }
  return undefined;
}

/** Why `app` may not send this request, or `undefined` when the server may see it. */
export function refusalFor(app: App, method: string, params: unknown): Refusal | undefined {
  switch (method) {
    case "tools/call": {
      const tool = stringParam(params, "name");
      return tool === undefined || isToolAllowed(app.policy, tool)
        ? undefined
        : refusal("tool", tool);
    }
    case "resources/read":
    case "resources/subscribe":
    case "resources/unsubscribe":
      return resourceRefusal(app, stringParam(params, "uri"));
    case "prompts/get": {
      const name = stringParam(params, "name");
      return name === undefined || isPromptVisible(app.policy, name)
        ? undefined
        : refusal("prompt", name);
    }
    case "completion/complete":
      return completionRefusal(app, params);
    case "subscriptions/listen":
      return listenRefusal(app, params);
    default:
      return undefined;
  }
}

/** The calls that spend the app's rate limit: one token each, whatever the HTTP request held. */
export function isMetered(method: string): boolean {
  return method === "tools/call" || method === "resources/read" || method === "prompts/get";
}

type Filter = (app: App, item: Record<string, unknown>) => boolean;

const named =
  (visible: (policy: Lists, name: string) => boolean, key: string): Filter =>
  (app, item) => {
    const value = item[key];
    return typeof value === "string" && visible(app.policy, value);
  };

/** List methods → the result field to filter and the rule for each entry. */
const LISTS: Readonly<Record<string, readonly [field: string, keep: Filter]>> = {
  "tools/list": ["tools", named((policy, name) => isToolAllowed(policy, name), "name")],
  "resources/list": ["resources", named(isResourceVisible, "uri")],
  "resources/templates/list": ["resourceTemplates", named(isTemplateVisible, "uriTemplate")],
  "prompts/list": ["prompts", named(isPromptVisible, "name")],
};

/** True when the result of `method` is a list the policy filters. */
export function isFilteredList(method: string): boolean {
  return Object.hasOwn(LISTS, method);
}

/** The result of a list request with only what `app` may see (other results unchanged). */
export function filterResult(
  app: App,
  method: string,
  result: Record<string, unknown>,
): Record<string, unknown> {
  const list = LISTS[method];
  if (list === undefined) return result;
  const [field, keep] = list;
  const items = result[field];
  if (!Array.isArray(items)) return result;
  const visible = items.filter(
    (item: unknown) =>
      typeof item === "object" && item !== null && keep(app, item as Record<string, unknown>),
  );
  // A list filtered for one app is private to its credential (2026-07-28 caching): never let a
  // server's `cacheScope: "public"` hint have it shared with other keys. 2025 results have no field.
  const scope = "cacheScope" in result ? { cacheScope: "private" } : {};
  return { ...result, [field]: visible, ...scope };
}

const LIST_CHANGED = new Set([
  "notifications/tools/list_changed",
  "notifications/resources/list_changed",
  "notifications/prompts/list_changed",
]);

/**
 * A server notification as `app` may receive it: `undefined` to drop it (an update of a
 * resource it cannot see), list changes without any params (they must carry no names).
 */
export function visibleNotification<T extends { method: string; params?: unknown }>(
  app: App | undefined,
  message: T,
): T | { jsonrpc: "2.0"; method: string } | undefined {
  if (LIST_CHANGED.has(message.method)) return { jsonrpc: "2.0", method: message.method };
  if (message.method === "notifications/resources/updated") {
    const uri = stringParam(message.params, "uri");
    return app !== undefined && uri !== undefined && isResourceVisible(app.policy, uri)
      ? message
      : undefined;
  }
  return message;
}
