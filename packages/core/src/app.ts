/**
 * Apps: the stored record, the principal handed to request handlers, and the inputs that create or
 * change them (validated with zod).
 */
import { z } from "zod";
import { parseKeyExpiry, type KeyExpiryOptions } from "./key-expiry.js";
import { zodFieldError } from "./options.js";

/**
 * Per-app request budget: `requests` per `windowSeconds`. The default in-memory limiter is a token
 * bucket (bursts up to `requests`); a shared limiter may count fixed windows (see its docs).
 */
export interface RateLimit {
  requests: number;
  windowSeconds: number;
}

/** What an app may do. Every list fails closed: `[]` (the default) allows nothing. */
export interface AppPolicy {
  /** Tools the app may list and call. `"*"` allows every tool the server registers. */
  tools: readonly string[] | "*";
  /**
   * Resources the app may list, read and complete: exact URIs, or URI templates exactly as the
   * server registers them (a template allows every URI it expands to). `"*"` allows all.
   */
  resources: readonly string[] | "*";
  /** Prompts the app may list, get and complete, by name. `"*"` allows all. */
  prompts: readonly string[] | "*";
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
  /**
   * Who owns the app in the host application (a user, team or tenant id), or `null`. The admin
   * API shows an owner only its own apps.
   */
  readonly ownerId: string | null;
  /** Public key id (first 8 characters after `mgw_`): safe to log and display. */
  readonly keyId: string;
  /** Starts at 1; incremented by every `regenerateKey`. */
  readonly keyGeneration: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly keyIssuedAt: Date;
  /** When the key stops authenticating (`key_expired`), or `null` when it never expires. */
  readonly keyExpiresAt: Date | null;
  /** When a request last authenticated with this app's key (debounced; may lag by a minute). */
  readonly lastUsedAt: Date | null;
  readonly policy: Readonly<AppPolicy>;
  readonly metadata: Readonly<AppMetadata>;
}

/** What a {@link Store} keeps: an {@link App} plus the Argon2id hash of its key. */
export interface AppRecord extends Omit<App, "policy" | "metadata"> {
  /** Argon2id PHC string of the full key. */
  readonly keyHash: string;
  /**
   * Check tag of the full key (see `keyCheckTag`): rejects almost every wrong secret for a known
   * key id before Argon2 runs. `""` for records written before tags existed (no check).
   */
  readonly keyCheck: string;
  readonly policy: AppPolicy;
  readonly metadata: AppMetadata;
}

/** MCP tool names (2025-11-25 spec: 1–128 of `[A-Za-z0-9_.-]`); slashes allowed for namespaces. */
const toolName = z
  .string()
  .regex(/^[A-Za-z0-9_./-]{1,128}$/, "must be a tool name ([A-Za-z0-9_./-], 1–128)");
const tools = z.union([z.literal("*"), z.array(toolName).max(1000)]);
/** Printable, no control characters (they have no place in a URI or a name, and break logs). */
const printable = (max: number, what: string) =>
  z
    .string()
    .regex(
      new RegExp(`^[^\\x00-\\x1f\\x7f]{1,${max}}$`),
      `must be ${what} (1–${max} printable characters)`,
    );
const resources = z.union([
  z.literal("*"),
  z.array(printable(2048, "a URI or URI template")).max(1000),
]);
const prompts = z.union([z.literal("*"), z.array(printable(256, "a prompt name")).max(1000)]);
const ownerId = printable(256, "an owner id").nullable();
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

/** The policy field schemas, for validating what a store returns (stored-record.ts). @internal */
export const policySchemas = { tools, resources, prompts, scopes, rateLimit, ownerId } as const;

const createAppSchema = z
  .object({
    name,
    ownerId: ownerId.default(null),
    tools: tools.default([]),
    resources: resources.default([]),
    prompts: prompts.default([]),
    scopes: scopes.default([]),
    rateLimit: rateLimit.default(null),
    metadata: metadata.default({}),
    // Checked by parseKeyExpiry (they need the gate's clock).
    expiresAt: z.unknown().optional(),
    expiresInDays: z.unknown().optional(),
  })
  .strict();

const updateAppSchema = z
  .object({ name, tools, resources, prompts, scopes, rateLimit, metadata })
  .partial()
  .strict();

/**
 * Input of `gate.createApp`. `expiresAt` / `expiresInDays` set when the key expires (default:
 * never).
 */
export interface CreateAppInput extends KeyExpiryOptions {
  name: string;
  /** The app's owner in the host application (user, team or tenant id). Default `null`. */
  ownerId?: string | null;
  /** Allowed tools. Default `[]`: an app sees no tool until you allow some (fail closed). */
  tools?: readonly string[] | "*";
  /** Allowed resources (URIs or URI templates). Default `[]`. */
  resources?: readonly string[] | "*";
  /** Allowed prompts. Default `[]`. */
  prompts?: readonly string[] | "*";
  scopes?: readonly string[];
  rateLimit?: RateLimit | null;
  metadata?: AppMetadata;
}

/**
 * Input of `gate.updateApp`: every field optional; absent fields are left as they are. Each policy
 * field given replaces that field as a whole; the store applies the change atomically, so
 * concurrent updates of different fields never undo each other.
 */
export type UpdateAppInput = Partial<Omit<CreateAppInput, "ownerId" | keyof KeyExpiryOptions>>;

/**
 * What {@link Store.update} changes. `policy` holds only the policy fields to replace: the store
 * merges them into the stored policy in the same atomic write (never read-modify-write).
 */
export interface AppPatch {
  name?: string;
  policy?: Partial<AppPolicy>;
  metadata?: AppMetadata;
}

export function parseCreateAppInput(input: CreateAppInput): {
  name: string;
  ownerId: string | null;
  policy: AppPolicy;
  metadata: AppMetadata;
  expiry: KeyExpiryOptions | undefined;
} {
  const result = createAppSchema.safeParse(input);
  if (!result.success) throw zodFieldError("app", result.error);
  const { name, ownerId, tools, resources, prompts, scopes, rateLimit, metadata } = result.data;
  return {
    name,
    ownerId,
    policy: { tools, resources, prompts, scopes, rateLimit },
    metadata: structuredClone(metadata),
    expiry: parseKeyExpiry(input, "app"),
  };
}

export function parseUpdateAppInput(input: UpdateAppInput): AppPatch {
  const result = updateAppSchema.safeParse(input);
  if (!result.success) throw zodFieldError("app update", result.error);
  const { name, metadata, ...policyFields } = result.data;
  const patch: AppPatch = {};
  if (name !== undefined) patch.name = name;
  const policy = Object.fromEntries(
    Object.entries(policyFields).filter(([, value]) => value !== undefined),
  ) as Partial<AppPolicy>;
  if (Object.keys(policy).length > 0) patch.policy = policy;
  if (metadata !== undefined) patch.metadata = structuredClone(metadata);
  return patch;
}

/**
 * A stored policy with the fields added since it was written filled in, failing closed: a policy
 * stored before resources and prompts existed allows none of them.
 */
export function withPolicyDefaults(policy: Partial<AppPolicy>): AppPolicy {
  return {
    tools: policy.tools ?? [],
    resources: policy.resources ?? [],
    prompts: policy.prompts ?? [],
    scopes: policy.scopes ?? [],
    rateLimit: policy.rateLimit ?? null,
  };
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
    ownerId: record.ownerId,
    keyId: record.keyId,
    keyGeneration: record.keyGeneration,
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
    keyIssuedAt: new Date(record.keyIssuedAt),
    keyExpiresAt: record.keyExpiresAt === null ? null : new Date(record.keyExpiresAt),
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

/**
 * True when the resource `uri` is allowed by `policy`: listed itself, or read through `template`
 * (the URI template it was registered under, as the server registered it) and that is listed.
 */
export function isResourceAllowed(
  policy: Pick<AppPolicy, "resources">,
  uri: string,
  template?: string,
): boolean {
  if (policy.resources === "*") return true;
  return (
    policy.resources.includes(uri) ||
    (template !== undefined && policy.resources.includes(template))
  );
}

/** True when the prompt `name` is allowed by `policy`. */
export function isPromptAllowed(policy: Pick<AppPolicy, "prompts">, name: string): boolean {
  return policy.prompts === "*" || policy.prompts.includes(name);
}
