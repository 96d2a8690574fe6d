/**
 * Ready-to-paste client configuration for a newly issued key, shared by the CLI and the admin
 * dashboard. Where a client can read the key from an environment variable, its snippet does that
 * instead of writing the key into a config file. Each text was checked against the client's own
 * documentation (Claude custom connectors, Cursor `mcp.json`, mcp-remote's README).
 */
import { isKey } from "./key-format.js";

/** What {@link clientSnippets} needs. */
export interface ClientSnippetInput {
  /** The MCP endpoint without the key, e.g. `https://mcp.example.com/mcp`. */
  url: string;
  /** The plaintext key, as just issued (`mgw_…`). */
  key: string;
  /** The app's name: names the server entry and the environment variable. */
  appName: string;
}

/** One client's snippet. */
export interface ClientSnippet {
  /** Stable id: `claude-connector`, `cursor`, `mcp-remote`, `claude-code`, `curl`. */
  id: "claude-connector" | "cursor" | "mcp-remote" | "claude-code" | "curl";
  /** Human title, e.g. "Cursor (~/.cursor/mcp.json)". */
  title: string;
  /** One or two sentences: where it goes and what to watch out for. */
  note: string;
  /** What to paste, or `undefined` when this client cannot reach the endpoint as given. */
  code: string | undefined;
  /** How `code` reads: `json`, `sh` or a plain URL. */
  language: "json" | "sh" | "url";
}

/** Everything a "shown once" screen needs besides the key itself. */
export interface ClientSnippets {
  /** Environment variable the snippets read the bare key from, e.g. `MCPGATE_KEY_CURSOR_LAPTOP`. */
  envVar: string;
  /** The endpoint without the key (for header-based clients). */
  endpoint: string;
  /** `<endpoint>/<key>`: the key in the path, for clients that only take a URL. */
  endpointWithKey: string;
  /** Whether the endpoint can be reached from Anthropic's cloud (public host over HTTPS). */
  publicHttps: boolean;
  /** One entry per client, in the order to show them. */
  clients: readonly ClientSnippet[];
}

const LOCAL_HOST =
  /^(?:localhost|.*\.localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}|.*\.local|.*\.internal)$/i;
const LOOPBACK = /^(?:localhost|.*\.localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** `MCPGATE_KEY_<NAME>` from an app name. */
function envVarFor(appName: string): string {
  const suffix = appName
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return `MCPGATE_KEY${suffix ? `_${suffix}` : ""}`;
}

/** `cursor-laptop` from "Cursor Laptop": a server entry name every client accepts. */
function serverNameFor(appName: string): string {
  return (
    appName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "mcpgate"
  );
}

/** Single-quoted for POSIX shells: nothing inside is expanded. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function parseEndpoint(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Invalid snippet input: url: not a URL (${JSON.stringify(url)})`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new TypeError(`Invalid snippet input: url: must be http:// or https://`);
  if (parsed.search || parsed.hash || parsed.username || parsed.password)
    throw new TypeError(
      `Invalid snippet input: url: give the bare endpoint (no query, fragment or credentials)`,
    );
  return parsed;
}

/**
 * Client configuration snippets for a newly issued key: Claude (custom connector), Cursor,
 * mcp-remote (Claude Desktop's config file and any other stdio-only client), Claude Code and curl.
 *
 * Claude's custom connectors are called from Anthropic's cloud, not from the user's machine, so a
 * local or private endpoint gets no connector URL (`code: undefined`) and a note pointing at the
 * mcp-remote snippet, which runs on the user's machine.
 *
 * @throws TypeError when `url` is not a bare http(s) URL or `key` is not a well-formed key.
 * @example
 * ```ts
 * const { clients } = clientSnippets({
 *   url: "https://mcp.example.com/mcp",
 *   key: "mgw_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
 *   appName: "Cursor Laptop",
 * });
 * for (const client of clients) console.log(client.title, client.code ?? client.note);
 * ```
 */
export function clientSnippets(input: ClientSnippetInput): ClientSnippets {
  if (!isKey(input.key)) throw new TypeError("Invalid snippet input: key: not an mgw_ key");
  const parsed = parseEndpoint(input.url);
  const endpoint = parsed.href.replace(/\/+$/, "");
  const endpointWithKey = `${endpoint}/${input.key}`;
  const envVar = envVarFor(input.appName);
  const name = serverNameFor(input.appName);
  const publicHttps = parsed.protocol === "https:" && !LOCAL_HOST.test(parsed.hostname);
  // mcp-remote refuses plain http except to localhost unless told otherwise.
  const needsAllowHttp = parsed.protocol === "http:" && !LOOPBACK.test(parsed.hostname);

  const connector: ClientSnippet = publicHttps
    ? {
        id: "claude-connector",
        title: "Claude (claude.ai, Claude Desktop): custom connector URL",
        note: "Settings → Connectors → Add custom connector, no sign-in. Claude calls this URL from Anthropic's cloud; the key is part of the URL, so treat the connector settings as secret.",
        code: endpointWithKey,
        language: "url",
      }
    : {
        id: "claude-connector",
        title: "Claude (claude.ai, Claude Desktop): custom connector",
        note: `Not for this endpoint: custom connectors are called from Anthropic's cloud and need a public HTTPS URL, which ${endpoint} is not. For Claude Desktop on this machine, use the mcp-remote snippet in claude_desktop_config.json (Settings → Developer → Edit Config).`,
        code: undefined,
        language: "url",
      };

  const clients: ClientSnippet[] = [
    connector,
    {
      id: "cursor",
      title: "Cursor (~/.cursor/mcp.json or .cursor/mcp.json)",
      note: `Reads the key from $${envVar} (set it where Cursor starts), so the file holds no secret.`,
      code: json({
        mcpServers: {
          [name]: { url: endpoint, headers: { Authorization: `Bearer \${env:${envVar}}` } },
        },
      }),
      language: "json",
    },
    {
      id: "mcp-remote",
      title:
        "Claude Desktop (claude_desktop_config.json) and other stdio-only clients, via mcp-remote",
      note: "Needs Node.js. The header travels through AUTH_HEADER because some clients split arguments at spaces; the key sits in this file's env block, so keep the file private.",
      code: json({
        mcpServers: {
          [name]: {
            command: "npx",
            args: [
              "-y",
              "mcp-remote",
              endpoint,
              ...(needsAllowHttp ? ["--allow-http"] : []),
              "--transport",
              "http-only",
              "--header",
              "Authorization:${AUTH_HEADER}",
            ],
            env: { AUTH_HEADER: `Bearer ${input.key}` },
          },
        },
      }),
      language: "json",
    },
    {
      id: "claude-code",
      title: "Claude Code",
      note: `Export ${envVar} first; Claude Code stores the expanded header in its own config.`,
      code: `claude mcp add --transport http ${name} ${shellQuote(endpoint)} --header "Authorization: Bearer $${envVar}"`,
      language: "sh",
    },
    {
      id: "curl",
      title: "curl (a first request)",
      note: `Export ${envVar} first.`,
      code: `curl -sS ${shellQuote(endpoint)} -H "Authorization: Bearer $${envVar}" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -d '${JSON.stringify(
        {
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-06-18",
            capabilities: {},
            clientInfo: { name: "curl", version: "1" },
          },
        },
      )}'`,
      language: "sh",
    },
  ];
  return { envVar, endpoint, endpointWithKey, publicHttps, clients };
}
