/**
 * Laws of the capability policy: what a list shows is exactly what can be used, for every
 * capability and every policy; nothing hidden is announced; oversized or hostile URIs are refused
 * in bounded time.
 */
import type { App, AppPolicy } from "@mcpgate/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  filterResult,
  isResourceVisible,
  refusalFor,
  visibleNotification,
} from "../src/capability-policy.js";

const TOOLS = ["echo", "add", "ns/drop_tables", "a.b-c_d"];
const RESOURCES = ["note://a", "note://b", "file:///{name}", "db://{schema}/{table}"];
const PROMPTS = ["greet", "leak", "x/y"];

const allowList = (universe: string[]) =>
  fc.oneof(fc.constant("*" as const), fc.subarray(universe));

const policies = fc.record({
  tools: allowList(TOOLS),
  resources: allowList(RESOURCES),
  prompts: allowList(PROMPTS),
});

function appWith(policy: Pick<AppPolicy, "tools" | "resources" | "prompts">): App {
  return { id: "app_1", policy: { ...policy, scopes: [], rateLimit: null } } as unknown as App;
}

const listed = (result: Record<string, unknown>, field: string, key: string): string[] =>
  (result[field] as Record<string, string>[]).map((item) => item[key] as string);

describe("capability policy laws", () => {
  it("a list shows exactly what can be called, read or got", () => {
    fc.assert(
      fc.property(policies, (policy) => {
        const app = appWith(policy);
        const tools = listed(
          filterResult(app, "tools/list", { tools: TOOLS.map((name) => ({ name })) }),
          "tools",
          "name",
        );
        for (const name of TOOLS) {
          const callable = refusalFor(app, "tools/call", { name }) === undefined;
          expect(tools.includes(name)).toBe(callable);
        }
        const prompts = listed(
          filterResult(app, "prompts/list", { prompts: PROMPTS.map((name) => ({ name })) }),
          "prompts",
          "name",
        );
        for (const name of PROMPTS) {
          expect(prompts.includes(name)).toBe(
            refusalFor(app, "prompts/get", { name }) === undefined,
          );
          const completion = {
            ref: { type: "ref/prompt", name },
            argument: { name: "a", value: "" },
          };
          expect(prompts.includes(name)).toBe(
            refusalFor(app, "completion/complete", completion) === undefined,
          );
        }
        const exact = RESOURCES.filter((uri) => !uri.includes("{"));
        const resources = listed(
          filterResult(app, "resources/list", { resources: exact.map((uri) => ({ uri })) }),
          "resources",
          "uri",
        );
        for (const uri of exact) {
          const readable = refusalFor(app, "resources/read", { uri }) === undefined;
          expect(resources.includes(uri)).toBe(readable);
          const update = { method: "notifications/resources/updated", params: { uri } };
          expect(visibleNotification(app, update) !== undefined).toBe(readable);
        }
        const templates = RESOURCES.filter((uri) => uri.includes("{"));
        const shown = listed(
          filterResult(app, "resources/templates/list", {
            resourceTemplates: templates.map((uriTemplate) => ({ uriTemplate })),
          }),
          "resourceTemplates",
          "uriTemplate",
        );
        for (const template of templates) {
          const completion = {
            ref: { type: "ref/resource", uri: template },
            argument: { name: "name", value: "" },
          };
          expect(shown.includes(template)).toBe(
            refusalFor(app, "completion/complete", completion) === undefined,
          );
        }
      }),
    );
  });

  it("a URI is readable when listed or matched by a listed template, and never otherwise", () => {
    const segment = fc.stringMatching(/^[a-z0-9]{1,12}$/);
    fc.assert(
      fc.property(policies, segment, segment, (policy, a, b) => {
        const app = appWith(policy);
        const all = policy.resources === "*";
        const has = (entry: string) => all || (policy.resources as string[]).includes(entry);
        expect(isResourceVisible(app.policy, `file:///${a}`)).toBe(has("file:///{name}"));
        expect(isResourceVisible(app.policy, `db://${a}/${b}`)).toBe(has("db://{schema}/{table}"));
        expect(isResourceVisible(app.policy, `other://${a}`)).toBe(all);
      }),
    );
  });

  it("list changes never carry params; hostile input never throws", () => {
    fc.assert(
      fc.property(policies, fc.jsonValue(), fc.string(), (policy, params, method) => {
        const app = appWith(policy);
        for (const kind of ["tools", "resources", "prompts"]) {
          const method = `notifications/${kind}/list_changed`;
          expect(visibleNotification(app, { method, params })).toEqual({ jsonrpc: "2.0", method });
        }
        expect(() => refusalFor(app, method, params)).not.toThrow();
        expect(() => refusalFor(app, "completion/complete", params)).not.toThrow();
        expect(() => filterResult(app, "tools/list", { tools: params })).not.toThrow();
      }),
    );
  });

  it("matching a very long URI against templates stays bounded", () => {
    const app = appWith({ tools: [], resources: ["{+a}x{+b}y{+c}"], prompts: [] });
    const started = performance.now();
    expect(isResourceVisible(app.policy, "x".repeat(1_000_000))).toBe(false);
    expect(isResourceVisible(app.policy, `${"x".repeat(4000)}`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
