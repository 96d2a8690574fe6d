/** Human-readable rendering of apps. */
import { formatKeyId, type App } from "@mcpgate/core";

const DAY_MS = 86_400_000;

export function keyAgeDays(app: App, now: number): number {
  return Math.max(0, Math.floor((now - app.keyIssuedAt.getTime()) / DAY_MS));
}

export function toolsOf(app: App): string {
  const { tools } = app.policy;
  if (tools === "*") return "* (every tool)";
  return tools.length === 0 ? "(none)" : tools.join(", ");
}

/** An app as JSON for `--json`, with key age and rotation status. */
export function appJson(app: App, now: number, rotationDays: number): Record<string, unknown> {
  const age = keyAgeDays(app, now);
  return { ...app, key: formatKeyId(app.keyId), keyAgeDays: age, rotationDue: age >= rotationDays };
}

export function describeApp(app: App, now: number, rotationDays: number): string {
  const age = keyAgeDays(app, now);
  const rotation = age >= rotationDays ? `  ⚠ older than ${rotationDays} days: regenerate it` : "";
  return [
    `${app.name} (${app.id})`,
    `  key:        ${formatKeyId(app.keyId)} (generation ${app.keyGeneration}, issued ${app.keyIssuedAt.toISOString()}, ${age} days ago)${rotation}`,
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
