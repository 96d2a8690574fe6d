import { createGate, isKey, KEY_PATTERN, MemoryStore, type Gate } from "@mcpgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, MOUNTS, ownerFromHeader, type Mount } from "./mounts.js";

describe.each(Object.keys(MOUNTS))("admin API on %s", (mountName) => {
  let gate: Gate;
  let mount: Mount;
  let base: string;
  beforeAll(async () => {
    gate = createGate({ store: new MemoryStore(), lastUsed: false });
    mount = await MOUNTS[mountName]!({
      gate,
      owner: ownerFromHeader,
      mcpUrl: "http://127.0.0.1:3000/mcp",
    });
    base = mount.url;
  });
  afterAll(async () => {
    await mount.close();
    await gate.close();
  });

  it("leaves paths outside the mount to the host", async () => {
    const response = await fetch(`${base}/hello`);
    expect(await response.text()).toBe("hello");
  });

  it("create → show → rename → edit policy → regenerate → delete, the key only where issued", async () => {
    const created = await call(base, "POST", "/apps", {
      owner: "alice",
      body: { name: "claude-desktop", tools: ["search"], prompts: ["summarise"] },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    expect(created.body.key).toMatch(KEY_PATTERN);
    const id: string = created.body.app.id;
    const key: string = created.body.key;
    expect(created.body.app).toMatchObject({
      name: "claude-desktop",
      ownerId: "alice",
      keyPreview: `mgw_${key.slice(4, 12)}…`,
      keyAgeDays: 0,
      rotationDue: false,
      keyExpiresAt: null,
      keyExpired: false,
      policy: { tools: ["search"], resources: [], prompts: ["summarise"], scopes: [] },
    });
    expect(created.body.snippets.endpointWithKey).toBe(`http://127.0.0.1:3000/mcp/${key}`);
    expect(created.body.snippets.clients.map((c: { id: string }) => c.id)).toContain("cursor");
    expect((await gate.authenticate(key)).id).toBe(id);

    const shown = await call(base, "GET", `/apps/${id}`, { owner: "alice" });
    expect(shown.status).toBe(200);
    expect(JSON.stringify(shown.body)).not.toContain(key.slice(12));

    const renamed = await call(base, "PATCH", `/apps/${id}`, {
      owner: "alice",
      body: { name: "cursor" },
    });
    expect(renamed.body.app.name).toBe("cursor");

    const edited = await call(base, "PATCH", `/apps/${id}`, {
      owner: "alice",
      body: {
        tools: "*",
        resources: ["file:///docs/{name}"],
        rateLimit: { requests: 5, windowSeconds: 60 },
      },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.app.policy).toEqual({
      tools: "*",
      resources: ["file:///docs/{name}"],
      prompts: ["summarise"],
      scopes: [],
      rateLimit: { requests: 5, windowSeconds: 60 },
    });

    const regenerated = await call(base, "POST", `/apps/${id}/regenerate`, { owner: "alice" });
    expect(regenerated.status).toBe(200);
    expect(regenerated.headers.get("cache-control")).toBe("no-store");
    expect(isKey(regenerated.body.key)).toBe(true);
    expect(regenerated.body.app.keyGeneration).toBe(2);
    await expect(gate.authenticate(key)).rejects.toMatchObject({ code: "invalid_key" });
    expect((await gate.authenticate(regenerated.body.key)).id).toBe(id);

    const listed = await call(base, "GET", "/apps", { owner: "alice" });
    expect(JSON.stringify(listed.body)).not.toContain(regenerated.body.key.slice(12));

    expect((await call(base, "DELETE", `/apps/${id}`, { owner: "alice" })).status).toBe(204);
    await expect(gate.authenticate(regenerated.body.key)).rejects.toMatchObject({
      code: "invalid_key",
    });
    const gone = await call(base, "GET", `/apps/${id}`, { owner: "alice" });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: "app_not_found", message: "No such app." });
  });

  it("an owner cannot see or change another owner's app: it answers exactly like a missing one", async () => {
    const bob = await call(base, "POST", "/apps", { owner: "bob", body: { name: "bob-app" } });
    const id: string = bob.body.app.id;
    const missing = await call(base, "GET", "/apps/app_doesNotExist0000000", { owner: "carol" });
    for (const [method, path, body] of [
      ["GET", `/apps/${id}`, undefined],
      ["PATCH", `/apps/${id}`, { name: "stolen" }],
      ["POST", `/apps/${id}/regenerate`, undefined],
      ["DELETE", `/apps/${id}`, undefined],
    ] as const) {
      const answer = await call(base, method, path, { owner: "carol", body });
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: missing.status,
        body: missing.body,
      });
    }
    const carolsList = await call(base, "GET", "/apps", { owner: "carol" });
    expect(carolsList.body).toEqual({ apps: [], nextCursor: null });
    // A cursor is only a position: one built from bob's app still lists only carol's apps.
    const forged = Buffer.from(JSON.stringify([0, id])).toString("base64url");
    const cursor = await call(base, "GET", `/apps?cursor=${forged}`, { owner: "carol" });
    expect(cursor.body).toEqual({ apps: [], nextCursor: null });
    expect((await gate.getApp(id)).name).toBe("bob-app");
    expect((await gate.getApp(id)).keyGeneration).toBe(1);
  });

  it("denies a request the owner hook does not accept", async () => {
    const denied = await call(base, "GET", "/apps");
    expect(denied.status).toBe(401);
    expect(denied.body.error).toBe("unauthorized");
    const page = await fetch(`${base}/admin`);
    expect(page.status).toBe(401);
  });

  it("pages through an owner's apps, oldest first", async () => {
    const names = ["p1", "p2", "p3"];
    for (const name of names) await call(base, "POST", "/apps", { owner: "pager", body: { name } });
    const first = await call(base, "GET", "/apps?limit=2", { owner: "pager" });
    expect(first.body.apps.map((app: { name: string }) => app.name)).toEqual(["p1", "p2"]);
    const second = await call(base, "GET", `/apps?limit=2&cursor=${first.body.nextCursor}`, {
      owner: "pager",
    });
    expect(second.body.apps.map((app: { name: string }) => app.name)).toEqual(["p3"]);
    expect(second.body.nextCursor).toBeNull();
    expect((await call(base, "GET", "/apps?limit=1000", { owner: "pager" })).status).toBe(400);
    const garbage = await call(base, "GET", "/apps?cursor=not-a-cursor", { owner: "pager" });
    expect(garbage).toMatchObject({ status: 400, body: { error: "invalid_cursor" } });
  });

  it("refuses invalid input with core's field messages, and fields a client may not set", async () => {
    const invalid = await call(base, "POST", "/apps", {
      owner: "alice",
      body: { name: "x", tools: ["bad tool name"] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toBe("invalid_request");
    expect(invalid.body.issues.join()).toMatch(/tools/);
    for (const body of [
      { name: "x", ownerId: "bob" },
      { name: "x", metadata: {} },
    ]) {
      const refused = await call(base, "POST", "/apps", { owner: "alice", body });
      expect(refused.status).toBe(400);
    }
    const notJson = await fetch(`${base}/admin/api/apps`, {
      method: "POST",
      headers: { "x-test-owner": "alice", "x-mcpgate-admin": "1", "content-type": "text/plain" },
      body: "{}",
    });
    expect(notJson.status).toBe(415);
    const broken = await fetch(`${base}/admin/api/apps`, {
      method: "POST",
      headers: {
        "x-test-owner": "alice",
        "x-mcpgate-admin": "1",
        "content-type": "application/json",
      },
      body: '{"name": ',
    });
    expect(broken.status).toBe(400);
    // Express's own express.json(), mounted before the admin here, answers that one itself.
    if (mountName !== "express") {
      expect(((await broken.json()) as { error: string }).error).toBe("invalid_json");
    }
  });

  it("issues keys with an expiry (expiresInDays or expiresAt); regenerate keeps the lifetime unless told", async () => {
    const DAY = 86_400_000;
    const before = Date.now();
    const created = await call(base, "POST", "/apps", {
      owner: "dora",
      body: { name: "ci-bot", expiresInDays: 30 },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.app.id;
    const lifetime = (app: { keyIssuedAt: string; keyExpiresAt: string }) =>
      Date.parse(app.keyExpiresAt) - Date.parse(app.keyIssuedAt);
    expect(lifetime(created.body.app)).toBe(30 * DAY);
    expect(Date.parse(created.body.app.keyExpiresAt)).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(created.body.app).toMatchObject({ keyExpired: false, keyExpiresSoon: false });
    expect((await gate.authenticate(created.body.key)).keyExpiresAt).toEqual(
      new Date(created.body.app.keyExpiresAt),
    );

    // No expiry in the body (or no body at all): the new key lives as long as the old one.
    const kept = await call(base, "POST", `/apps/${id}/regenerate`, { owner: "dora", body: {} });
    expect(kept.status).toBe(200);
    expect(lifetime(kept.body.app)).toBe(30 * DAY);
    const keptAgain = await call(base, "POST", `/apps/${id}/regenerate`, { owner: "dora" });
    expect(lifetime(keptAgain.body.app)).toBe(30 * DAY);

    const soon = await call(base, "POST", `/apps/${id}/regenerate`, {
      owner: "dora",
      body: { expiresInDays: 7 },
    });
    expect(lifetime(soon.body.app)).toBe(7 * DAY);
    expect(soon.body.app).toMatchObject({ keyExpired: false, keyExpiresSoon: true });

    const at = "2099-01-31T12:00:00+01:00";
    const dated = await call(base, "POST", `/apps/${id}/regenerate`, {
      owner: "dora",
      body: { expiresAt: at },
    });
    expect(dated.body.app.keyExpiresAt).toBe("2099-01-31T11:00:00.000Z");

    const never = await call(base, "POST", `/apps/${id}/regenerate`, {
      owner: "dora",
      body: { expiresAt: null },
    });
    expect(never.body.app).toMatchObject({ keyExpiresAt: null, keyExpiresSoon: false });
    expect(never.body.app.keyGeneration).toBe(6);

    const createdAt = await call(base, "POST", "/apps", {
      owner: "dora",
      body: { name: "dated", expiresAt: "2099-06-01T00:00:00Z" },
    });
    expect(createdAt.body.app.keyExpiresAt).toBe("2099-06-01T00:00:00.000Z");
  });

  it("refuses a bad expiry with 400 invalid_request naming the field, and changes nothing", async () => {
    const { body } = await call(base, "POST", "/apps", {
      owner: "erin",
      body: { name: "steady", expiresInDays: 90 },
    });
    const id: string = body.app.id;
    const bad: unknown[] = [
      { expiresInDays: 0 },
      { expiresInDays: -1 },
      { expiresInDays: 36_501 },
      { expiresInDays: "30" },
      { expiresInDays: null },
      { expiresAt: "2000-01-01T00:00:00Z" }, // past
      { expiresAt: new Date(Date.now() - 1000).toISOString() },
      { expiresAt: "2099-01-01" }, // no time, no offset: which midnight?
      { expiresAt: "2099-01-01T00:00:00" },
      { expiresAt: "2099-02-30T00:00:00Z" },
      { expiresAt: "tomorrow" },
      { expiresAt: 4_102_444_800_000 },
      { expiresAt: "2099-01-01T00:00:00Z", expiresInDays: 30 }, // both
    ];
    for (const expiry of bad) {
      const label = JSON.stringify(expiry);
      const regenerated = await call(base, "POST", `/apps/${id}/regenerate`, {
        owner: "erin",
        body: expiry,
      });
      expect({ status: regenerated.status, error: regenerated.body.error }, label).toEqual({
        status: 400,
        error: "invalid_request",
      });
      expect(regenerated.body.issues.join(), label).toMatch(/expires(InDays|At)/);
      expect(regenerated.body.key, label).toBeUndefined();
      const created = await call(base, "POST", "/apps", {
        owner: "erin",
        body: { name: "never-made", ...(expiry as object) },
      });
      expect({ status: created.status, error: created.body.error }, label).toEqual({
        status: 400,
        error: "invalid_request",
      });
      expect(created.body.issues.join(), label).toMatch(/expires(InDays|At)/);
    }
    const unknownField = await call(base, "POST", `/apps/${id}/regenerate`, {
      owner: "erin",
      body: { expiresInDays: 30, name: "renamed" },
    });
    expect(unknownField).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    const patched = await call(base, "PATCH", `/apps/${id}`, {
      owner: "erin",
      body: { expiresInDays: 30 },
    });
    expect(patched).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    expect(patched.body.message).toMatch(/regenerate/);

    const record = await gate.getApp(id);
    expect(record.keyGeneration).toBe(1);
    expect(record.keyExpiresAt?.toISOString()).toBe(body.app.keyExpiresAt);
    const listed = await call(base, "GET", "/apps", { owner: "erin" });
    expect(listed.body.apps.map((app: { name: string }) => app.name)).toEqual(["steady"]);
  });

  it("refuses a cross-origin form post and requests without the CSRF header", async () => {
    const before = (await call(base, "GET", "/apps", { owner: "alice" })).body.apps.length;
    const form = await fetch(`${base}/admin/api/apps`, {
      method: "POST",
      headers: {
        "x-test-owner": "alice",
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
      },
      body: "name=pwned",
    });
    expect(form.status).toBe(403);
    expect(((await form.json()) as { error: string }).error).toBe("cross_origin_request");
    const sameSiteOtherOrigin = await call(base, "POST", "/apps", {
      owner: "alice",
      body: { name: "pwned" },
      headers: { origin: "http://localhost:1" },
    });
    expect(sameSiteOtherOrigin.status).toBe(403);
    const noHeader = await fetch(`${base}/admin/api/apps`, {
      method: "POST",
      headers: { "x-test-owner": "alice", "content-type": "application/json" },
      body: JSON.stringify({ name: "pwned" }),
    });
    expect(noHeader.status).toBe(403);
    expect(((await noHeader.json()) as { error: string }).error).toBe("csrf_header_required");
    const sameOrigin = await call(base, "POST", "/apps", {
      owner: "alice",
      body: { name: "fine" },
      headers: { origin: base, "sec-fetch-site": "same-origin" },
    });
    expect(sameOrigin.status).toBe(201);
    const after = (await call(base, "GET", "/apps", { owner: "alice" })).body.apps;
    expect(after.length).toBe(before + 1);
    expect(after.map((app: { name: string }) => app.name)).not.toContain("pwned");
  });

  it("serves pages and assets with a strict CSP and no inline script or style", async () => {
    const page = await fetch(`${base}/admin`, { headers: { "x-test-owner": "alice" } });
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const text = await page.text();
    expect(text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    expect(text).not.toMatch(/https?:\/\//);
    const script = await fetch(`${base}/admin/assets/dashboard.js`);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("x-mcpgate-admin");
  });

  it("answers unknown routes and bad methods with coded JSON errors, never a stack", async () => {
    const unknown = await call(base, "GET", "/nope", { owner: "alice" });
    expect(unknown).toMatchObject({ status: 404, body: { error: "not_found" } });
    const method = await call(base, "PUT", "/apps", { owner: "alice", body: {} });
    expect(method.status).toBe(405);
    const traversal = await fetch(`${base}/admin/api/apps/..%2f..%2fx`, {
      headers: { "x-test-owner": "alice" },
    });
    expect(traversal.status).toBe(404);
    expect(await traversal.text()).not.toMatch(/at .*\.ts:\d+/);
  });
});
