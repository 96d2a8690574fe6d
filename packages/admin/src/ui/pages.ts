/**
 * The dashboard pages, rendered on the server with {@link html} (every value escaped). Changes go
 * through the JSON API from the one static script; the pages themselves never hold a key.
 */
import type { ServerResponse } from "node:http";
import type { AppPage, AppView } from "../apps.js";
import { send } from "../http.js";
import { EXPIRES_SOON_DAYS } from "../key-expiry.js";
import { html, type SafeHtml } from "./html.js";
import { expiryField, expiryNotice, expirySummary, keyExpiry, keyLifetime } from "./expiry.js";
import { confirmDialog, keyDialog, policyFields } from "./parts.js";

/** @internal */
export interface Pages {
  list(res: ServerResponse, page: AppPage, paged: boolean): void;
  create(res: ServerResponse): void;
  settings(res: ServerResponse, app: AppView): void;
  login(res: ServerResponse): void;
  denied(res: ServerResponse): void;
  error(res: ServerResponse, status: number, message: string): void;
}

function day(iso: string): SafeHtml {
  return html`<time datetime="${iso}">${iso.slice(0, 10)}</time>`;
}

function keyAge(app: AppView): SafeHtml {
  const days = `${app.keyAgeDays} ${app.keyAgeDays === 1 ? "day" : "days"}`;
  return html`${days}${app.rotationDue ? html`<span class="badge">Rotation due</span>` : ""}`;
}

function lastUsed(app: AppView): SafeHtml | string {
  return app.lastUsedAt === null ? "Never" : day(app.lastUsedAt);
}

/** @internal */
export function createPages(settings: {
  basePath: string;
  title: string;
  standalone: boolean;
  rotationDays: number;
  clock: () => number;
}): Pages {
  const { basePath: base, title, standalone, rotationDays, clock } = settings;

  function layout(heading: string, body: SafeHtml, options: { nav?: boolean } = {}): string {
    const nav = options.nav ?? true;
    return html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="no-referrer" />
          <title>${heading} · ${title}</title>
          <link rel="stylesheet" href="${base}/assets/dashboard.css" />
          <script src="${base}/assets/dashboard.js" defer></script>
        </head>
        <body data-base="${base}">
          <a class="skip" href="#main">Skip to content</a>
          <header>
            <nav aria-label="Dashboard">
              <a href="${base}/">${title}</a>${
                nav && standalone
                  ? html`<button type="button" data-action="logout">Sign out</button>`
                  : ""
              }
            </nav>
          </header>
          <main id="main">
            <noscript><p class="warn">The dashboard needs JavaScript to make changes.</p></noscript>
            ${body}
          </main>
        </body>
      </html> `.value;
  }

  function page(res: ServerResponse, status: number, heading: string, body: SafeHtml, nav = true) {
    send(res, status, "text/html; charset=utf-8", layout(heading, body, { nav }));
  }

  return {
    list(res, { apps, nextCursor }, paged) {
      const now = clock();
      const rows = apps.map(
        (app) =>
          html`<tr>
            <th scope="row">
              <a href="${base}/apps/${encodeURIComponent(app.id)}">${app.name}</a>
            </th>
            <td><code>${app.keyPreview}</code></td>
            <td>${day(app.createdAt)}</td>
            <td>${keyAge(app)}</td>
            <td>${keyExpiry(app, now)}</td>
            <td>${lastUsed(app)}</td>
          </tr>`,
      );
      const table =
        apps.length === 0
          ? html`<p>No apps yet. Create one to issue its API key.</p>`
          : html`<table>
              <caption class="muted">
                Keys older than ${rotationDays} days are due for rotation; keys expiring within
                ${EXPIRES_SOON_DAYS} days are flagged.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Created</th>
                  <th scope="col">Key age</th>
                  <th scope="col">Key expires</th>
                  <th scope="col">Last used</th>
                </tr>
              </thead>
              <tbody>
                ${rows}
              </tbody>
            </table>`;
      const pager =
        nextCursor !== null || paged
          ? html`<nav class="pages" aria-label="Pages">
              ${paged ? html`<a href="${base}/">First page</a>` : ""}${
                nextCursor !== null
                  ? html`<a href="${base}/?cursor=${encodeURIComponent(nextCursor)}">Next page</a>`
                  : ""
              }
            </nav>`
          : "";
      page(
        res,
        200,
        "Apps",
        html`<div class="bar">
            <h1>Apps</h1>
            <a class="button primary" href="${base}/new">Create app</a>
          </div>
          ${expirySummary(apps)}${table}${pager}`,
      );
    },

    create(res) {
      page(
        res,
        200,
        "Create app",
        html`<p><a href="${base}/">All apps</a></p>
          <h1>Create app</h1>
          <form data-action="create">
            <div class="field">
              <label for="name">Name</label>
              <input
                id="name"
                name="name"
                required
                maxlength="200"
                autocomplete="off"
                aria-describedby="name-hint"
              />
              <p class="hint" id="name-hint">
                Name it after the client that will use the key, e.g. “claude-desktop-alice”.
              </p>
            </div>
            ${expiryField({ id: "expiry", label: "Key expires", rotationDays, now: clock() })}
            ${policyFields({ tools: [], resources: [], prompts: [], scopes: [], rateLimit: null })}
            <p role="alert" data-error></p>
            <button type="submit" class="primary">Create app and key</button>
          </form>
          ${keyDialog()}`,
      );
    },

    settings(res, app) {
      const id = app.id;
      const now = clock();
      const lifetime = keyLifetime(app);
      page(
        res,
        200,
        app.name,
        html`<p><a href="${base}/">All apps</a></p>
          <h1 data-app-name>${app.name}</h1>
          ${expiryNotice(app, now)}
          <dl class="facts">
            <dt>App id</dt>
            <dd><code>${id}</code></dd>
            <dt>Key</dt>
            <dd><code>${app.keyPreview}</code> (generation ${app.keyGeneration})</dd>
            <dt>Key issued</dt>
            <dd>${day(app.keyIssuedAt)} · ${keyAge(app)}</dd>
            <dt>Key expires</dt>
            <dd>${keyExpiry(app, now)}${lifetime ? ` · lifetime ${lifetime}` : ""}</dd>
            <dt>Rotate by</dt>
            <dd>${day(app.rotationDueAt)}</dd>
            <dt>Created</dt>
            <dd>${day(app.createdAt)}</dd>
            <dt>Last used</dt>
            <dd>${lastUsed(app)}</dd>
          </dl>
          <section class="card" aria-labelledby="rename-heading">
            <h2 id="rename-heading">Name</h2>
            <form data-action="rename" data-app="${id}">
              <div class="field">
                <label for="rename">App name</label>
                <input
                  id="rename"
                  name="name"
                  required
                  maxlength="200"
                  autocomplete="off"
                  value="${app.name}"
                />
              </div>
              <p role="alert" data-error></p>
              <p role="status" data-status></p>
              <button type="submit">Rename</button>
            </form>
          </section>
          <section class="card" aria-labelledby="policy-heading">
            <h2 id="policy-heading">Policy</h2>
            <form data-action="policy" data-app="${id}">
              ${policyFields(app.policy)}
              <p role="alert" data-error></p>
              <p role="status" data-status></p>
              <button type="submit">Save policy</button>
            </form>
          </section>
          <section class="card danger-zone" aria-labelledby="regenerate-heading">
            <h2 id="regenerate-heading">Regenerate key</h2>
            <p>
              Issues a new key and invalidates <code>${app.keyPreview}</code> at once: every client
              using the old key stops working immediately. Update your clients with the new key
              right after.
            </p>
            <button type="button" data-open="regenerate-dialog">Regenerate key…</button>
          </section>
          <section class="card danger-zone" aria-labelledby="delete-heading">
            <h2 id="delete-heading">Delete app</h2>
            <p>
              Deletes the app and its key. Every client using the key stops working immediately.
            </p>
            <button type="button" data-open="delete-dialog">Delete app…</button>
          </section>
          ${confirmDialog({
            action: "regenerate",
            appId: id,
            title: `Regenerate the key of “${app.name}”?`,
            consequence: html`Every client using the old key <code>${app.keyPreview}</code> stops
              working immediately. This cannot be undone.`,
            confirm: "Regenerate key",
            fields: expiryField({
              id: "regenerate-expiry",
              label: "New key expires",
              rotationDays,
              now,
              current: app,
            }),
          })}
          ${confirmDialog({
            action: "delete",
            appId: id,
            title: `Delete “${app.name}”?`,
            consequence: html`Its key <code>${app.keyPreview}</code> stops working immediately, and
              the app cannot be restored.`,
            confirm: "Delete app",
          })}
          ${keyDialog()}`,
      );
    },

    login(res) {
      page(
        res,
        200,
        "Sign in",
        html`<h1>Sign in</h1>
          <form data-action="login">
            <div class="field">
              <label for="token">Admin token</label>
              <input
                id="token"
                name="token"
                type="password"
                required
                autocomplete="current-password"
                aria-describedby="token-hint"
              />
              <p class="hint" id="token-hint">
                The <code>mga_…</code> token printed by <code>mcpgate admin token</code>.
              </p>
            </div>
            <p role="alert" data-error></p>
            <button type="submit" class="primary">Sign in</button>
          </form>`,
        false,
      );
    },

    denied(res) {
      page(
        res,
        401,
        "Sign in required",
        html`<h1>Sign in required</h1>
          <p>Sign in to manage apps.</p>`,
        false,
      );
    },

    error(res, status, message) {
      const heading =
        status === 404 ? "Not found" : status >= 500 ? "Something went wrong" : "Request refused";
      page(
        res,
        status,
        heading,
        html`<h1>${heading}</h1>
          <p>${message}</p>
          <p><a href="${base}/">All apps</a></p>`,
      );
    },
  };
}
