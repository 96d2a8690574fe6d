import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { clientSnippets, generateKey, type ClientSnippet } from "../src/index.js";

const key = generateKey();

function client(id: ClientSnippet["id"], url: string, appName = "Cursor Laptop"): ClientSnippet {
  const found = clientSnippets({ url, key, appName }).clients.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} snippet`);
  return found;
}

describe("clientSnippets", () => {
  it("names the env var and server after the app and keeps the key out of header-based configs", () => {
    const snippets = clientSnippets({
      url: "https://mcp.example.com/mcp/",
      key,
      appName: "Cursor Laptop",
    });
    expect(snippets.envVar).toBe("MCPGATE_KEY_CURSOR_LAPTOP");
    expect(snippets.endpoint).toBe("https://mcp.example.com/mcp");
    expect(snippets.endpointWithKey).toBe(`https://mcp.example.com/mcp/${key}`);
    const cursor = JSON.parse(client("cursor", snippets.endpoint).code ?? "") as unknown;
    expect(cursor).toEqual({
      mcpServers: {
        "cursor-laptop": {
          url: "https://mcp.example.com/mcp",
          headers: { Authorization: "Bearer ${env:MCPGATE_KEY_CURSOR_LAPTOP}" },
        },
      },
    });
    for (const id of ["cursor", "claude-code", "curl"] as const)
      expect(client(id, snippets.endpoint).code).not.toContain(key.slice(4));
  });

  it("offers a Claude custom connector only for a public HTTPS endpoint (it is called from Anthropic's cloud)", () => {
    expect(client("claude-connector", "https://mcp.example.com/mcp").code).toBe(
      `https://mcp.example.com/mcp/${key}`,
    );
    for (const url of [
      "http://127.0.0.1:3000/mcp",
      "http://mcp.example.com/mcp",
      "https://localhost:8443/mcp",
      "https://10.1.2.3/mcp",
      "https://192.168.1.20/mcp",
      "https://box.local/mcp",
    ]) {
      const connector = client("claude-connector", url);
      expect(connector.code, url).toBeUndefined();
      expect(connector.note).toMatch(/public HTTPS URL/);
      expect(connector.note).toMatch(/mcp-remote/);
    }
  });

  it("mcp-remote: header through AUTH_HEADER (no space in args), http-only, --allow-http only off loopback", () => {
    const local = JSON.parse(client("mcp-remote", "http://127.0.0.1:3000/mcp").code ?? "") as {
      mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
    };
    const entry = local.mcpServers["cursor-laptop"];
    expect(entry).toEqual({
      command: "npx",
      args: [
        "-y",
        "mcp-remote",
        "http://127.0.0.1:3000/mcp",
        "--transport",
        "http-only",
        "--header",
        "Authorization:${AUTH_HEADER}",
      ],
      env: { AUTH_HEADER: `Bearer ${key}` },
    });
    expect(entry?.args.every((arg) => !arg.includes(" "))).toBe(true);
    expect(client("mcp-remote", "http://10.0.0.5:3000/mcp").code).toContain('"--allow-http"');
    expect(client("mcp-remote", "https://mcp.example.com/mcp").code).not.toContain("--allow-http");
  });

  it("shell snippets quote the endpoint so nothing in it expands", () => {
    const curl = client("curl", "https://h.example/a$b'c/mcp").code ?? "";
    const echoed = execFileSync("sh", [
      "-c",
      `set -- ${curl.slice("curl -sS ".length, curl.indexOf(" -H"))}; printf %s "$1"`,
    ]);
    expect(echoed.toString()).toBe("https://h.example/a$b'c/mcp");
    expect(client("claude-code", "https://mcp.example.com/mcp").code).toBe(
      `claude mcp add --transport http cursor-laptop 'https://mcp.example.com/mcp' --header "Authorization: Bearer $MCPGATE_KEY_CURSOR_LAPTOP"`,
    );
  });

  it.each([
    ["ftp://h/mcp", key],
    ["not a url", key],
    ["https://user:pw@h/mcp", key],
    ["https://h/mcp?x=1", key],
    ["https://h/mcp", "mgw_short"],
  ])("rejects url %s / a malformed key with a TypeError", (url, badKey) => {
    expect(() => clientSnippets({ url, key: badKey, appName: "x" })).toThrow(TypeError);
  });
});
