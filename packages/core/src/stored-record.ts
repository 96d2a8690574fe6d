/**
 * Records read from a store are data, not trusted objects: a hand-edited row, a bad migration or
 * a store that breaks the contract must never admit anyone or crash a request. Every record is
 * validated here before use; one that fails is a `CorruptRecordError` (503, reported to
 * `onError`), never a principal.
 */
import { z } from "zod";
import { policySchemas, withPolicyDefaults, type AppRecord } from "./app.js";
import { CorruptRecordError, withoutStack } from "./errors.js";
import { KEY_ID_LENGTH } from "./key-format.js";

const { tools, resources, prompts, scopes, rateLimit, ownerId } = policySchemas;
const date = z.date().refine((d) => !Number.isNaN(d.getTime()), "must be a valid date");

const storedRecordSchema = z.object({
  id: z.string().min(1).max(256),
  name: z.string().min(1).max(1000),
  // Stores written against the first data model have no owner and no check tag.
  ownerId: ownerId.optional().default(null),
  keyId: z.string().regex(new RegExp(`^[A-Za-z0-9]{${KEY_ID_LENGTH}}$`), "must be a key id"),
  keyHash: z.string().min(1).max(1024),
  keyCheck: z
    .string()
    .regex(/^(?:[0-9a-f]{4})?$/, "must be 4 hex digits or empty")
    .optional()
    .default(""),
  keyGeneration: z.number().int().min(1),
  createdAt: date,
  updatedAt: date,
  keyIssuedAt: date,
  // Records written before keys could expire have none.
  keyExpiresAt: date.nullable().optional().default(null),
  lastUsedAt: date.nullable(),
  policy: z.object({
    tools,
    // Policies stored before resources and prompts existed allow none (fail closed).
    resources: resources.optional(),
    prompts: prompts.optional(),
    scopes,
    rateLimit,
  }),
  metadata: z.record(z.string(), z.unknown()),
});

/**
 * The record as the rest of core may use it, or `CorruptRecordError` naming what is wrong (field
 * paths and rules, never values). `keyId`, when given, must be the id that was looked up.
 *
 * @throws CorruptRecordError
 */
export function parseStoredRecord(value: unknown, keyId?: string): AppRecord {
  const result = storedRecordSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map(
      (issue) => `${issue.path.join(".") || "(record)"}: ${issue.message}`,
    );
    throw withoutStack(() => new CorruptRecordError(issues));
  }
  const record = result.data;
  if (keyId !== undefined && record.keyId !== keyId)
    throw withoutStack(() => new CorruptRecordError(["keyId: not the key id looked up"]));
  return { ...record, policy: withPolicyDefaults(record.policy) };
}
