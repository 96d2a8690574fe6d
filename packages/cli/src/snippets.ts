/**
 * The human-readable "shown once" block printed after `apps create` and `apps regenerate`. The
 * snippets themselves come from core (`clientSnippets`), shared with the admin dashboard.
 */
import type { App, ClientSnippets } from "@mcpgate/core";

function indent(text: string): string {
  return text.replace(/^/gm, "    ");
}

/** The key, then one paragraph per client: title, note, and what to paste. */
export function describeNewKey(app: App, key: string, snippets: ClientSnippets): string {
  const lines = [
    "",
    "  API key — shown ONCE; it is not stored and cannot be recovered. Put it in your client's",
    "  secret store (or a password manager) now:",
    "",
    `    ${key}`,
  ];
  for (const client of snippets.clients) {
    lines.push("", `${client.title}:`, indent(client.note));
    if (client.code !== undefined) lines.push("", indent(client.code));
  }
  lines.push(
    "",
    `Rotate this key every 90 days or at once if it leaks: mcpgate apps regenerate ${app.id}`,
  );
  return lines.join("\n");
}
