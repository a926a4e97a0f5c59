import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page, type Response } from "playwright-core";
import { ROOT } from "../../scripts/lib/paths.ts";

export const SCREENSHOT_DIR = join(ROOT, "test-results", "screenshots");

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * Debian's Chromium, headless, with the flags this offline machine needs (no background networking), and any extra
 * flags a test needs (e.g. `--host-resolver-rules` to reach the local Worker under other host names).
 */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      ...extraArgs,
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Elements inside the page whose boxes stick out past the viewport's right edge (cut-off controls). */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>("a, button, input, h1, h2, p"))) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > width + 1) out.push(`${el.tagName.toLowerCase()}: ${el.textContent?.trim().slice(0, 40)}`);
    }
    return out;
  });
}

/** Opens a page and waits until it has loaded and React has hydrated it. */
export async function gotoHydrated(page: Page, url: string): Promise<Response | null> {
  const response = await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
  return response;
}

/** Signs a browser context in with the `Cookie` header a test user got from signing in (tests/support/users.ts). */
export async function addSessionCookie(context: BrowserContext, cookieHeader: string, url: string): Promise<void> {
  await context.addCookies(
    cookieHeader.split("; ").map((pair) => {
      const eq = pair.indexOf("=");
      return { name: pair.slice(0, eq), value: pair.slice(eq + 1), url };
    }),
  );
}

/** Opens a chat thread's page and waits until it is hydrated and its chat socket is connected. */
export async function openThreadPage(page: Page, url: string): Promise<void> {
  await gotoHydrated(page, url);
  await page.locator('form[data-connected="true"]').waitFor();
}

/** For a beforeEach: when the test fails, a screenshot of every page in `pages()`, named after the test. */
export function screenshotOnFailure(test: Pick<TestContext, "onTestFailed" | "task">, pages: () => Page[], prefix = "failed"): void {
  test.onTestFailed(async () => {
    const name = test.task.name.slice(0, 40).replace(/\W+/g, "-");
    for (const [i, page] of pages().entries()) await screenshot(page, `${prefix}-${name}-${i}`).catch(() => {});
  });
}
