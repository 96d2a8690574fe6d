/**
 * Key expiry over JSON: the admin API takes core's vocabulary (`expiresInDays` or `expiresAt`),
 * with `expiresAt` as an ISO 8601 date-time carrying its offset (JSON has no Date). Only the shape
 * is checked here; core checks the range, "not both" and "in the future" with the gate's clock,
 * before it reads or writes anything.
 */
import { zodFieldError, type KeyExpiryOptions } from "@mcpgate/core";
import { z } from "zod";

/** The body fields that set a new key's expiry. @internal */
export const EXPIRY_FIELDS = ["expiresInDays", "expiresAt"] as const;

/** Within this many days of its expiry a key is flagged "expires soon" (as `mcpgate apps due`). */
export const EXPIRES_SOON_DAYS = 14;

const expirySchema = z.object({
  expiresInDays: z.number("must be a number of days").optional(),
  expiresAt: z.iso
    .datetime({ offset: true, error: "must be an ISO 8601 date-time with an offset, or null" })
    .nullable()
    .optional(),
});

/**
 * The expiry fields of a JSON body as core takes them; `{}` when neither is given.
 * @throws TypeError `Invalid key expiry: <field>: <problem>` (answered as 400).
 * @internal
 */
export function parseExpiryInput(input: Record<string, unknown>): KeyExpiryOptions {
  const result = expirySchema.safeParse({
    expiresInDays: input.expiresInDays,
    expiresAt: input.expiresAt,
  });
  if (!result.success) throw zodFieldError("key expiry", result.error);
  const { expiresInDays, expiresAt } = result.data;
  return {
    ...(expiresInDays === undefined ? {} : { expiresInDays }),
    ...(expiresAt === undefined
      ? {}
      : { expiresAt: expiresAt === null ? null : new Date(expiresAt) }),
  };
}
