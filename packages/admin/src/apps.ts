/**
 * The admin operations over the gate, scoped to an owner. An app of another owner is answered
 * exactly like a missing one (the same `app_not_found` error), so ids cannot be probed.
 */
import {
  AppNotFoundError,
  clientSnippets,
  formatKeyId,
  type App,
  type AppPolicy,
  type ClientSnippets,
  type Gate,
} from "@mcpgate/core";
import { z } from "zod";
import { HttpError } from "./http.js";
import { EXPIRES_SOON_DAYS, EXPIRY_FIELDS, parseExpiryInput } from "./key-expiry.js";

/** Who is asking: an owner id, or `ALL_OWNERS` for the standalone administrator. @internal */
export type Scope = string | typeof ALL_OWNERS;
/** @internal */
export const ALL_OWNERS: unique symbol = Symbol("all owners");

const DAY_MS = 86_400_000;

/** An app as the admin API returns it: never the key or its hash. */
export interface AppView {
  id: string;
  name: string;
  ownerId: string | null;
  keyId: string;
  /** `mgw_a1b2c3d4…`: how the key is shown. */
  keyPreview: string;
  keyGeneration: number;
  createdAt: string;
  updatedAt: string;
  keyIssuedAt: string;
  /** When the key expires (`null`: never); after it, requests get `key_expired` until it is regenerated. */
  keyExpiresAt: string | null;
  /** Whether the key has expired. */
  keyExpired: boolean;
  /** Whether the key expires within 14 days (and has not expired yet). */
  keyExpiresSoon: boolean;
  lastUsedAt: string | null;
  keyAgeDays: number;
  rotationDueAt: string;
  rotationDue: boolean;
  policy: AppPolicy;
}

/** A create or regenerate response: the only time the key is in a response. */
export interface IssuedKeyView {
  app: AppView;
  key: string;
  /** Ready-to-paste client configuration (core's `clientSnippets`); `null` without `mcpUrl`. */
  snippets: ClientSnippets | null;
}

/** A page of apps, oldest first; `nextCursor` goes into `cursor` for the next page. */
export interface AppPage {
  apps: AppView[];
  nextCursor: string | null;
}

const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The fields a client may set; `ownerId` and `metadata` are not among them. */
const EDITABLE = ["name", "tools", "resources", "prompts", "scopes", "rateLimit"] as const;

/** Which body fields each change accepts: the expiry is set only when a key is issued. */
const ACCEPTED = {
  create: [...EDITABLE, ...EXPIRY_FIELDS],
  update: EDITABLE,
  regenerate: EXPIRY_FIELDS,
} as const;

function onlyFields(fields: readonly string[]) {
  return z
    .object(Object.fromEntries(fields.map((field) => [field, z.unknown()])))
    .partial()
    .strict();
}

const bodySchemas = {
  create: onlyFields(ACCEPTED.create),
  update: onlyFields(ACCEPTED.update),
  regenerate: onlyFields(ACCEPTED.regenerate),
};

/** @internal */
export interface AppService {
  list(
    scope: Scope,
    query: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<AppPage>;
  get(scope: Scope, id: string): Promise<AppView>;
  create(scope: Scope, input: Record<string, unknown>): Promise<IssuedKeyView>;
  update(scope: Scope, id: string, input: Record<string, unknown>): Promise<AppView>;
  regenerate(scope: Scope, id: string, input: Record<string, unknown>): Promise<IssuedKeyView>;
  remove(scope: Scope, id: string): Promise<void>;
}

/** @internal */
export function createAppService(settings: {
  gate: Gate;
  rotationDays: number;
  mcpUrl?: string | undefined;
  clock: () => number;
}): AppService {
  const { gate, rotationDays, mcpUrl, clock } = settings;

  function view(app: App): AppView {
    const now = clock();
    const issued = app.keyIssuedAt.getTime();
    const expiresIn = app.keyExpiresAt === null ? Infinity : app.keyExpiresAt.getTime() - now;
    const keyAgeDays = Math.max(0, Math.floor((now - issued) / DAY_MS));
    return {
      id: app.id,
      name: app.name,
      ownerId: app.ownerId,
      keyId: app.keyId,
      keyPreview: formatKeyId(app.keyId),
      keyGeneration: app.keyGeneration,
      createdAt: app.createdAt.toISOString(),
      updatedAt: app.updatedAt.toISOString(),
      keyIssuedAt: app.keyIssuedAt.toISOString(),
      keyExpiresAt: app.keyExpiresAt?.toISOString() ?? null,
      keyExpired: expiresIn <= 0,
      keyExpiresSoon: expiresIn > 0 && expiresIn <= EXPIRES_SOON_DAYS * DAY_MS,
      lastUsedAt: app.lastUsedAt?.toISOString() ?? null,
      keyAgeDays,
      rotationDueAt: new Date(issued + rotationDays * DAY_MS).toISOString(),
      rotationDue: keyAgeDays >= rotationDays,
      policy: structuredClone(app.policy) as AppPolicy,
    };
  }

  function issued(app: App, key: string): IssuedKeyView {
    const snippets =
      mcpUrl === undefined ? null : clientSnippets({ url: mcpUrl, key, appName: app.name });
    return { app: view(app), key, snippets };
  }

  /** The app if `scope` may see it; otherwise exactly what a missing app gives. */
  async function owned(scope: Scope, id: string): Promise<App> {
    if (!APP_ID.test(id)) throw new AppNotFoundError(id);
    const app = await gate.getApp(id);
    if (scope !== ALL_OWNERS && app.ownerId !== scope) throw new AppNotFoundError(id);
    return app;
  }

  /** The body if it holds only fields `change` accepts (checked before anything is read). */
  function accepted(change: keyof typeof ACCEPTED, input: Record<string, unknown>) {
    const result = bodySchemas[change].safeParse(input);
    if (!result.success) {
      const expiry = change === "update" && EXPIRY_FIELDS.some((field) => field in input);
      throw new HttpError(400, {
        error: "invalid_request",
        message: expiry
          ? "A key's expiry is set when it is issued: regenerate the key with expiresInDays or expiresAt."
          : `Unknown field; accepted fields are ${ACCEPTED[change].join(", ")}.`,
      });
    }
    return result.data;
  }

  return {
    async list(scope, { cursor, limit }) {
      let page;
      try {
        page = await gate.listAppsPage({
          ...(scope === ALL_OWNERS ? {} : { ownerId: scope }),
          ...(cursor === undefined ? {} : { cursor }),
          ...(limit === undefined ? {} : { limit }),
        });
      } catch (error) {
        // A cursor is only a position (time, id); the owner filter decides what is listed.
        if (error instanceof TypeError) {
          throw new HttpError(400, { error: "invalid_cursor", message: "Invalid cursor." });
        }
        throw error;
      }
      return { apps: page.apps.map(view), nextCursor: page.nextCursor };
    },

    async get(scope, id) {
      return view(await owned(scope, id));
    },

    async create(scope, input) {
      const fields = accepted("create", input);
      const { app, key } = await gate.createApp({
        ...(fields as unknown as Parameters<Gate["createApp"]>[0]),
        ...parseExpiryInput(fields), // replaces the JSON expiry fields
        ownerId: scope === ALL_OWNERS ? null : scope,
      });
      return issued(app, key);
    },

    async update(scope, id, input) {
      const fields = accepted("update", input);
      await owned(scope, id);
      return view(await gate.updateApp(id, fields as Parameters<Gate["updateApp"]>[1]));
    },

    async regenerate(scope, id, input) {
      const expiry = parseExpiryInput(accepted("regenerate", input));
      await owned(scope, id);
      // Without an expiry core keeps the replaced key's lifetime (a 90-day key gets 90 days).
      const { app, key } = await gate.regenerateKey(id, expiry);
      return issued(app, key);
    },

    async remove(scope, id) {
      await owned(scope, id);
      if (!(await gate.deleteApp(id))) throw new AppNotFoundError(id);
    },
  };
}
