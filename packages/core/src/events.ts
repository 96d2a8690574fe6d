/**
 * The audit event schema: what happened to which app and key, never the key itself. Stable: a
 * field is only ever added (optional) within `version: 1`; anything else bumps the version.
 */
import type { McpgateErrorCode } from "./errors.js";

/** The schema version every event carries. */
export const EVENT_SCHEMA_VERSION = 1;

/** Where a request carried its key. */
export type KeySource = "path" | "header";

/** Fields every event has. */
export interface EventBase {
  /** Schema version; see {@link EVENT_SCHEMA_VERSION}. */
  version: typeof EVENT_SCHEMA_VERSION;
  /** When it happened, ISO 8601 UTC (`2026-11-30T07:21:14.123Z`). */
  at: string;
}

/** Fields of events about one request. `clientAddress` only when the host configured it. */
export interface RequestContext {
  /** Where the key was. */
  source?: KeySource;
  /** The client's address; only present when the gate is configured to record it. */
  clientAddress?: string;
}

/** A key was accepted. */
export interface AuthSucceededEvent extends EventBase, RequestContext {
  type: "auth.succeeded";
  appId: string;
  keyId: string;
}

/** A request was refused. `keyId` only when the credential parsed as a key. */
export interface AuthFailedEvent extends EventBase, RequestContext {
  type: "auth.failed";
  /** The core error code (`missing_credentials`, `invalid_key`, `malformed_authorization`, …). */
  reason: McpgateErrorCode;
  keyId?: string;
}

/** A request was refused with 429 (failure budget of a key id, or an app's rate limit). */
export interface RateLimitedEvent extends EventBase, RequestContext {
  type: "auth.rate_limited";
  keyId?: string;
  appId?: string;
  retryAfterSeconds: number;
}

/** A request was refused with 503 because key verification was saturated. */
export interface OverloadedEvent extends EventBase, RequestContext {
  type: "auth.overloaded";
  keyId?: string;
  retryAfterSeconds: number;
}

/** An app and its first key were created. */
export interface KeyCreatedEvent extends EventBase {
  type: "key.created";
  appId: string;
  keyId: string;
  ownerId?: string;
}

/** Why a key was regenerated. */
export type RegenerationCause = "owner" | "leak";

/** An app's key was replaced; `previousKeyId` stopped working. */
export interface KeyRegeneratedEvent extends EventBase {
  type: "key.regenerated";
  appId: string;
  keyId: string;
  previousKeyId: string;
  cause: RegenerationCause;
}

/** An app (and so its key) was deleted. */
export interface KeyDeletedEvent extends EventBase {
  type: "key.deleted";
  appId: string;
  keyId?: string;
}

/** An app's policy (tools, resources, prompts, scopes, rate limit) changed. */
export interface PolicyChangedEvent extends EventBase {
  type: "policy.changed";
  appId: string;
  /** The policy fields the change touched, e.g. `["tools", "rateLimit"]`. */
  fields: string[];
}

/** A tool call ran. `outcome` is `error` when the tool threw or returned an error result. */
export interface ToolCalledEvent extends EventBase {
  type: "tool.called";
  appId: string;
  keyId: string;
  tool: string;
  durationMs: number;
  outcome: "ok" | "error";
}

/** A tool call was refused before it ran (policy, guardrail or rate limit). */
export interface ToolRefusedEvent extends EventBase {
  type: "tool.refused";
  appId: string;
  keyId: string;
  tool: string;
  reason: McpgateErrorCode;
}

/** An MCP session was opened. Session ids are bearer-like and are never recorded. */
export interface SessionOpenedEvent extends EventBase {
  type: "session.opened";
  appId: string;
  keyId: string;
}

/** Why a session ended. */
export type SessionCloseCause =
  "client" | "key_regenerated" | "app_deleted" | "expired" | "shutdown";

/** An MCP session was closed. */
export interface SessionClosedEvent extends EventBase {
  type: "session.closed";
  appId: string;
  keyId: string;
  cause: SessionCloseCause;
}

/** What a leak report said about where the key was found. Free text from the reporter, bounded. */
export interface LeakLocation {
  /** The reporter's token type (e.g. `mcpgate_api_key`). */
  tokenType: string;
  /** Where the key was found (a commit URL), as reported. */
  url?: string;
  /** What kind of place (`content`, `commit`, `npm`, …), as reported. */
  leakSource?: string;
}

/** A reported leaked key was valid and has been disabled (its key regenerated, the new one discarded). */
export interface LeakRevokedEvent extends EventBase, LeakLocation {
  type: "leak.revoked";
  appId: string;
  keyId: string;
}

/** A reported leaked key was valid and was only reported (`action: "report"`). */
export interface LeakReportedEvent extends EventBase, LeakLocation {
  type: "leak.reported";
  appId: string;
  keyId: string;
}

/** Every audit event, discriminated on `type`. */
export type McpgateEvent =
  | AuthSucceededEvent
  | AuthFailedEvent
  | RateLimitedEvent
  | OverloadedEvent
  | KeyCreatedEvent
  | KeyRegeneratedEvent
  | KeyDeletedEvent
  | PolicyChangedEvent
  | ToolCalledEvent
  | ToolRefusedEvent
  | SessionOpenedEvent
  | SessionClosedEvent
  | LeakRevokedEvent
  | LeakReportedEvent;

/** Every event `type`. */
export type McpgateEventType = McpgateEvent["type"];

/** The event of one `type`. */
export type McpgateEventOf<T extends McpgateEventType> = Extract<McpgateEvent, { type: T }>;

/** An event as a caller writes it: `version` and `at` are filled in by {@link makeEvent}. */
export type EventInput = McpgateEvent extends infer E
  ? E extends McpgateEvent
    ? Omit<E, "version" | "at">
    : never
  : never;

/**
 * Stamps an event with the schema version and the time.
 *
 * @example
 * ```ts
 * if (bus.hasSubscribers) bus.emit(makeEvent({ type: "key.deleted", appId: app.id }));
 * ```
 */
export function makeEvent(input: EventInput, now: number = Date.now()): McpgateEvent {
  return {
    ...input,
    version: EVENT_SCHEMA_VERSION,
    at: new Date(now).toISOString(),
  } as McpgateEvent;
}
