/** Human-readable rendering of apps. */
import { formatKeyId, type App } from "@mcpgate/core";

const DAY_MS = 86_400_000;

export function keyAgeDays(app: App, now: number): number {
  return Math.max(0, Math.floor((now - app.keyIssuedAt.getTime()) / DAY_MS));
}

/** When the key expires, relative to `now`: `never`, `in 12 d`, `in 5 h`, `expired 3 d ago`. */
export function expiryOf(app: App, now: number): string {
  if (app.keyExpiresAt === null) return "never";
  const left = app.keyExpiresAt.getTime() - now;
  const span = (ms: number) =>
    ms >= DAY_MS ? `${Math.floor(ms / DAY_MS)} d` : `${Math.max(1, Math.ceil(ms / 3_600_000))} h`;
  return left > 0 ? `in ${span(left)}` : `expired ${span(-left)} ago`;
}

/** Whether the key has expired at `now` (the gate refuses it with `key_expired`). */
export function isExpired(app: App, now: number): boolean {
  return app.keyExpiresAt !== null && now >= app.keyExpiresAt.getTime();
}

export function toolsOf(app: App): string {
  const { tools } = app.policy;
  if (tools === "*") return "* (every tool)";
  return tools.length === 0 ? "(none)" : tools.join(", ");
}

/** An app as JSON for `--json`, with key age and rotation status. */
export function appJson(app: App, now: number, rotationDays: number): Record<string, unknown> {
  const age = keyAgeDays(app, now);
  return {
    ...app,
    key: formatKeyId(app.keyId),
    keyAgeDays: age,
    rotationDue: age >= rotationDays,
    keyExpired: isExpired(app, now),
  };
}

export function describeApp(app: App, now: number, rotationDays: number): string {
  const age = keyAgeDays(app, now);
  const rotation = age >= rotationDays ? `  ⚠ older than ${rotationDays} days: regenerate it` : "";
  return [
    `${app.name} (${app.id})`,
    `  key:        ${formatKeyId(app.keyId)} (generation ${app.keyGeneration}, issued ${app.keyIssuedAt.toISOString()}, ${age} days ago)${rotation}`,
    `  expires:    ${app.keyExpiresAt ? `${app.keyExpiresAt.toISOString()} (${expiryOf(app, now)})${isExpired(app, now) ? "  ⚠ regenerate it" : ""}` : "never"}`,
    `  tools:      ${toolsOf(app)}`,
    `  scopes:     ${app.policy.scopes.length ? app.policy.scopes.join(", ") : "(none)"}`,
    `  rate limit: ${app.policy.rateLimit ? `${app.policy.rateLimit.requests} per ${app.policy.rateLimit.windowSeconds} s` : "(none)"}`,
    `  created:    ${app.createdAt.toISOString()}`,
    `  last used:  ${app.lastUsedAt ? app.lastUsedAt.toISOString() : "never"}`,
  ].join("\n");
}

export function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
