/**
 * Ready-to-paste client configuration for a new key. Where a client can read the key from an
 * environment variable, the snippet does that instead of writing the key into a config file.
 */
import type { App } from "@mcpgate/core";

export interface Snippets {
  /** Environment variable the snippets read the key from. */
  envVar: string;
  /** `<base>/<key>`: the recommended way in (the key in the path). */
  endpointWithKey: string;
  /** The endpoint without the key (for header-based clients). */
  endpoint: string;
  cursor: unknown;
  mcpRemote: unknown;
  curl: string;
}

/** `MCPGATE_KEY_<NAME>`, from the app name. */
export function envVarFor(app: App): string {
  const suffix = app.name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return `MCPGATE_KEY${suffix ? `_${suffix}` : ""}`;
}

function serverName(app: App): string {
  return (
    app.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "mcpgate"
  );
}

export function snippetsFor(app: App, key: string, baseUrl: string): Snippets {
  const endpoint = baseUrl.replace(/\/+$/, "");
  const envVar = envVarFor(app);
  const name = serverName(app);
  const initialize = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "curl", version: "1" },
    },
  });
  return {
    envVar,
    endpointWithKey: `${endpoint}/${key}`,
    endpoint,
    cursor: {
      mcpServers: {
        [name]: { url: endpoint, headers: { Authorization: `Bearer \${env:${envVar}}` } },
      },
    },
    mcpRemote: {
      mcpServers: {
        [name]: {
          command: "npx",
          args: ["-y", "mcp-remote", endpoint, "--header", `Authorization:\${${envVar}}`],
          env: { [envVar]: `Bearer ${key}` },
        },
      },
    },
    curl: `curl -sS "${endpoint}" -H "Authorization: Bearer $${envVar}" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -d '${initialize}'`,
  };
}

function indent(text: string): string {
  return text.replace(/^/gm, "    ");
}

/** The human-readable block printed after `apps create` and `apps regenerate`. */
export function describeNewKey(app: App, key: string, snippets: Snippets): string {
  return [
    "",
    "  API key — shown ONCE; it is not stored and cannot be recovered. Put it in your client's",
    "  secret store (or a password manager) now:",
    "",
    `    ${key}`,
    "",
    "Endpoint with the key in the path (recommended; paste as a custom connector URL in Claude",
    "Desktop: Settings → Connectors → Add custom connector):",
    `    ${snippets.endpointWithKey}`,
    "",
    `Cursor (~/.cursor/mcp.json) — reads the key from $${snippets.envVar}, so the file holds no secret:`,
    indent(JSON.stringify(snippets.cursor, null, 2)),
    "",
    "Clients that can only start local servers, through mcp-remote and a Bearer header",
    "(the key is in the config file's env block: keep that file private):",
    indent(JSON.stringify(snippets.mcpRemote, null, 2)),
    "",
    `curl (export ${snippets.envVar} first):`,
    indent(snippets.curl),
    "",
    `Rotate this key every 90 days or at once if it leaks: mcpgate apps regenerate ${app.id}`,
  ].join("\n");
}
