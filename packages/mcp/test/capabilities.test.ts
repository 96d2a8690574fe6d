/**
 * The app's policy covers every capability (issue #10, item 5): resources (by URI or template),
 * resource templates, prompts and completions are filtered and refused like tools, notifications
 * leak no names, and a policy change tells open sessions to refresh their lists.
 */
import { createGate, MemoryStore, type CreateAppInput } from "@mcpgate/core";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capabilitiesServer, createRuns } from "./capabilities-server.js";
import { connectClient, startServer, type Harness } from "./helpers.js";

const POLICY: Omit<CreateAppInput, "name"> = {
  tools: ["echo", "notify"],
  resources: ["note://public", "file:///{name}"],
  prompts: ["greet"],
};

const names = (items: { name?: string; uri?: string; uriTemplate?: string }[]) =>
  items.map((item) => item.name ?? item.uri ?? item.uriTemplate).sort();

describe.each(["stateful", "stateless"] as const)("%s: policy over every capability", (mode) => {
  let h: Harness;
  const runs = createRuns();
  let client: Client;

  beforeAll(async () => {
    h = await startServer({ mode, server: capabilitiesServer(runs) });
    const { key } = await h.gate.createApp({ name: "scoped", ...POLICY });
    client = await connectClient(h.origin, key);
  });
  afterAll(async () => {
    await client.close();
    await h.close();
  });

  it("lists only what the policy allows", async () => {
    expect(names((await client.listTools()).tools)).toEqual(["echo", "notify"]);
    expect(names((await client.listResources()).resources)).toEqual(["note://public"]);
    expect(names((await client.listResourceTemplates()).resourceTemplates)).toEqual([
      "file:///{name}",
    ]);
    expect(names((await client.listPrompts()).prompts)).toEqual(["greet"]);
  });

  it("reads allowed resources by URI and by template, refuses the rest before any handler", async () => {
    await expect(client.readResource({ uri: "note://public" })).resolves.toMatchObject({
      contents: [{ text: "note://public" }],
    });
    await expect(client.readResource({ uri: "file:///readme" })).resolves.toMatchObject({
      contents: [{ text: "file:///{name}" }],
    });
    for (const uri of ["note://secret", "vault://x", `file:///${"a/".repeat(3000)}`]) {
      await expect(client.readResource({ uri })).rejects.toMatchObject({
        code: -32602,
        data: { error: "resource_not_allowed" },
      });
    }
    expect(runs.total("resource:note://secret")).toBe(0);
    expect(runs.total("resource:vault://")).toBe(0);
  });

  it("gets allowed prompts only", async () => {
    await expect(
      client.getPrompt({ name: "greet", arguments: { who: "a" } }),
    ).resolves.toBeTruthy();
    await expect(client.getPrompt({ name: "leak", arguments: { who: "a" } })).rejects.toMatchObject(
      { code: -32602, data: { error: "prompt_not_allowed" } },
    );
    expect(runs.total("prompt:leak")).toBe(0);
  });

  it("completes arguments of allowed prompts and templates only", async () => {
    const argument = { name: "who", value: "" };
    await expect(
      client.complete({ ref: { type: "ref/prompt", name: "greet" }, argument }),
    ).resolves.toMatchObject({ completion: { values: ["greet-completion"] } });
    await expect(
      client.complete({
        ref: { type: "ref/resource", uri: "file:///{name}" },
        argument: { name: "name", value: "" },
      }),
    ).resolves.toMatchObject({ completion: { values: ["file:///{name}-completion"] } });
    await expect(
      client.complete({ ref: { type: "ref/prompt", name: "leak" }, argument }),
    ).rejects.toMatchObject({ data: { error: "prompt_not_allowed" } });
    await expect(
      client.complete({
        ref: { type: "ref/resource", uri: "vault://{name}" },
        argument: { name: "name", value: "" },
      }),
    ).rejects.toMatchObject({ data: { error: "resource_not_allowed" } });
    expect(runs.total("complete:leak")).toBe(0);
    expect(runs.total("complete:vault://")).toBe(0);
  });

  it("drops updates of hidden resources and strips names from list changes", async () => {
    const updated: string[] = [];
    const listChanges: unknown[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, (n) => {
      listChanges.push(n);
    });
    await client.callTool({ name: "notify", arguments: {} });
    expect(updated).toEqual(["note://public"]);
    expect(listChanges).toEqual([{ method: "notifications/tools/list_changed" }]);
  });
});

describe("fail closed and wildcards", () => {
  let h: Harness;
  const runs = createRuns();
  beforeAll(async () => {
    h = await startServer({ mode: "stateless", server: capabilitiesServer(runs) });
  });
  afterAll(async () => {
    await h.close();
  });

  it("an app without resources or prompts in its policy sees none", async () => {
    const { key } = await h.gate.createApp({ name: "tools-only", tools: ["echo"] });
    const client = await connectClient(h.origin, key);
    expect((await client.listResources()).resources).toEqual([]);
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([]);
    expect((await client.listPrompts()).prompts).toEqual([]);
    await expect(client.readResource({ uri: "note://public" })).rejects.toMatchObject({
      code: -32602,
    });
    await client.close();
  });

  it('"*" shows everything the server registered', async () => {
    const { key } = await h.gate.createApp({
      name: "all",
      tools: "*",
      resources: "*",
      prompts: "*",
    });
    const client = await connectClient(h.origin, key);
    expect(names((await client.listResources()).resources)).toEqual([
      "note://public",
      "note://secret",
    ]);
    expect(names((await client.listPrompts()).prompts)).toEqual(["greet", "leak"]);
    await expect(client.readResource({ uri: "vault://x" })).resolves.toBeTruthy();
    await client.close();
  });
});

describe("a policy change reaches open sessions", () => {
  it("gate.updateApp and the store's change feed send list_changed for each capability", async () => {
    const store = new MemoryStore();
    const gate = createGate({ store, lastUsed: false });
    const admin = createGate({ store, lastUsed: false }); // another instance, via the change feed
    const h = await startServer({
      mode: "stateful",
      gate,
      server: capabilitiesServer(createRuns()),
    });
    const { app, key } = await gate.createApp({ name: "watched", ...POLICY });
    const client = await connectClient(h.origin, key);
    const seen: string[] = [];
    let notified: () => void = () => {};
    for (const schema of [
      ToolListChangedNotificationSchema,
      ResourceListChangedNotificationSchema,
      PromptListChangedNotificationSchema,
    ]) {
      client.setNotificationHandler(schema, (n) => {
        seen.push(n.method);
        notified();
      });
    }
    const waitFor = (count: number) =>
      new Promise<void>((resolve) => {
        notified = () => seen.length >= count && resolve();
        notified();
      });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the client's GET stream is open

    await gate.updateApp(app.id, { tools: ["echo"] });
    await waitFor(3);
    expect([...seen].sort()).toEqual([
      "notifications/prompts/list_changed",
      "notifications/resources/list_changed",
      "notifications/tools/list_changed",
    ]);
    expect(names((await client.listTools()).tools)).toEqual(["echo"]);

    seen.length = 0;
    await admin.updateApp(app.id, { prompts: [] });
    await waitFor(3);
    expect((await client.listPrompts()).prompts).toEqual([]);

    await client.close();
    await h.close();
    await admin.close();
  });
});

describe("server-initiated resource updates after a policy change", () => {
  it("an update of a resource the new policy hides is not delivered", async () => {
    const servers: McpServer[] = [];
    const build = capabilitiesServer(createRuns());
    const h = await startServer({
      mode: "stateful",
      server: (app) => {
        const server = build(app);
        servers.push(server);
        return server;
      },
    });
    const { app, key } = await h.gate.createApp({ name: "updates", ...POLICY });
    const client = await connectClient(h.origin, key);
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    await client.listResources(); // a request: the session knows its app's policy
    await new Promise((resolve) => setTimeout(resolve, 200)); // the GET stream is open
    const server = servers[0] as McpServer;
    await server.server.sendResourceUpdated({ uri: "note://public" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(updated).toEqual(["note://public"]);

    await h.gate.updateApp(app.id, { resources: [] });
    await server.server.sendResourceUpdated({ uri: "note://public" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(updated).toEqual(["note://public"]);
    await client.close();
    await h.close();
  });
});
