/**
 * A server factory that registers every kind of capability (tools, resources, resource templates,
 * prompts, completions) and counts each handler run, so tests can prove a refused message never
 * reached a handler.
 */
import type { App } from "@mcpgate/core";
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

export interface Runs {
  /** Handler runs by `kind:name`, e.g. `tool:echo`, `resource:note://public`, `prompt:greet`. */
  counts: Map<string, number>;
  total(prefix?: string): number;
}

export function createRuns(): Runs {
  const counts = new Map<string, number>();
  return {
    counts,
    total: (prefix = "") =>
      [...counts].filter(([k]) => k.startsWith(prefix)).reduce((sum, [, n]) => sum + n, 0),
  };
}

const count = (runs: Runs, key: string): void => {
  runs.counts.set(key, (runs.counts.get(key) ?? 0) + 1);
};

/** A factory with tools `echo`/`secret`/`notify`, resources `note://public`/`note://secret`, templates
 *  `file:///{name}`/`vault://{name}`, prompts `greet`/`leak` (with completable arguments). */
export function capabilitiesServer(
  runs: Runs,
  options: { beforeTool?: () => Promise<void> } = {},
): (app: App) => McpServer {
  return () => {
    const server = new McpServer({ name: "capabilities", version: "1.0.0" });
    for (const name of ["echo", "secret"]) {
      server.registerTool(name, { inputSchema: { text: z.string().optional() } }, async () => {
        await options.beforeTool?.();
        count(runs, `tool:${name}`);
        return { content: [{ type: "text", text: name }] };
      });
    }
    // Sends what a server might: updates of a visible and a hidden resource, a list change with names.
    server.registerTool("notify", {}, async (extra) => {
      for (const uri of ["note://secret", "note://public"]) {
        await extra.sendNotification({
          method: "notifications/resources/updated",
          params: { uri },
        });
      }
      await extra.sendNotification({
        method: "notifications/tools/list_changed",
        params: { added: ["secret"] },
      } as never);
      return { content: [{ type: "text", text: "notified" }] };
    });
    for (const uri of ["note://public", "note://secret"]) {
      server.registerResource(uri, uri, {}, () => {
        count(runs, `resource:${uri}`);
        return { contents: [{ uri, text: uri }] };
      });
    }
    for (const template of ["file:///{name}", "vault://{name}"]) {
      server.registerResource(
        template,
        new ResourceTemplate(template, {
          list: undefined,
          complete: {
            name: () => {
              count(runs, `complete:${template}`);
              return [`${template}-completion`];
            },
          },
        }),
        {},
        (uri) => {
          count(runs, `resource:${template}`);
          return { contents: [{ uri: uri.href, text: template }] };
        },
      );
    }
    for (const name of ["greet", "leak"]) {
      server.registerPrompt(
        name,
        {
          argsSchema: {
            who: completable(z.string(), () => {
              count(runs, `complete:${name}`);
              return [`${name}-completion`];
            }),
          },
        },
        ({ who }) => {
          count(runs, `prompt:${name}`);
          return {
            messages: [{ role: "user", content: { type: "text", text: `${name} ${who}` } }],
          };
        },
      );
    }
    return server;
  };
}
