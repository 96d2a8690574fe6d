/** Mapping between table rows and core `AppRecord`s (both drivers return Dates and parsed jsonb). */
import {
  withPolicyDefaults,
  type AppMetadata,
  type AppPolicy,
  type AppRecord,
} from "@mcpgate/core";

/** The column list every read selects, in {@link AppRow} shape. */
export const APP_COLUMNS =
  "id, name, owner_id, key_id, key_hash, key_check, key_generation, created_at, updated_at, key_issued_at, last_used_at, policy, metadata, key_expires_at";

/** One row of the apps table as the drivers return it. */
export interface AppRow {
  id: string;
  name: string;
  owner_id: string | null;
  key_id: string;
  key_hash: string;
  key_check: string;
  key_generation: number;
  created_at: Date | string;
  updated_at: Date | string;
  key_issued_at: Date | string;
  last_used_at: Date | string | null;
  key_expires_at: Date | string | null;
  policy: Partial<AppPolicy> | string;
  metadata: AppMetadata | string;
}

function toDate(value: Date | string): Date {
  return new Date(value instanceof Date ? value.getTime() : value);
}

function fromJson<T>(value: T | string): T {
  return typeof value === "string" ? (JSON.parse(value) as T) : value;
}

export function toRecord(row: AppRow): AppRecord {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    keyId: row.key_id,
    keyHash: row.key_hash,
    keyCheck: row.key_check,
    keyGeneration: Number(row.key_generation),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    keyIssuedAt: toDate(row.key_issued_at),
    keyExpiresAt: row.key_expires_at === null ? null : toDate(row.key_expires_at),
    lastUsedAt: row.last_used_at === null ? null : toDate(row.last_used_at),
    policy: withPolicyDefaults(fromJson(row.policy)),
    metadata: fromJson(row.metadata),
  };
}

/** Dates go over the wire as ISO strings with an explicit `::timestamptz` cast (same on both drivers). */
export function isoDate(date: Date): string {
  return date.toISOString();
}
