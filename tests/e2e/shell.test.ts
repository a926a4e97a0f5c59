import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signedInContext, signUp } from "../support/auth.ts";
import { gotoHydrated, horizontalOverflow, launchBrowser, screenshot, VIEWPORTS } from "../support/browser.ts";

const url = (path: string) => `${inject("workerUrl")}${path}`;

describe("landing page and app shell in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    // The first account on a fresh database becomes admin; taking it here makes the users below plain users.
    await signUp(inject("workerUrl"));
  });
  afterAll(() => browser?.close());

  async function open(viewport: keyof typeof VIEWPORTS, path: string, colorScheme: "light" | "dark" = "light") {
    // App pages need a signed-in user; the landing page is seen signed out, as a visitor sees it.
    const context: BrowserContext =
      path === "/"
        ? await browser.newContext({ viewport: VIEWPORTS[viewport], colorScheme })
        : (await signedInContext(browser, inject("workerUrl"), { viewport: VIEWPORTS[viewport], colorScheme })).context;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const response = await gotoHydrated(page, url(path));
    return { context, page, errors, status: response?.status() };
  }

  for (const viewport of ["desktop", "phone"] as const) {
    it(`shows what the product is on the landing page at ${viewport} width`, async () => {
      const { context, page, errors, status } = await open(viewport, "/");
      expect(status).toBe(200);
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("Persistent AI agents");
      expect(await page.getByRole("link", { name: "Get started" }).isVisible()).toBe(true);
      expect(await horizontalOverflow(page)).toEqual([]);
      expect(errors).toEqual([]);
      await screenshot(page, `landing-${viewport}`);
      await context.close();
    });
  }

  it("shows the app navigation in a sidebar on desktop", async () => {
    const { context, page, errors } = await open("desktop", "/agents");
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.isVisible()).toBe(true);
    for (const label of ["Agents", "Usage", "Billing", "Team", "Settings"]) {
      expect(await nav.getByRole("link", { name: label }).isVisible(), label).toBe(true);
    }
    expect(await nav.getByRole("link", { name: "Admin" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Agents" }).getAttribute("aria-current")).toBe("page");
    expect(await horizontalOverflow(page)).toEqual([]);
    expect(errors).toEqual([]);
    await screenshot(page, "app-shell-desktop");
    await context.close();
  });

  it("folds the navigation into a menu on a phone and navigates from it", async () => {
    const { context, page } = await open("phone", "/agents");
    expect(await page.getByTestId("sidebar").isVisible()).toBe(false);
    expect(await horizontalOverflow(page)).toEqual([]);
    await screenshot(page, "app-shell-phone");
    await page.getByRole("button", { name: "Open menu" }).click();
    const menu = page.getByRole("dialog", { name: "Menu" });
    expect(await menu.isVisible()).toBe(true);
    await screenshot(page, "app-shell-phone-menu");
    await menu.getByRole("link", { name: "Billing" }).click();
    await page.waitForURL(/\/billing$/);
    expect(await page.getByRole("heading", { level: 1, name: "Billing" }).isVisible()).toBe(true);
    expect(await menu.isVisible()).toBe(false);
    await context.close();
  });

  it("switches between light and dark themes", async () => {
    const { context, page } = await open("desktop", "/agents", "light");
    const isDark = () => page.evaluate(() => document.documentElement.classList.contains("dark"));
    expect(await isDark()).toBe(false);
    await page.getByRole("button", { name: "Switch to dark theme" }).click();
    await page.waitForFunction(() => document.documentElement.classList.contains("dark"));
    await screenshot(page, "app-shell-desktop-dark");
    await page.reload({ waitUntil: "load" });
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    expect(await isDark()).toBe(true);
    await context.close();
  });

  it("shows a friendly 404 page for unknown addresses", async () => {
    const { context, page, status } = await open("phone", "/definitely/not/here");
    expect(status).toBe(404);
    expect(await page.getByRole("heading", { name: "Page not found" }).isVisible()).toBe(true);
    await page.getByRole("link", { name: "Back to the start" }).click();
    await page.waitForURL(url("/"));
    await context.close();
  });
});
