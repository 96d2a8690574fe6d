/**
 * The dashboard's two static files, served by the mount itself (no CDN, works offline, strict
 * CSP). The script is plain ES2020, small enough to read: it turns forms into JSON requests with
 * the CSRF header and runs the dialogs. The key only ever lives in the shown-once dialog's DOM and
 * one closure; closing the dialog empties it before the page is replaced.
 */
import { createHash } from "node:crypto";

const SCRIPT = String.raw`"use strict";
(function () {
  var base = document.body.dataset.base || "";

  function request(method, path, body) {
    var init = {
      method: method,
      credentials: "same-origin",
      cache: "no-store",
      headers: { accept: "application/json", "x-mcpgate-admin": "1" },
    };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(base + "/api" + path, init).then(function (response) {
      if (response.status === 204) return null;
      return response
        .json()
        .catch(function () { return null; })
        .then(function (data) {
          if (response.ok) return data;
          var message = (data && data.message) || "The request failed (" + response.status + ").";
          if (data && data.issues) message += " " + data.issues.join("; ");
          throw new Error(message);
        });
    });
  }

  function list(value) {
    var text = value.trim();
    if (text === "*") return "*";
    return text.split(/[\n,]+/).map(function (item) { return item.trim(); }).filter(Boolean);
  }

  function field(form, name) {
    var element = form.elements.namedItem(name);
    return element ? element.value : "";
  }

  function policyOf(form) {
    var requests = field(form, "rateRequests").trim();
    var windowSeconds = field(form, "rateWindow").trim();
    var scopes = list(field(form, "scopes"));
    return {
      tools: list(field(form, "tools")),
      resources: list(field(form, "resources")),
      prompts: list(field(form, "prompts")),
      scopes: scopes === "*" ? ["*"] : scopes,
      rateLimit:
        requests || windowSeconds
          ? { requests: Number(requests), windowSeconds: Number(windowSeconds) }
          : null,
    };
  }

  /** The expiry select's choice as the API takes it; "keep" sends nothing (same lifetime). */
  function expiryOf(container) {
    var select = container.querySelector("select[name=expiry]");
    if (!select || select.value === "keep") return {};
    if (select.value === "never") return { expiresAt: null };
    if (select.value === "date") {
      var day = container.querySelector("input[name=expiryDate]").value;
      if (!day) throw new Error("Choose the day the key expires.");
      // Midnight at the start of that day, in the user's own time zone.
      return { expiresAt: new Date(day + "T00:00:00").toISOString() };
    }
    return { expiresInDays: Number(select.value) };
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.name !== "expiry") return;
    var date = select.closest("dialog, form").querySelector("[data-expiry-date]");
    date.hidden = select.value !== "date";
    date.querySelector("input").required = !date.hidden;
  });

  function say(container, selector, text) {
    var box = container.querySelector(selector);
    if (box) box.textContent = text;
  }

  function busy(container, on) {
    container.querySelectorAll("button, input, select, textarea").forEach(function (element) {
      element.disabled = on;
    });
  }

  var keyDialog = document.getElementById("key-dialog");

  function showKey(issued, next) {
    var keyBox = keyDialog.querySelector("[data-key]");
    var snippets = keyDialog.querySelector("[data-snippets]");
    keyBox.textContent = issued.key;
    var clients = issued.snippets ? issued.snippets.clients : [];
    clients.forEach(function (snippet, index) {
      var section = document.createElement("section");
      var heading = document.createElement("h3");
      heading.id = "snippet-" + index;
      heading.textContent = snippet.title;
      var note = document.createElement("p");
      note.className = "hint";
      note.textContent = snippet.note;
      section.append(heading, note);
      if (snippet.code !== undefined) {
        var pre = document.createElement("pre");
        pre.tabIndex = 0;
        pre.id = "snippet-code-" + index;
        pre.setAttribute("aria-labelledby", heading.id);
        pre.textContent = snippet.code;
        var copy = document.createElement("button");
        copy.type = "button";
        copy.dataset.action = "copy";
        copy.dataset.copy = pre.id;
        copy.textContent = "Copy";
        copy.setAttribute("aria-describedby", heading.id);
        section.append(pre, copy);
      }
      snippets.append(section);
    });
    keyDialog.addEventListener(
      "close",
      function () {
        keyBox.textContent = "";
        snippets.replaceChildren();
        say(keyDialog, "[data-copy-status]", "");
        location.replace(next);
      },
      { once: true },
    );
    keyDialog.showModal();
  }

  var actions = {
    copy: function (button) {
      var text = document.getElementById(button.dataset.copy).textContent;
      return navigator.clipboard.writeText(text).then(
        function () { say(keyDialog, "[data-copy-status]", "Copied to the clipboard."); },
        function () { say(keyDialog, "[data-copy-status]", "Copying failed: select the text and copy it."); },
      );
    },
    regenerate: function (button) {
      var dialog = button.closest("dialog");
      var id = button.dataset.app;
      var path = "/apps/" + encodeURIComponent(id) + "/regenerate";
      return request("POST", path, expiryOf(dialog)).then(function (issued) {
        dialog.close();
        showKey(issued, base + "/apps/" + encodeURIComponent(id));
      });
    },
    delete: function (button) {
      return request("DELETE", "/apps/" + encodeURIComponent(button.dataset.app)).then(function () {
        location.replace(base + "/");
      });
    },
    logout: function () {
      return request("DELETE", "/session").then(function () {
        location.replace(base + "/login");
      });
    },
  };

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.open) {
      var dialog = document.getElementById(button.dataset.open);
      say(dialog, "[data-error]", "");
      dialog.showModal();
      return;
    }
    var action = actions[button.dataset.action];
    if (!action) return;
    var container = button.closest("dialog, section, form") || document.body;
    busy(container, true);
    say(container, "[data-error]", "");
    Promise.resolve(button)
      .then(action)
      .catch(function (error) { say(container, "[data-error]", error.message); })
      .finally(function () { busy(container, false); });
  });

  var submits = {
    create: function (form) {
      var input = Object.assign(policyOf(form), expiryOf(form));
      input.name = field(form, "name");
      return request("POST", "/apps", input).then(function (issued) {
        form.reset();
        showKey(issued, base + "/apps/" + encodeURIComponent(issued.app.id));
      });
    },
    rename: function (form) {
      return request("PATCH", "/apps/" + encodeURIComponent(form.dataset.app), {
        name: field(form, "name"),
      }).then(function (result) {
        document.querySelectorAll("[data-app-name]").forEach(function (element) {
          element.textContent = result.app.name;
        });
        say(form, "[data-status]", "Name saved.");
      });
    },
    policy: function (form) {
      return request("PATCH", "/apps/" + encodeURIComponent(form.dataset.app), policyOf(form)).then(
        function () { say(form, "[data-status]", "Policy saved."); },
      );
    },
    login: function (form) {
      var token = field(form, "token");
      form.reset();
      return request("POST", "/session", { token: token }).then(function () {
        location.replace(base + "/");
      });
    },
  };

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submit = submits[form.dataset.action];
    if (!submit) return;
    event.preventDefault();
    say(form, "[data-error]", "");
    say(form, "[data-status]", "");
    busy(form, true);
    Promise.resolve(form)
      .then(submit)
      .catch(function (error) { say(form, "[data-error]", error.message); })
      .finally(function () { busy(form, false); });
  });
})();
`;

const STYLE = `:root{color-scheme:light;--fg:#1b1f24;--muted:#4b5563;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--accent:#1d4ed8;--danger:#b42318;--warn-bg:#fff4ce;--warn-fg:#5c4400}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem}
header{border-bottom:1px solid var(--line);background:var(--soft)}
header nav{max-width:64rem;margin:0 auto;padding:.75rem 1rem;display:flex;gap:1rem;align-items:center;justify-content:space-between}
header nav a{font-weight:600;text-decoration:none;color:var(--fg)}
main{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:0 0 .5rem}h3{font-size:1rem;margin:.75rem 0 .25rem}
.bar{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}
table{width:100%;border-collapse:collapse}caption{text-align:left;padding:.25rem 0}th,td{text-align:left;padding:.5rem;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:.875rem;color:var(--muted)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem}
pre{background:var(--soft);border:1px solid var(--line);padding:.5rem;overflow:auto;white-space:pre-wrap;word-break:break-all;margin:0 0 .25rem}
.badge{display:inline-block;margin-left:.5rem;padding:0 .5rem;border-radius:1rem;font-size:.8rem;font-weight:600;background:var(--warn-bg);color:var(--warn-fg);border:1px solid #e0c15a}
.badge.expired{background:#fee4e2;color:#7a271a;border-color:#e8a19a;margin:0 .25rem 0 0}
.muted{color:var(--muted)}
button,.button{font:inherit;display:inline-block;padding:.45rem .9rem;border:1px solid var(--line);border-radius:.375rem;background:var(--bg);color:var(--fg);cursor:pointer;text-decoration:none}
button.primary,.button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.danger{background:var(--danger);border-color:var(--danger);color:#fff}
button:disabled{opacity:.6;cursor:progress}
section.card{border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:1rem 0}
section.card.danger-zone{border-color:#f1aeb5}
.field{margin:0 0 .9rem}label,legend{display:block;font-weight:600;margin-bottom:.2rem}
input,select,textarea{font:inherit;width:100%;max-width:32rem;padding:.4rem;border:1px solid #8c959f;border-radius:.25rem}
textarea{min-height:4.5rem}fieldset{border:1px solid var(--line);border-radius:.375rem;margin:0 0 .9rem;padding:.5rem .75rem}
.inline{display:flex;gap:1rem;flex-wrap:wrap}.inline .field{flex:1 1 10rem}
.hint{font-size:.875rem;color:var(--muted);margin:.1rem 0 0}
[role=alert],.error{color:var(--danger);font-weight:600}[role=alert]:empty,[role=status]:empty{display:none}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
dialog{max-width:42rem;width:calc(100% - 2rem);border:1px solid var(--line);border-radius:.5rem;padding:1.25rem}
dialog::backdrop{background:rgb(0 0 0 / .45)}
.warn{background:var(--warn-bg);color:var(--warn-fg);padding:.5rem .75rem;border-radius:.375rem}
.key-row{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;margin:.75rem 0}
.key-row code{font-size:1rem;padding:.4rem .6rem;background:var(--soft);border:1px solid var(--line);border-radius:.25rem;word-break:break-all}
.actions{display:flex;gap:.5rem;justify-content:flex-end;margin-top:1rem}
nav.pages{display:flex;gap:1rem;margin-top:1rem}
`;

interface Asset {
  contentType: string;
  body: string;
  etag: string;
}

function asset(contentType: string, body: string): Asset {
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`;
  return { contentType, body, etag };
}

/** Static files by path under the mount. @internal */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ["/assets/dashboard.js", asset("text/javascript; charset=utf-8", SCRIPT)],
  ["/assets/dashboard.css", asset("text/css; charset=utf-8", STYLE)],
]);
