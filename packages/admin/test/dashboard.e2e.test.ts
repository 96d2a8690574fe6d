/**
 * The dashboard as a person uses it, in Debian's chromium through playwright-core: create an app,
 * copy the shown-once key, check it is gone everywhere once the dialog closes, use it on the MCP
 * endpoint, regenerate, delete; owner isolation; a cross-origin form post; an axe scan of every
 * page. MCPGATE_SCREENSHOTS=1 writes docs/images/dashboard-*.png.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEvilSite, startHost, type Host } from "./e2e-server.js";

const CHROMIUM = process.env.MCPGATE_CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOTS = process.env.MCPGATE_SCREENSHOTS === "1";
const images = join(import.meta.dirname, "..", "..", "..", "docs", "images");
const KEY = /^mgw_[A-Za-z0-9]{32}$/;

let browser: Browser;
let host: Host;

async function ownerContext(owner: string, timezoneId?: string): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 800 },
    ...(timezoneId ? { timezoneId } : {}),
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: host.url });
  await context.addCookies([{ name: "demo_owner", value: owner, url: host.url }]);
  return context;
}

async function expectAccessible(page: Page, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    what,
  ).toEqual([]);
}

async function screenshot(page: Page, name: string, mask: string[] = []): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(images, { recursive: true });
  await page.screenshot({
    path: join(images, `dashboard-${name}.png`),
    mask: mask.map((selector) => page.locator(selector)),
  });
}

async function mcpTools(key: string): Promise<string[]> {
  const client = new Client({ name: "e2e", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${host.url}/mcp/${key}`)));
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

async function mcpStatus(key: string): Promise<number> {
  const response = await fetch(`${host.url}/mcp`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  await response.body?.cancel();
  return response.status;
}

/** Everything the browser keeps for the page: DOM, both storages, cookies. */
async function browserState(page: Page): Promise<string> {
  // Expressions as strings: the tests are type-checked without the DOM library.
  const storage = await page.evaluate<string>(
    "JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, url: location.href })",
  );
  const cookies = JSON.stringify(await page.context().cookies());
  return `${await page.content()}\n${storage}\n${cookies}`;
}

describe("dashboard in a real browser", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    host = await startHost();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  it("create → copy the shown-once key → gone everywhere → works → regenerate → delete", async () => {
    const context = await ownerContext("alice");
    const page = await context.newPage();
    await host.gate.createApp({ name: "cursor-bob", ownerId: "bob", tools: ["forecast"] });
    await host.gate.createApp({ name: "claude-desktop", ownerId: "alice", tools: ["forecast"] });

    await host.createOldApp("legacy-bot", "alice", 120);
    await page.goto(`${host.url}/admin`);
    await expect(page.getByRole("heading", { name: "Apps" }).isVisible()).resolves.toBe(true);
    const legacy = page.getByRole("row", { name: /legacy-bot/ });
    await expect(legacy.getByText("120 days").isVisible()).resolves.toBe(true);
    await expect(legacy.getByText("Rotation due").isVisible()).resolves.toBe(true);
    await expect(
      page
        .getByRole("row", { name: /claude-desktop/ })
        .getByText("Rotation due")
        .count(),
    ).resolves.toBe(0);
    await expectAccessible(page, "apps list");
    await page.getByRole("link", { name: "Create app" }).click();
    await expectAccessible(page, "create form");
    await page.getByLabel("Name").fill("weather-bot");
    await page.getByLabel("Tools").fill("forecast");
    await page.getByRole("button", { name: "Create app and key" }).click();

    const dialog = page.getByRole("dialog", { name: "Your new API key" });
    await dialog.waitFor();
    const key = (await dialog.locator("#key-value").textContent()) ?? "";
    expect(key).toMatch(KEY);
    await expect(dialog.getByText("Copy immediately").isVisible()).resolves.toBe(true);
    await expect(dialog.getByRole("heading", { name: /^Cursor/ }).isVisible()).resolves.toBe(true);
    await expect(dialog.getByText(`"AUTH_HEADER": "Bearer ${key}"`).isVisible()).resolves.toBe(
      true,
    );
    await expectAccessible(page, "shown-once dialog");
    await screenshot(page, "shown-once", ["#key-value", `[data-snippets] pre:has-text("mgw_")`]);

    await dialog.getByRole("button", { name: "Copy key" }).click();
    await dialog.getByText("Copied to the clipboard.").waitFor();
    const copied = await page.evaluate<string>("navigator.clipboard.readText()");
    expect(copied).toBe(key);
    await page.evaluate("navigator.clipboard.writeText('')"); // the browser's clipboard is not the app's

    await dialog.getByRole("button", { name: /I have copied the key/ }).click();
    await page.waitForURL(/\/admin\/apps\/app_/);
    const appUrl = page.url();
    expect(await browserState(page)).not.toContain(key);
    await page.reload();
    expect(await browserState(page)).not.toContain(key);
    await page.getByRole("link", { name: "All apps" }).click();
    await page.waitForURL(`${host.url}/admin/`);
    expect(await browserState(page)).not.toContain(key);
    await expect(page.getByRole("link", { name: "cursor-bob" }).count()).resolves.toBe(0);
    await screenshot(page, "list");
    // Walk back through the whole history: no entry holds the key (the create page was replaced).
    const visited: string[] = [];
    while ((await page.goBack()) !== null) {
      visited.push(page.url());
      expect(await browserState(page)).not.toContain(key);
    }
    expect(visited.join()).not.toContain(key);
    expect(visited.join()).not.toContain("/admin/new");

    expect(await mcpTools(copied)).toEqual(["forecast"]);

    await page.goto(appUrl);
    await expectAccessible(page, "app settings");
    await page.getByRole("button", { name: "Regenerate key…" }).click();
    const confirm = page.getByRole("dialog", { name: /Regenerate the key of/ });
    await confirm.waitFor();
    await expect(confirm.getByText("Every client using the old key").innerText()).resolves.toMatch(
      /stops working immediately/,
    );
    await expectAccessible(page, "regenerate confirmation");
    await screenshot(page, "regenerate-confirmation");
    await confirm.getByRole("button", { name: "Regenerate key" }).click();
    await dialog.waitFor();
    const newKey = (await dialog.locator("#key-value").textContent()) ?? "";
    expect(newKey).toMatch(KEY);
    expect(newKey).not.toBe(key);
    expect(await mcpStatus(key)).toBe(401);
    expect(await mcpTools(newKey)).toEqual(["forecast"]);
    await page.keyboard.press("Escape"); // closing by keyboard empties it the same way
    await page.waitForLoadState();
    await page.waitForFunction("!document.querySelector('dialog[open]')");
    expect(await browserState(page)).not.toContain(newKey);

    // Delete, by keyboard only: the confirmation opens on Cancel, Tab reaches "Delete app".
    await page.getByRole("button", { name: "Delete app…" }).focus();
    await page.keyboard.press("Enter");
    const remove = page.getByRole("dialog", { name: /Delete “weather-bot”/ });
    await remove.waitFor();
    await expect(
      page.evaluate<string | undefined>("document.activeElement?.textContent"),
    ).resolves.toBe("Cancel");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${host.url}/admin/`);
    await expect(page.getByRole("link", { name: "weather-bot" }).count()).resolves.toBe(0);
    expect(await mcpStatus(newKey)).toBe(401);
    await context.close();
  });

  it("key expiry: chosen at creation, shown in words and dates, changed on regenerate, expired keys marked", async () => {
    const DAY = 86_400_000;
    const context = await ownerContext("erin", "Asia/Tokyo"); // no DST: midnight is +09:00
    const page = await context.newPage();
    await host.createOldApp("expired-bot", "erin", 120, { expiresInDays: 90 });
    await host.gate.createApp({ name: "soon-bot", ownerId: "erin", expiresInDays: 5 });
    await host.gate.createApp({ name: "forever-bot", ownerId: "erin" });

    await page.goto(`${host.url}/admin`);
    const expiresCell = (name: string) =>
      page
        .getByRole("row", { name: new RegExp(name) })
        .getByRole("cell")
        .nth(3); // after key, created, key age
    await expect(expiresCell("expired-bot").innerText()).resolves.toMatch(/^Expired \d{4}-/);
    await expect(expiresCell("soon-bot").innerText()).resolves.toMatch(
      /^in 5 days\s*Expires soon\s*\(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/,
    );
    await expect(expiresCell("forever-bot").innerText()).resolves.toBe("Never");
    await expect(
      page.getByText("1 key expired and 1 key expiring within 14 days").isVisible(),
    ).resolves.toBe(true);
    // The exact instant is machine-readable too.
    const soonAt = await expiresCell("soon-bot").locator("time").getAttribute("datetime");
    expect(Math.abs(Date.parse(soonAt ?? "") - (Date.now() + 5 * DAY))).toBeLessThan(60_000);
    await expectAccessible(page, "apps list with expiry");
    await screenshot(page, "expiry");

    await page.getByRole("link", { name: "Create app" }).click();
    const expiry = page.getByLabel("Key expires");
    await expect(expiry.inputValue()).resolves.toBe("90"); // the rotation period is preselected
    await expiry.selectOption({ label: "30 days" });
    await page.getByLabel("Name").fill("monthly-bot");
    await page.getByRole("button", { name: "Create app and key" }).click();
    const dialog = page.getByRole("dialog", { name: "Your new API key" });
    await dialog.waitFor();
    const key = (await dialog.locator("#key-value").textContent()) ?? "";
    expect(key).toMatch(KEY);
    await dialog.getByRole("button", { name: /I have copied the key/ }).click();
    await page.waitForURL(/\/admin\/apps\/app_/);
    expect(await browserState(page)).not.toContain(key);
    const facts = page.locator("dl.facts");
    await expect(facts.innerText()).resolves.toMatch(
      /Key expires\s+in 30 days .*· lifetime 30 days/,
    );
    const id = page.url().split("/").at(-1) ?? "";
    const created = await host.gate.getApp(id);
    expect(created.keyExpiresAt!.getTime() - created.keyIssuedAt.getTime()).toBe(30 * DAY);

    await page.getByRole("button", { name: "Regenerate key…" }).click();
    const confirm = page.getByRole("dialog", { name: /Regenerate the key of/ });
    await confirm.waitFor();
    const newExpiry = confirm.getByLabel("New key expires");
    await expect(newExpiry.inputValue()).resolves.toBe("keep");
    await expect(newExpiry.locator("option:checked").innerText()).resolves.toMatch(
      /Same lifetime as the current key \(30 days\)/,
    );
    await expectAccessible(page, "regenerate confirmation with expiry");
    // "On a date…" without a date is refused in the dialog, before any request.
    await newExpiry.selectOption({ label: "On a date…" });
    await confirm.getByRole("button", { name: "Regenerate key" }).click();
    await confirm.getByText("Choose the day the key expires.").waitFor();
    expect((await host.gate.getApp(id)).keyGeneration).toBe(1);
    await newExpiry.selectOption({ label: "1 year" });
    await expect(confirm.getByLabel("Expiry date").isVisible()).resolves.toBe(false);
    await confirm.getByRole("button", { name: "Regenerate key" }).click();
    await dialog.waitFor();
    const newKey = (await dialog.locator("#key-value").textContent()) ?? "";
    expect(newKey).toMatch(KEY);
    await dialog.getByRole("button", { name: /I have copied the key/ }).click();
    await page.waitForFunction("!document.querySelector('dialog[open]')");
    await page.waitForLoadState();
    await expect(facts.innerText()).resolves.toMatch(/in 365 days .*· lifetime 365 days/);
    expect(await browserState(page)).not.toContain(newKey);
    const regenerated = await host.gate.getApp(id);
    expect(regenerated.keyGeneration).toBe(2);
    expect(regenerated.keyExpiresAt!.getTime() - regenerated.keyIssuedAt.getTime()).toBe(365 * DAY);

    // The expired app's page says so in words, and regenerating it brings the key back.
    await page.goto(`${host.url}/admin`);
    await page.getByRole("link", { name: "expired-bot" }).click();
    await expect(page.getByText("This key has expired").isVisible()).resolves.toBe(true);
    await expect(facts.innerText()).resolves.toMatch(
      /Key expires\s+Expired \d{4}-.*· lifetime 90 days/,
    );
    await expectAccessible(page, "expired app");
    await page.getByRole("button", { name: "Regenerate key…" }).click();
    await confirm.waitFor();
    await expect(newExpiry.locator("option:checked").innerText()).resolves.toMatch(/\(90 days\)/);
    await confirm.getByRole("button", { name: "Regenerate key" }).click();
    await dialog.waitFor();
    const renewed = (await dialog.locator("#key-value").textContent()) ?? "";
    expect(await mcpStatus(renewed)).toBe(200);
    await dialog.getByRole("button", { name: /I have copied the key/ }).click();
    await page.waitForFunction("!document.querySelector('dialog[open]')");
    await page.waitForLoadState();
    await expect(facts.innerText()).resolves.toMatch(/in 90 days .*· lifetime 90 days/);
    await expect(page.getByText("This key has expired").count()).resolves.toBe(0);

    // A day of one's own: the key stops at 00:00 of that day in the browser's time zone.
    await page.goto(`${host.url}/admin/new`);
    const dateField = page.getByLabel("Expiry date");
    await expect(dateField.isVisible()).resolves.toBe(false);
    await page.getByLabel("Key expires").selectOption({ label: "On a date…" });
    await expectAccessible(page, "create form with a date");
    const day = new Date(Date.now() + 60 * DAY).toISOString().slice(0, 10);
    await dateField.fill(day);
    await page.getByLabel("Name").fill("dated-bot");
    await page.getByRole("button", { name: "Create app and key" }).click();
    await dialog.waitFor();
    await dialog.getByRole("button", { name: /I have copied the key/ }).click();
    await page.waitForURL(/\/admin\/apps\/app_/);
    const dated = await host.gate.getApp(page.url().split("/").at(-1) ?? "");
    expect(dated.keyExpiresAt?.toISOString()).toBe(new Date(`${day}T00:00:00+09:00`).toISOString());
    await context.close();
  });

  it("owner B sees none of owner A's apps and gets A's app page as not found", async () => {
    const { app } = await host.gate.createApp({ name: "alice-only", ownerId: "alice" });
    const context = await ownerContext("bob");
    const page = await context.newPage();
    await page.goto(`${host.url}/admin`);
    await expect(page.getByRole("link", { name: "alice-only" }).count()).resolves.toBe(0);
    await expect(page.getByRole("link", { name: "cursor-bob" }).count()).resolves.toBe(1);
    const response = await page.goto(`${host.url}/admin/apps/${app.id}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" }).isVisible()).resolves.toBe(true);
    await expectAccessible(page, "not found page");
    const api = await page.evaluate(
      (id) =>
        fetch(`/admin/api/apps/${id}/regenerate`, {
          method: "POST",
          headers: { "x-mcpgate-admin": "1" },
        }).then((r) => r.status),
      app.id,
    );
    expect(api).toBe(404);
    expect((await host.gate.getApp(app.id)).keyGeneration).toBe(1);
    await context.close();
  });

  it("refuses a cross-origin form post carrying the host's session cookie", async () => {
    const evil = await startEvilSite(host.url);
    const context = await ownerContext("alice");
    const page = await context.newPage();
    const posted = page.waitForResponse((r) => r.url().endsWith("/admin/api/apps"));
    await page.goto(evil.url);
    const refused = await posted;
    expect(refused.status()).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "cross_origin_request" });
    const apps = await host.gate.listApps();
    expect(apps.map((app) => app.name)).not.toContain("pwned");
    await context.close();
    await evil.close();
  });

  it("standalone: the sign-in page is accessible, signs in with the token and out again", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${host.url}/ops`);
    await page.waitForURL(/\/ops\/login$/);
    await expectAccessible(page, "sign-in page");
    await page.getByLabel("Admin token").fill(`mga_${"x".repeat(40)}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("The admin token is invalid.").waitFor();
    await page.getByLabel("Admin token").fill(host.opsToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${host.url}/ops/`);
    // The administrator sees every owner's apps.
    await expect(page.getByRole("link", { name: "cursor-bob" }).count()).resolves.toBe(1);
    expect(await browserState(page)).not.toContain(host.opsToken);
    const [session] = await context.cookies();
    expect(session).toMatchObject({ name: "mcpgate_admin", httpOnly: true, sameSite: "Strict" });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/ops\/login$/);
    await page.goto(`${host.url}/ops`);
    await page.waitForURL(/\/ops\/login$/);
    await context.close();
  });
});
