/**
 * `mcpgate apps due`: rotation reminders. Lists the keys that have expired, expire within
 * `--within` (default 14 days), or are older than the rotation period (default 90 days), so a
 * scheduled job can remind their owners before clients start getting `key_expired`.
 */
import { formatKeyId, type App, type Gate } from "@mcpgate/core";
import type { Options } from "./args.js";
import { parseDuration } from "./duration.js";
import { appJson, expiryOf, isExpired, keyAgeDays, table } from "./format.js";
import { EXIT, type CliIo } from "./io.js";

/** Why a key is due: it expired, it expires within the window, or it is older than the period. */
export type DueReason = "expired" | "expiring" | "old";

/** The reasons `app`'s key is due at `now` (empty when it is not). */
export function dueReasons(
  app: App,
  now: number,
  withinMs: number,
  rotationDays: number,
): DueReason[] {
  const reasons: DueReason[] = [];
  if (isExpired(app, now)) reasons.push("expired");
  else if (app.keyExpiresAt !== null && app.keyExpiresAt.getTime() - now <= withinMs)
    reasons.push("expiring");
  if (keyAgeDays(app, now) >= rotationDays) reasons.push("old");
  return reasons;
}

function why(app: App, reasons: DueReason[], now: number): string {
  return reasons
    .map((reason) => (reason === "old" ? `${keyAgeDays(app, now)} d old` : `${expiryOf(app, now)}`))
    .join(", ");
}

export const dueCommand = {
  usage: "mcpgate apps due [--within 14d] [--rotation-days 90] [--json]",
  options: { within: { type: "string" }, "rotation-days": { type: "string" } } satisfies Options,
  positionals: "none" as const,
  async run(context: {
    io: CliIo;
    json: boolean;
    now: number;
    values: Record<string, string | boolean | undefined>;
    gate: () => Promise<Gate>;
    rotationDays: number;
  }): Promise<number> {
    const { within } = context.values;
    const withinMs = parseDuration("--within", typeof within === "string" ? within : "14d");
    const { now, rotationDays } = context;
    const due = (await (await context.gate()).listApps())
      .map((app) => ({ app, reasons: dueReasons(app, now, withinMs, rotationDays) }))
      .filter(({ reasons }) => reasons.length > 0);
    const rows = [["ID", "NAME", "KEY", "DUE"]];
    for (const { app, reasons } of due)
      rows.push([app.id, app.name, formatKeyId(app.keyId), why(app, reasons, now)]);
    const text =
      due.length === 0
        ? `No key is due: none has expired, expires within ${typeof within === "string" ? within : "14d"} or is older than ${rotationDays} days.`
        : `${table(rows)}\n\nRegenerate each (mcpgate apps regenerate <app id>) and hand its client the new key.`;
    context.io.stdout(
      `${
        context.json
          ? JSON.stringify(
              due.map(({ app, reasons }) => ({ ...appJson(app, now, rotationDays), due: reasons })),
              null,
              2,
            )
          : text
      }\n`,
    );
    return EXIT.ok;
  },
};
