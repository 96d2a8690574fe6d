/**
 * Durations and instants as people type them: `90d`, `12h`, `2w`, `30m`, `45s`, and for `--since` /
 * `--until` also an ISO 8601 date or date-time.
 */
import { UsageError } from "./io.js";

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
/** 100 years, the longest a key may live (core's bound). */
const MAX_MS = 36_500 * 86_400_000;
const DURATION = /^(\d{1,6})([smhdw])$/;
/** `2026-11-30`, or a date-time with seconds/fractions and `Z` or an offset. */
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** Milliseconds of a duration such as `90d`, or `undefined` when `text` is not one. */
export function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Number.NaN);
  return ms > 0 && ms <= MAX_MS ? ms : undefined;
}

/**
 * A duration option (`--within 14d`) in milliseconds.
 * @throws UsageError naming the option and the accepted forms.
 */
export function parseDuration(option: string, text: string): number {
  const ms = durationMs(text);
  if (ms === undefined)
    throw new UsageError(
      `${option} must be a duration such as 90d, 12h, 2w or 30m (got ${JSON.stringify(text)})`,
    );
  return ms;
}

/**
 * `--expires-in`: `{ expiresInDays }` for a duration, `{ expiresAt: null }` for `never`.
 * @throws UsageError
 */
export function parseExpiresIn(text: string): { expiresInDays: number } | { expiresAt: null } {
  if (text.trim().toLowerCase() === "never") return { expiresAt: null };
  const ms = durationMs(text);
  if (ms === undefined)
    throw new UsageError(
      `--expires-in must be a duration such as 90d, 12h or 2w, or "never" (got ${JSON.stringify(text)})`,
    );
  return { expiresInDays: ms / 86_400_000 };
}

/**
 * An instant for `--since` / `--until`: a duration means that long before `now`; otherwise an ISO
 * 8601 date or date-time.
 * @throws UsageError
 */
export function parseInstant(option: string, text: string, now: number): Date {
  const ms = durationMs(text);
  if (ms !== undefined) return new Date(now - ms);
  const at = ISO.test(text.trim()) ? new Date(text.trim()) : undefined;
  if (at === undefined || Number.isNaN(at.getTime()))
    throw new UsageError(
      `${option} must be a duration (15m, 24h, 7d) or an ISO date-time such as 2026-11-30T09:00:00Z (got ${JSON.stringify(text)})`,
    );
  return at;
}
