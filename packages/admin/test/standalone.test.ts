import { createGate, MemoryStore, type Gate } from "@mcpgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN_PATTERN, issueAdminToken } from "../src/index.js";
import { call, MOUNTS, type Mount } from "./mounts.js";

describe("standalone mode (admin token)", () => {
  let gate: Gate;
  let mount: Mount;
  let token: string;
  beforeAll(async () => {
    const issued = await issueAdminToken();
    token = issued.token;
    expect(issued.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    gate = createGate({ store: new MemoryStore(), lastUsed: false });
    mount = await MOUNTS.node!({ gate, adminTokenHash: issued.hash });
  });
  afterAll(async () => {
    await mount.close();
    await gate.close();
  });

  it("issues tokens in the published format", () => {
    expect(token).toMatch(ADMIN_TOKEN_PATTERN);
  });

  it("sends pages to the sign-in form and refuses the API without a session", async () => {
    const page = await fetch(`${mount.url}/admin`, { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/admin/login");
    expect((await fetch(`${mount.url}/admin/login`)).status).toBe(200);
    expect((await call(mount.url, "GET", "/apps")).status).toBe(401);
  });

  it("exchanges the token for an HttpOnly, SameSite=Strict session cookie", async () => {
    const wrong = await call(mount.url, "POST", "/session", {
      body: { token: `mga_${"a".repeat(40)}` },
    });
    expect(wrong).toMatchObject({ status: 401, body: { error: "invalid_admin_token" } });
    const login = await call(mount.url, "POST", "/session", { body: { token } });
    expect(login.status).toBe(204);
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^mcpgate_admin=[A-Za-z0-9_-]{43}; Path=\/admin; Max-Age=28800; HttpOnly; SameSite=Strict$/,
    );
    expect(cookie).not.toContain(token);
    const session = cookie.split(";")[0]!;
    const created = await call(mount.url, "POST", "/apps", {
      body: { name: "self-hosted" },
      headers: { cookie: session },
    });
    expect(created.status).toBe(201);
    expect(created.body.app.ownerId).toBeNull();
    const logout = await call(mount.url, "DELETE", "/session", { headers: { cookie: session } });
    expect(logout.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect((await call(mount.url, "GET", "/apps", { headers: { cookie: session } })).status).toBe(
      401,
    );
  });

  it("accepts the token as a Bearer header for scripts", async () => {
    const listed = await call(mount.url, "GET", "/apps", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listed.status).toBe(200);
    const wrong = await call(mount.url, "GET", "/apps", {
      headers: { authorization: `Bearer mga_${"b".repeat(40)}` },
    });
    expect(wrong.status).toBe(401);
  });

  it("refuses a cross-origin sign-in (login CSRF)", async () => {
    const login = await call(mount.url, "POST", "/session", {
      body: { token },
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(login.status).toBe(403);
    expect(login.headers.get("set-cookie")).toBeNull();
  });
});
