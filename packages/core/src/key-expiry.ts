/**
 * Key expiry: when a key stops authenticating. Given when a key is issued (`createApp`,
 * `regenerateKey`), kept in the record and in every cached principal, so the hot path checks it
 * with one comparison and no store read. An expired key is refused with `key_expired` only after
 * it verified (no oracle: only its holder learns it expired); its owner regenerates it as usual.
 */
import { z } from "zod";
import type { App } from "./app.js";
import { KeyExpiredError, withoutStack } from "./errors.js";
import { zodFieldError } from "./options.js";

const DAY_MS = 86_400_000;
/** 100 years: longer than any key should live, short enough to stay a valid Date everywhere. */
const MAX_DAYS = 36_500;

/** When a newly issued key expires. Give at most one of the two; neither: see each caller. */
export interface KeyExpiryOptions {
  /** The instant the key stops working, in the future; `null` for a key that never expires. */
  expiresAt?: Date | null;
  /** The key's lifetime in days from now (fractions allowed), up to 36 500. */
  expiresInDays?: number;
}

const keyExpirySchema = z
  .object({
    expiresAt: z
      .date()
      .refine((d) => !Number.isNaN(d.getTime()), "must be a valid date")
      .nullable()
      .optional(),
    expiresInDays: z
      .number()
      .max(MAX_DAYS)
      // Counted in whole milliseconds: a lifetime that rounds to 0 would issue a dead key.
      .refine((days) => Math.round(days * DAY_MS) >= 1, "must be at least one millisecond")
      .optional(),
  })
  .refine((o) => o.expiresAt === undefined || o.expiresInDays === undefined, {
    message: "give either expiresAt or expiresInDays, not both",
    path: ["expiresInDays"],
  });

/** The expiry fields of an input, validated; `undefined` when neither was given. @internal */
export function parseKeyExpiry(
  input: KeyExpiryOptions,
  context: string,
): KeyExpiryOptions | undefined {
  const result = keyExpirySchema.safeParse({
    expiresAt: input.expiresAt,
    expiresInDays: input.expiresInDays,
  });
  if (!result.success) throw zodFieldError(context, result.error);
  const { expiresAt, expiresInDays } = result.data;
  if (expiresAt !== undefined) return { expiresAt };
  if (expiresInDays !== undefined) return { expiresInDays };
  return undefined;
}

/**
 * When a key issued at `issuedAt` expires: as `expiry` says, or else (regenerating) after the same
 * lifetime as the key it replaces, so a 90-day key is replaced by a 90-day key.
 *
 * @throws TypeError when `expiresAt` is not after `issuedAt`.
 * @internal
 */
export function keyExpiresAt(
  expiry: KeyExpiryOptions | undefined,
  issuedAt: Date,
  replaced?: Pick<App, "keyIssuedAt" | "keyExpiresAt">,
): Date | null {
  if (expiry?.expiresInDays !== undefined)
    return new Date(issuedAt.getTime() + Math.round(expiry.expiresInDays * DAY_MS));
  if (expiry?.expiresAt !== undefined) {
    if (expiry.expiresAt !== null && expiry.expiresAt.getTime() <= issuedAt.getTime())
      throw new TypeError(`Invalid key expiry: expiresAt: must be in the future`);
    return expiry.expiresAt === null ? null : new Date(expiry.expiresAt);
  }
  if (replaced?.keyExpiresAt == null) return null;
  const lifetime = replaced.keyExpiresAt.getTime() - replaced.keyIssuedAt.getTime();
  // A record whose expiry is not after its issue (hand-edited) must not yield a dead new key.
  return lifetime > 0 ? new Date(issuedAt.getTime() + lifetime) : null;
}

/**
 * `key_expired` for `app` when its key has expired at `now` (ms), else `undefined`: a key is
 * accepted iff `now < keyExpiresAt`. @internal
 */
export function expiredKeyError(app: App, now: number): KeyExpiredError | undefined {
  const { keyExpiresAt } = app;
  if (keyExpiresAt === null || now < keyExpiresAt.getTime()) return undefined;
  return withoutStack(() => new KeyExpiredError(app.keyId, keyExpiresAt));
}
