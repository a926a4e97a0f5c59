import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeStripe, type FakeStripe } from "../../fakes/stripe.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { signedInContext } from "../support/auth.ts";
import { gotoHydrated, horizontalOverflow, launchBrowser, screenshot, VIEWPORTS, addSessionCookie } from "../support/browser.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { type ApiInit, apiOk } from "../support/http.ts";

async function contextFor(browser: Browser, base: string, user: TestUser): Promise<BrowserContext> {
  const ip = user.headers()["cf-connecting-ip"]!;
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop, extraHTTPHeaders: { "cf-connecting-ip": ip } });
  await addSessionCookie(context, user.cookie, base);
  return context;
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent())?.trim() ?? "";
}

describe("buying credits and watching usage in Chromium", () => {
  let stripe: FakeStripe;
  let stack: AgentStack;
  let browser: Browser;
  let user: TestUser;
  let agentName: string;
  const base = () => stack.worker.url;
  const api = <T>(path: string, init: ApiInit = {}) => apiOk<T>(base(), user, path, init);

  beforeAll(async () => {
    stripe = await startFakeStripe();
    stack = await startAgentStack({
      vars: { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_WEBHOOK_SECRET: stripe.webhookSecret, STRIPE_API_BASE: stripe.url },
    });
    stripe.webhookUrl = `${stack.worker.url}/api/stripe/webhook`;
    browser = await launchBrowser();
    user = await signUpVerifiedUser(base());
    // Real usage: one agent turn through the Worker, the model server and the ledger.
    const { agents } = await api<{ agents: { id: string; name: string }[] }>("/api/agent");
    agentName = agents[0]!.name;
    const thread = await api<{ id: string }>(`/api/agent/${agents[0]!.id}/threads`, { method: "POST" });
    const turn = await api<{ credits: number }>(`/api/agent/${agents[0]!.id}/threads/${thread.id}/messages`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: JSON.stringify({ text: "Say hello" }),
    });
    expect(turn.credits).toBeGreaterThan(0);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
    await stripe?.close();
  });

  it("waits on the success page with a spinner until Stripe's webhook lands, then shows the new balance", async () => {
    const before = await api<{ balance: number }>("/api/credits");
    const session = await api<{ id: string }>("/api/credits/checkout", { method: "POST", body: JSON.stringify({ package: "starter" }) });
    const context = await contextFor(browser, base(), user);
    const page = await context.newPage();
    await gotoHydrated(page, `${base()}/billing/success?session_id=${session.id}`);
    await page.getByTestId("checkout-waiting").waitFor();
    expect(await page.getByTestId("checkout-done").count()).toBe(0);
    await screenshot(page, "billing-success-waiting");
    expect(await stripe.deliver(stripe.pay(session.id))).toMatchObject({ status: 200, body: { outcome: "granted" } });
    await page.getByTestId("checkout-done").waitFor({ timeout: 15_000 });
    expect(await text(page, "new-balance")).toBe(`${(before.balance + 500).toLocaleString("en-US", { maximumFractionDigits: 2 })} credits`);
    await context.close();
  });

  it("buys a package through Stripe Checkout and shows the new balance, the purchase with its receipt and the transaction", async () => {
    const before = await api<{ balance: number; purchased: number }>("/api/credits");
    const context = await contextFor(browser, base(), user);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await gotoHydrated(page, `${base()}/billing`);
    await page.getByTestId("balance-total").waitFor();
    expect(await page.getByTestId("purchases-disabled").count()).toBe(0);
    expect(await horizontalOverflow(page)).toEqual([]);
    await screenshot(page, "billing-before-purchase");

    await page.getByRole("button", { name: "Buy 1200 credits for $10.00" }).click();
    await page.waitForURL(`${stripe.url}/checkout/**`);
    expect(await page.getByText("Pay $10.00 USD").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Pay" }).click();
    await page.waitForURL(`${base()}/billing/success?session_id=*`);
    await page.getByTestId("checkout-done").waitFor({ timeout: 15_000 });
    const expected = (before.balance + 1200).toLocaleString("en-US", { maximumFractionDigits: 2 });
    expect(await text(page, "new-balance")).toBe(`${expected} credits`);
    await screenshot(page, "billing-success");

    await page.getByRole("link", { name: "Back to billing" }).click();
    await page.getByTestId("balance-total").waitFor();
    expect(await text(page, "balance-total")).toBe(`${expected} credits`);
    expect(await text(page, "balance-purchased")).toBe((before.purchased + 1200).toLocaleString("en-US", { maximumFractionDigits: 2 }));
    const rows = page.getByTestId("purchase-row");
    expect(await rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain("Standard");
    expect(await rows.first().getByRole("link", { name: "Receipt" }).getAttribute("href")).toMatch(
      new RegExp(`^${stripe.url}/receipts/ch_`),
    );
    await screenshot(page, "billing-after-purchase");

    await page.getByRole("link", { name: "See all transactions" }).click();
    await page.getByTestId("transaction-row").first().waitFor();
    await page.getByLabel("Kind").selectOption("purchase");
    await page.waitForFunction(() => {
      const rows = Array.from(document.querySelectorAll("[data-testid=transaction-row]"));
      return rows.length === 2 && rows.every((r) => r.getAttribute("data-kind") === "purchase");
    });
    expect(await page.getByTestId("transaction-row").first().textContent()).toContain("+1,200");
    await page.getByLabel("Kind").selectOption("usage");
    await page.waitForFunction(() => {
      const rows = Array.from(document.querySelectorAll("[data-testid=transaction-row]"));
      return rows.length > 0 && rows.every((r) => r.getAttribute("data-kind") === "usage");
    });
    await screenshot(page, "billing-transactions");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows the usage dashboard with charts per day, agent and model for the agent that was used", async () => {
    const context = await contextFor(browser, base(), user);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await gotoHydrated(page, `${base()}/usage`);
    await page.getByTestId("chart-credits-day").waitFor();
    for (const chart of ["chart-credits-day", "chart-tokens-day", "chart-agents", "chart-models"]) {
      await page.getByTestId(chart).locator(".recharts-bar-rectangle").first().waitFor();
    }
    expect(Number((await text(page, "total-credits")).replace(/,/g, ""))).toBeGreaterThan(0);
    expect(Number((await text(page, "total-input")).replace(/,/g, ""))).toBeGreaterThan(0);
    expect(await page.getByTestId("chart-agents").getByRole("table").textContent()).toContain(agentName);
    expect(await page.getByTestId("chart-models").getByRole("table").textContent()).toContain("gpt-oss");
    expect(await page.getByRole("button", { name: "Last 30 days" }).getAttribute("aria-pressed")).toBe("true");
    await screenshot(page, "usage-dashboard");

    await page.getByRole("button", { name: "Last 90 days" }).click();
    await page.waitForFunction(() => document.querySelector("[aria-pressed=true]")?.textContent === "Last 90 days");
    await page.getByTestId("chart-credits-day").locator(".recharts-bar-rectangle").first().waitFor();
    expect(await horizontalOverflow(page)).toEqual([]);

    await page.setViewportSize(VIEWPORTS.phone);
    await page.getByTestId("chart-agents").locator(".recharts-bar-rectangle").first().waitFor();
    expect(await horizontalOverflow(page)).toEqual([]);
    await screenshot(page, "usage-dashboard-phone");
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("billing on a server without Stripe keys", () => {
  let browser: Browser;
  beforeAll(async () => (browser = await launchBrowser()));
  afterAll(() => browser?.close());

  it("replaces the purchase buttons with a plain note, without the operator's settings, for a user", async () => {
    // The first account of a fresh database is an admin (who sees the settings): a second sign-up never is.
    const first = await signedInContext(browser, inject("workerUrl"), { viewport: VIEWPORTS.phone });
    await first.context.close();
    const { context } = await signedInContext(browser, inject("workerUrl"), { viewport: VIEWPORTS.phone });
    const page = await context.newPage();
    await gotoHydrated(page, `${inject("workerUrl")}/billing`);
    await page.getByTestId("purchases-disabled").waitFor();
    const note = await page.getByTestId("purchases-disabled").textContent();
    expect(note).toContain("Purchases are not available yet");
    expect(note).not.toContain("STRIPE_SECRET_KEY");
    expect(await page.getByRole("button", { name: /^Buy/ }).count()).toBe(0);
    expect(await page.getByTestId("package-standard").textContent()).toContain("1,200 credits");
    expect(await horizontalOverflow(page)).toEqual([]);
    await screenshot(page, "billing-without-stripe-phone");
    await context.close();
  });
});
