/** Pieces shared by pages: the policy fields and the shown-once key dialog. */
import type { AppPolicy } from "@mcpgate/core";
import { html, type SafeHtml } from "./html.js";

function lines(value: readonly string[] | "*"): string {
  return value === "*" ? "*" : value.join("\n");
}

function listField(name: string, label: string, value: string, hint: string): SafeHtml {
  return html`<div class="field">
    <label for="${name}">${label}</label>
    <textarea
      id="${name}"
      name="${name}"
      rows="3"
      aria-describedby="${name}-hint"
      spellcheck="false"
    >
${value}</textarea>
    <p class="hint" id="${name}-hint">${hint}</p>
  </div>`;
}

/** The editable policy: tools, resources, prompts, scopes, rate limit. @internal */
export function policyFields(policy: AppPolicy): SafeHtml {
  const rate = policy.rateLimit;
  return html`${listField("tools", "Tools", lines(policy.tools), "One tool name per line; * allows every tool; empty allows none.")}
    ${listField("resources", "Resources", lines(policy.resources), "One resource URI or URI template per line; * allows every resource; empty allows none.")}
    ${listField("prompts", "Prompts", lines(policy.prompts), "One prompt name per line; * allows every prompt; empty allows none.")}
    ${listField("scopes", "Scopes", policy.scopes.join("\n"), "Optional scopes handed to your MCP handlers, one per line.")}
    <fieldset>
      <legend>Rate limit</legend>
      <div class="inline">
        <div class="field">
          <label for="rateRequests">Requests</label
          ><input
            id="rateRequests"
            name="rateRequests"
            type="number"
            min="1"
            inputmode="numeric"
            value="${rate?.requests ?? ""}"
          />
        </div>
        <div class="field">
          <label for="rateWindow">Per seconds</label
          ><input
            id="rateWindow"
            name="rateWindow"
            type="number"
            min="1"
            inputmode="numeric"
            value="${rate?.windowSeconds ?? ""}"
          />
        </div>
      </div>
      <p class="hint">Leave both empty for no limit.</p>
    </fieldset>`;
}

/**
 * The shown-once dialog. Empty in the page; the script fills it from the create/regenerate
 * response and empties it when it closes. @internal
 */
export function keyDialog(): SafeHtml {
  return html`<dialog id="key-dialog" aria-labelledby="key-title" aria-describedby="key-warning">
    <h2 id="key-title">Your new API key</h2>
    <p id="key-warning" class="warn">
      <strong>Copy immediately.</strong> This key is shown only once: it is not stored and cannot be
      shown again. Put it in your client's secret store or a password manager now.
    </p>
    <div class="key-row">
      <code id="key-value" data-key></code>
      <button type="button" class="primary" data-action="copy" data-copy="key-value" autofocus>
        Copy key
      </button>
    </div>
    <p role="status" data-copy-status></p>
    <div data-snippets></div>
    <form method="dialog" class="actions">
      <button value="done">I have copied the key, close</button>
    </form>
  </dialog>`;
}

/** A confirmation that names the consequence; Cancel has the focus when it opens. @internal */
export function confirmDialog(options: {
  action: "regenerate" | "delete";
  appId: string;
  title: string;
  consequence: SafeHtml;
  confirm: string;
  /** Choices the action takes (the new key's expiry). */
  fields?: SafeHtml;
}): SafeHtml {
  const { action } = options;
  return html`<dialog
    id="${action}-dialog"
    aria-labelledby="${action}-title"
    aria-describedby="${action}-consequence"
  >
    <h2 id="${action}-title">${options.title}</h2>
    <p id="${action}-consequence">${options.consequence}</p>
    ${options.fields ?? ""}
    <p role="alert" data-error></p>
    <div class="actions">
      <form method="dialog"><button value="cancel" autofocus>Cancel</button></form>
      <button type="button" class="danger" data-action="${action}" data-app="${options.appId}">
        ${options.confirm}
      </button>
    </div>
  </dialog>`;
}
