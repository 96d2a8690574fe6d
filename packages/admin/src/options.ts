/**
 * Options of the admin mount, validated and frozen once when it is created.
 */
import { isGate, zodFieldError, type Gate } from "@mcpgate/core";
import { z } from "zod";

/** What the owner hook returns: the owner id (user, team or tenant), or `null`/`undefined` to deny. */
export type OwnerResult = string | null | undefined;

/** Mounted behind the host's own authentication: the hook names the signed-in owner. */
export interface OwnerAuth<R> {
  /**
   * Called for every request (pages and API). Return the owner id of the signed-in user, team or
   * tenant, or `null` to deny (401). An owner sees and changes only apps created under its id.
   */
  owner: (request: R) => OwnerResult | Promise<OwnerResult>;
  adminTokenHash?: never;
}

/** Standalone, for self-hosters without a login of their own: one admin token (`mcpgate admin token`). */
export interface AdminTokenAuth {
  /** Argon2id PHC string of the admin token, as printed by `mcpgate admin token`. */
  adminTokenHash: string;
  owner?: never;
}

/** Options shared by both ways in. */
export interface CommonAdminOptions {
  /** The gate whose apps are administered. */
  gate: Gate;
  /** Where the dashboard and API live. Default `"/admin"`. */
  basePath?: string;
  /** A key older than this many days is flagged "rotation due". Default 90. */
  rotationDays?: number;
  /** Public URL of your MCP endpoint (`https://api.example.com/mcp`), for client snippets. */
  mcpUrl?: string;
  /**
   * Origins other than the request's own allowed to make changes (e.g. when a proxy rewrites
   * `Host`). Exact `scheme://host[:port]` strings. Default none.
   */
  allowedOrigins?: readonly string[];
  /** Standalone sessions: idle lifetime in ms. Default 8 hours. */
  sessionTtlMs?: number;
  /**
   * Mark the standalone session cookie `Secure`. Default: when the connection is TLS or
   * `X-Forwarded-Proto` says https.
   */
  secureCookie?: boolean;
  /** Heading of the dashboard. Default `"API keys"`. */
  title?: string;
  /** Failures that are answered as 500 (never shown to clients). Default: ignored. */
  onError?: (error: unknown) => void;
  /** Milliseconds clock; for tests. Default `Date.now`. */
  clock?: () => number;
}

/**
 * Options of {@link createAdminHandler}: exactly one of `owner` (host auth) or `adminTokenHash`
 * (standalone). `R` is the request type the owner hook receives (the framework's own).
 */
export type AdminOptions<R> = CommonAdminOptions & (OwnerAuth<R> | AdminTokenAuth);

const fn = <T>() => z.custom<T>((value) => typeof value === "function", "must be a function");

const schema = z
  .object({
    gate: z.custom<Gate>(isGate, "must come from createGate()"),
    basePath: z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)*$/, "must be like /admin (no trailing slash)")
      .refine((path) => !/\/\.{1,2}(?:\/|$)/.test(path), "must not contain dot segments")
      .default("/admin"),
    rotationDays: z.number().int().min(1).max(3650).default(90),
    mcpUrl: z
      .url({ protocol: /^https?$/ })
      .refine((url) => {
        const parsed = new URL(url);
        return !parsed.search && !parsed.hash && !parsed.username && !parsed.password;
      }, "must be the bare endpoint (no query, fragment or credentials)")
      .optional(),
    allowedOrigins: z
      .array(z.string().regex(/^https?:\/\/[^/\s]+$/, "must be scheme://host[:port]"))
      .default([]),
    sessionTtlMs: z
      .number()
      .int()
      .min(60_000)
      .max(30 * 86_400_000)
      .default(8 * 3_600_000),
    secureCookie: z.boolean().optional(),
    title: z.string().min(1).max(100).default("API keys"),
    onError: fn<(error: unknown) => void>().optional(),
    clock: fn<() => number>().optional(),
    owner: fn<(request: unknown) => OwnerResult | Promise<OwnerResult>>().optional(),
    adminTokenHash: z
      .string()
      .regex(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/, {
        message: "must be the Argon2id PHC string printed by `mcpgate admin token`",
      })
      .optional(),
  })
  .strict()
  .refine((o) => (o.owner === undefined) !== (o.adminTokenHash === undefined), {
    message: "give exactly one of owner (host auth) or adminTokenHash (standalone)",
    path: ["owner"],
  });

/** Validated, frozen settings. @internal */
export type AdminSettings = Readonly<z.output<typeof schema>> & {
  readonly clock: () => number;
  readonly onError: (error: unknown) => void;
};

/** @internal */
export function parseAdminOptions<R>(options: AdminOptions<R>): AdminSettings {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw zodFieldError("admin options", parsed.error);
  const data = parsed.data;
  return Object.freeze({
    ...data,
    allowedOrigins: Object.freeze([...data.allowedOrigins]),
    mcpUrl: data.mcpUrl?.replace(/\/+$/, ""),
    clock: data.clock ?? Date.now,
    onError: data.onError ?? (() => {}),
  }) as AdminSettings;
}
