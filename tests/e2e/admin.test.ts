import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, uniqueIp, type SignedIn } from "../support/auth.ts";
import { gotoHydrated, launchBrowser, screenshot, VIEWPORTS } from "../support/browser.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

// A Worker of its own so ADMIN_EMAILS can name the admin whatever other test files ran first.
const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;

describe("the admin panel in Chromium", () => {
  let worker: TestWorker;
  let browser: Browser;
  let admin: SignedIn;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // Each is kept as soon as it starts, so afterAll stops it even when the other one fails to start.
    const started = await Promise.allSettled([
      startTestWorker({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } }).then((s) => (worker = s)),
      launchBrowser().then((b) => (browser = b)),
    ]);
    for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
    admin = await signUp(worker.url, { email: ADMIN_EMAIL, name: "Ada Admin" });
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await worker?.dispose();
  });

  async function pageFor(user: SignedIn): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop, extraHTTPHeaders: { "cf-connecting-ip": user.ip } });
    contexts.push(context);
    const eq = user.cookie.indexOf("=");
    await context.addCookies([
      { name: user.cookie.slice(0, eq), value: user.cookie.slice(eq + 1), url: worker.url, httpOnly: true, sameSite: "Lax" },
    ]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    return { page, errors };
  }

  async function openUser(page: Page, email: string) {
    await gotoHydrated(page, `${worker.url}/admin/users?q=${encodeURIComponent(email)}`);
    await page.getByTestId("admin-user-row").getByRole("link").click();
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
  }

  it("bans a user from the user's page and the user's open session is signed out on its next request", async () => {
    const victim = await signUp(worker.url, { name: "Mallory", ip: uniqueIp() });
    const { page: victimPage } = await pageFor(victim);
    await gotoHydrated(victimPage, `${worker.url}/settings`);
    expect(victimPage.url()).toMatch(/\/settings$/);

    const { page, errors } = await pageFor(admin);
    await openUser(page, victim.email);
    await page.getByLabel("Ban reason").fill("Abusing the sandbox");
    await page.getByRole("button", { name: "Ban user" }).click();
    // A ban is confirmed in the same dialog as every destructive action (issue 23 item 16).
    await page.getByRole("dialog", { name: "Ban this user?" }).getByRole("button", { name: "Ban user" }).click();
    await page.getByRole("status").filter({ hasText: "Banned" }).waitFor();
    await page.getByTestId("ban-notice").filter({ hasText: "Abusing the sandbox" }).waitFor();
    await screenshot(page, "admin-user-banned");

    await victimPage.getByRole("link", { name: "Usage" }).first().click();
    await victimPage.waitForURL(/\/sign-in/);
    expect(errors).toEqual([]);
  });

  it("adjusts a user's credits with a reason that the ledgers show", async () => {
    const customer = await signUp(worker.url, { name: "Carol", ip: uniqueIp() });
    const { page, errors } = await pageFor(admin);
    await openUser(page, customer.email);
    await page.getByLabel("Adjust credits").fill("12.5");
    await page.getByLabel("Reason for the adjustment").fill("Refund for a failed task <b>not bold</b>");
    await page.getByRole("button", { name: "Adjust" }).click();
    await page.getByRole("status").filter({ hasText: "Credits adjusted" }).waitFor();
    const row = page.getByTestId("admin-ledger").getByRole("row").filter({ hasText: "Refund for a failed task <b>not bold</b>" });
    await row.waitFor();
    expect(await row.textContent()).toContain("adjustment");
    expect(await row.textContent()).toContain("12.5");
    expect(await row.textContent()).toContain(`by ${ADMIN_EMAIL}`);
    await screenshot(page, "admin-credits-adjusted");

    const { page: customerPage } = await pageFor(customer);
    await gotoHydrated(customerPage, `${worker.url}/billing/transactions`);
    const own = customerPage.locator('[data-testid="transaction-row"][data-kind="adjustment"]');
    await own.filter({ hasText: "Refund for a failed task <b>not bold</b>" }).waitFor();
    expect(await customerPage.locator("b", { hasText: "not bold" }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("raises a user's caps on agents and live workspaces from the user's page, and an empty field means the default", async () => {
    const customer = await signUp(worker.url, { name: "Petra Power-user", ip: uniqueIp() });
    const { page, errors } = await pageFor(admin);
    await openUser(page, customer.email);
    const limits = page.getByTestId("user-limits");
    await limits.filter({ hasText: "Now 20 agents and 5 live workspaces at once" }).waitFor();
    await limits.getByLabel("Agents", { exact: true }).fill("30");
    await limits.getByLabel("Live workspaces").fill("8");
    await limits.getByRole("button", { name: "Save limits" }).click();
    await limits.getByRole("status").filter({ hasText: "Saved: 30 agents, 8 live workspaces at once." }).waitFor();
    await limits.filter({ hasText: "Now 30 agents and 8 live workspaces at once" }).waitFor();
    await screenshot(page, "admin-user-limits");

    await limits.getByLabel("Agents", { exact: true }).fill("");
    await limits.getByRole("button", { name: "Save limits" }).click();
    await limits.getByRole("status").filter({ hasText: "Saved: 20 agents, 8 live workspaces at once." }).waitFor();
    await limits.getByLabel("Live workspaces").fill("0");
    await limits.getByRole("button", { name: "Save limits" }).click();
    await limits
      .getByRole("status")
      .filter({ hasText: /maxLiveWorkspaces/ })
      .waitFor();
    expect(errors).toEqual([]);
  });

  it("shows the platform analytics as charts per day", async () => {
    const { page, errors } = await pageFor(admin);
    await gotoHydrated(page, `${worker.url}/admin/analytics?days=7`);
    const charts = page.getByTestId("admin-analytics");
    await charts.waitFor();
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=admin-analytics] svg.recharts-surface").length >= 5);
    expect(await charts.textContent()).toMatch(/sign-ups/);
    await screenshot(page, "admin-analytics");
    expect(errors).toEqual([]);
  });

  it("impersonates a user with a visible banner and an exit, and the audit log records it", async () => {
    const target = await signUp(worker.url, { name: "Trent", ip: uniqueIp() });
    const { page, errors } = await pageFor(admin);
    await openUser(page, target.email);
    await page.getByRole("button", { name: "Impersonate" }).click();
    await page.waitForURL(/\/agents/);
    const banner = page.getByTestId("impersonation-banner");
    await banner.waitFor();
    expect(await banner.textContent()).toContain(target.email);
    await screenshot(page, "admin-impersonation-banner");

    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await banner.getByRole("button", { name: "Stop impersonating" }).click();
    await page.waitForURL(/\/admin\/users$/);
    await page.getByRole("heading", { name: "Users" }).waitFor();

    await gotoHydrated(page, `${worker.url}/admin/audit`);
    const entry = page.getByTestId("admin-audit").getByRole("row").filter({ hasText: "user.impersonate" });
    await entry.waitFor();
    expect(await entry.textContent()).toContain(ADMIN_EMAIL);
    expect(await entry.textContent()).toContain(target.email);
    expect(errors).toEqual([]);
  });
});
