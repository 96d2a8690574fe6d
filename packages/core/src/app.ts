/**
 * Apps: the stored record, the principal handed to request handlers, and the inputs that create or
 * change them (validated with zod).
 */
import { z } from "zod";
import { zodFieldError } from "./options.js";

/** Per-app request budget (token bucket): `requests` per `windowSeconds`, bursts up to `requests`. */
export interface RateLimit {
  requests: number;
  windowSeconds: number;
}

/** What an app may do. */
export interface AppPolicy {
  /** Tools the app may list and call. `"*"` allows every tool the server registers. */
  tools: readonly string[] | "*";
  /** Free-form scopes, handed to MCP handlers as `AuthInfo.scopes`. */
  scopes: readonly string[];
  /** Optional per-app rate limit; `null` for none. */
  rateLimit: RateLimit | null;
}

/** JSON-compatible metadata attached to an app. */
export type AppMetadata = Record<string, unknown>;

/**
 * The principal: an app as request handlers and the admin API see it. It never contains the key or
 * its hash. Objects handed out are frozen.
 */
export interface App {
  readonly id: string;
  readonly name: string;
  /** Public key id (first 8 characters after `mgw_`): safe to log and display. */
  readonly keyId: string;
  /** Starts at 1; incremented by every `regenerateKey`. */
  readonly keyGeneration: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly keyIssuedAt: Date;
  /** When a request last authenticated with this app's key (debounced; may lag by a minute). */
  readonly lastUsedAt: Date | null;
  readonly policy: Readonly<AppPolicy>;
  readonly metadata: Readonly<AppMetadata>;
}

/** What a {@link Store} keeps: an {@link App} plus the Argon2id hash of its key. */
export interface AppRecord extends Omit<App, "policy" | "metadata"> {
  /** Argon2id PHC string of the full key. */
  readonly keyHash: string;
  readonly policy: AppPolicy;
  readonly metadata: AppMetadata;
}

/** MCP tool names (2025-11-25 spec: 1–128 of `[A-Za-z0-9_.-]`); slashes allowed for namespaces. */
const toolName = z
  .string()
  .regex(/^[A-Za-z0-9_./-]{1,128}$/, "must be a tool name ([A-Za-z0-9_./-], 1–128)");
const tools = z.union([z.literal("*"), z.array(toolName).max(1000)]);
const scopes = z
  .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, "must be a scope token"))
  .max(100);
const rateLimit = z
  .object({
    requests: z.number().int().min(1).max(1_000_000),
    windowSeconds: z.number().min(0.001).max(86_400),
  })
  .strict()
  .nullable();
const metadata = z.record(z.string(), z.unknown()).refine((value) => {
  try {
    return JSON.stringify(value).length <= 16_384;
  } catch {
    return false;
  }
}, "must be JSON-serialisable and at most 16 KiB");
const name = z.string().trim().min(1).max(200);

const createAppSchema = z
  .object({
    name,
    tools: tools.default([]),
    scopes: scopes.default([]),
    rateLimit: rateLimit.default(null),
    metadata: metadata.default({}),
  })
  .strict();

const updateAppSchema = z.object({ name, tools, scopes, rateLimit, metadata }).partial().strict();

/** Input of `gate.createApp`. */
export interface CreateAppInput {
  name: string;
  /** Allowed tools. Default `[]`: an app sees no tool until you allow some (fail closed). */
  tools?: readonly string[] | "*";
  scopes?: readonly string[];
  rateLimit?: RateLimit | null;
  metadata?: AppMetadata;
}

/** Input of `gate.updateApp`: every field optional; absent fields are left as they are. */
export type UpdateAppInput = Partial<CreateAppInput>;

/** What {@link Store.update} changes. */
export interface AppPatch {
  name?: string;
  policy?: AppPolicy;
  metadata?: AppMetadata;
}

export function parseCreateAppInput(input: CreateAppInput): {
  name: string;
  policy: AppPolicy;
  metadata: AppMetadata;
} {
  const result = createAppSchema.safeParse(input);
  if (!result.success) throw zodFieldError("app", result.error);
  const { name, tools, scopes, rateLimit, metadata } = result.data;
  return { name, policy: { tools, scopes, rateLimit }, metadata: structuredClone(metadata) };
}

export function parseUpdateAppInput(input: UpdateAppInput, current: AppRecord): AppPatch {
  const result = updateAppSchema.safeParse(input);
  if (!result.success) throw zodFieldError("app update", result.error);
  const { name, tools, scopes, rateLimit, metadata } = result.data;
  const patch: AppPatch = {};
  if (name !== undefined) patch.name = name;
  if (tools !== undefined || scopes !== undefined || rateLimit !== undefined) {
    patch.policy = {
      tools: tools ?? current.policy.tools,
      scopes: scopes ?? current.policy.scopes,
      rateLimit: rateLimit === undefined ? current.policy.rateLimit : rateLimit,
    };
  }
  if (metadata !== undefined) patch.metadata = structuredClone(metadata);
  return patch;
}

/** Freezes an object graph in place. @internal */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The principal for a record: a frozen copy without the hash. */
export function toApp(record: AppRecord): App {
  const app: App = {
    id: record.id,
    name: record.name,
    keyId: record.keyId,
    keyGeneration: record.keyGeneration,
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
    keyIssuedAt: new Date(record.keyIssuedAt),
    lastUsedAt: record.lastUsedAt === null ? null : new Date(record.lastUsedAt),
    policy: structuredClone(record.policy),
    metadata: structuredClone(record.metadata),
  };
  return deepFreeze(app);
}

/** True when `tool` is allowed by `policy`. */
export function isToolAllowed(policy: Pick<AppPolicy, "tools">, tool: string): boolean {
  return policy.tools === "*" || policy.tools.includes(tool);
}
