/**
 * How the dashboard shows a key's expiry ("Never", "in 12 days", "Expired", each with the exact
 * instant in a `<time>`) and asks for one when a key is issued. The state is always written out in
 * words, so nothing depends on the badge colours.
 */
import type { AppView } from "../apps.js";
import { EXPIRES_SOON_DAYS } from "../key-expiry.js";
import { html, type SafeHtml } from "./html.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Lifetimes offered for a new key, in days, besides "never" (and the rotation period). */
const LIFETIMES = [30, 90, 365] as const;

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

/** A duration in words: "90 days", "5 hours", "less than an hour". */
function duration(ms: number): string {
  if (ms >= DAY_MS) return plural(Math.round(ms / DAY_MS), "day");
  if (ms >= HOUR_MS) return plural(Math.round(ms / HOUR_MS), "hour");
  return "less than an hour";
}

/** The instant to the minute, in UTC, machine-readable in `datetime`. */
function instant(iso: string): SafeHtml {
  return html`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC</time>`;
}

/** When the key expires, as a table cell or a fact of the app page. @internal */
export function keyExpiry(app: AppView, now: number): SafeHtml | string {
  const expiresAt = app.keyExpiresAt;
  if (expiresAt === null) return "Never";
  if (app.keyExpired) return html`<span class="badge expired">Expired</span> ${instant(expiresAt)}`;
  const left = `in ${duration(Date.parse(expiresAt) - now)}`;
  return html`${left}${app.keyExpiresSoon ? html`<span class="badge">Expires soon</span>` : ""}
    <span class="muted">(${instant(expiresAt)})</span>`;
}

/**
 * The key's lifetime ("90 days"), or `null` when a regenerated key would never expire: no expiry,
 * or (a hand-edited record) one not after the issue, which core does not repeat. @internal
 */
export function keyLifetime(app: AppView): string | null {
  if (app.keyExpiresAt === null) return null;
  const lifetime = Date.parse(app.keyExpiresAt) - Date.parse(app.keyIssuedAt);
  return lifetime > 0 ? duration(lifetime) : null;
}

/** A notice above the app page's facts when the key has expired or expires soon. @internal */
export function expiryNotice(app: AppView, now: number): SafeHtml | string {
  if (app.keyExpiresAt === null) return "";
  if (app.keyExpired) {
    return html`<p class="warn">
      <strong>This key has expired</strong> (${instant(app.keyExpiresAt)}): every request with it is
      refused with <code>key_expired</code>. Regenerate it to issue a new key.
    </p>`;
  }
  if (!app.keyExpiresSoon) return "";
  return html`<p class="warn">
    <strong>This key expires ${`in ${duration(Date.parse(app.keyExpiresAt) - now)}`}</strong>
    (${instant(app.keyExpiresAt)}). Regenerate it and update its clients before then.
  </p>`;
}

/** The line above the apps table counting expired and soon-expiring keys (of this page). @internal */
export function expirySummary(apps: readonly AppView[]): SafeHtml | string {
  const expired = apps.filter((app) => app.keyExpired).length;
  const soon = apps.filter((app) => app.keyExpiresSoon).length;
  if (expired + soon === 0) return "";
  const parts = [
    expired > 0 ? `${plural(expired, "key")} expired` : "",
    soon > 0 ? `${plural(soon, "key")} expiring within ${EXPIRES_SOON_DAYS} days` : "",
  ].filter(Boolean);
  return html`<p class="warn">${parts.join(" and ")}: regenerate them from their app pages.</p>`;
}

/**
 * The expiry select of the create form and the regenerate dialog. The rotation period is
 * preselected when creating; regenerating preselects "same lifetime" (core's rule). @internal
 */
export function expiryField(options: {
  id: string;
  label: string;
  rotationDays: number;
  /** Now (ms): the date field accepts days from tomorrow (UTC). */
  now: number;
  /** Regenerating: the current key, whose lifetime "keep" repeats. */
  current?: AppView;
}): SafeHtml {
  const { id, rotationDays, current } = options;
  const tomorrow = new Date(options.now + DAY_MS).toISOString().slice(0, 10);
  const days = [...new Set([...LIFETIMES, rotationDays])].sort((a, b) => a - b);
  const keep = current
    ? html`<option value="keep" selected>
        Same lifetime as the current key (${keyLifetime(current) ?? "never expires"})
      </option>`
    : "";
  const choices = days.map(
    (count) =>
      html`<option value="${count}" ${!current && count === rotationDays ? "selected" : ""}>
        ${count === 365 ? "1 year" : plural(count, "day")}${
          count === rotationDays ? " (rotation period)" : ""
        }
      </option>`,
  );
  return html`<div class="field">
      <label for="${id}">${options.label}</label>
      <select id="${id}" name="expiry" aria-describedby="${id}-hint">
        ${keep}
        <option value="never">Never</option>
        ${choices}
        <option value="date">On a date…</option>
      </select>
      <p class="hint" id="${id}-hint">
        An expired key is refused until it is regenerated; keys expiring within ${EXPIRES_SOON_DAYS}
        days are flagged in the list. Regenerating keeps the key's lifetime unless you choose
        another.
      </p>
    </div>
    <div class="field" data-expiry-date hidden>
      <label for="${id}-date">Expiry date</label>
      <input
        id="${id}-date"
        name="expiryDate"
        type="date"
        min="${tomorrow}"
        aria-describedby="${id}-date-hint"
      />
      <p class="hint" id="${id}-date-hint">
        The key stops working at 00:00 (your time) on that day.
      </p>
    </div>`;
}
