import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { signUp, uniqueIp, type SignedIn } from "../support/auth.ts";
import {
  gotoHydrated,
  launchBrowser,
  screenshot,
  VIEWPORTS,
  addSessionCookie,
  openThreadPage,
  screenshotOnFailure,
} from "../support/browser.ts";
import { apiOk, type ApiInit } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

// Issue 23: what a new user trips over on a walk through every page, each reproduced in Chromium at both widths.
const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;

let stack: AgentStack;
let browser: Browser;
let user: TestUser;
let agentId: string;
const contexts: BrowserContext[] = [];
const base = () => stack.worker.url;

function api<T>(path: string, init: ApiInit = {}, as: TestUser = user): Promise<T> {
  return apiOk<T>(base(), as, path, init);
}

async function pageAs(
  who: { cookie: string; ip?: string },
  viewport: keyof typeof VIEWPORTS = "desktop",
): Promise<{ page: Page; errors: string[]; consoleErrors: string[]; notFound: string[] }> {
  const context = await browser.newContext({
    viewport: VIEWPORTS[viewport],
    ...(who.ip ? { extraHTTPHeaders: { "cf-connecting-ip": who.ip } } : {}),
  });
  contexts.push(context);
  if (who.cookie) await addSessionCookie(context, who.cookie, base());
  const page = await context.newPage();
  const errors: string[] = [];
  const consoleErrors: string[] = [];
  const notFound: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") consoleErrors.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() === 404) notFound.push(response.url());
  });
  return { page, errors, consoleErrors, notFound };
}

async function openThread(page: Page, threadId: string, agent = agentId): Promise<void> {
  await openThreadPage(page, `${base()}/agents/${agent}/threads/${threadId}`);
}

const newThread = async () => (await api<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST", body: "{}" })).id;

/** Whether the element's whole box is inside the viewport. */
async function fullyInView(page: Page, selector: Parameters<Page["locator"]>[0] | ReturnType<Page["locator"]>): Promise<boolean> {
  const locator = typeof selector === "string" ? page.locator(selector) : selector;
  const box = await locator.boundingBox();
  const size = page.viewportSize()!;
  return box !== null && box.y >= 0 && box.x >= 0 && box.y + box.height <= size.height && box.x + box.width <= size.width;
}

beforeAll(async () => {
  const started = await Promise.allSettled([
    startAgentStack({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } }).then((s) => (stack = s)),
    launchBrowser().then((b) => (browser = b)),
  ]);
  for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
  user = await signUpVerifiedUser(base(), { name: "New User" });
  agentId = (await api<{ agents: { id: string }[] }>("/api/agent")).agents[0]!.id;
}, 180_000);

beforeEach((test) => {
  stack?.model.reset();
  screenshotOnFailure(test, () => contexts.flatMap((c) => c.pages()), "failed-walk");
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.dispose();
});

describe("first walk through the app in Chromium (issue 23)", () => {
  it("says a never-used agent was never used, not that it was active just now", async () => {
    const { agents } = await api<{ agents: { id: string; lastActiveAt: string | null }[] }>("/api/agent");
    expect(agents[0]!.lastActiveAt).toBeNull();
    for (const viewport of ["desktop", "phone"] as const) {
      const { page } = await pageAs({ cookie: user.cookie }, viewport);
      await gotoHydrated(page, `${base()}/agents`);
      const card = page.getByRole("listitem", { name: "My agent" });
      await card.getByText("Never used").waitFor();
      expect(await card.textContent()).not.toContain("just now");
      await screenshot(page, `walk-agents-never-used-${viewport}`);
    }
  });

  it("opens a new agent after Create", async () => {
    const { page } = await pageAs({ cookie: user.cookie });
    await gotoHydrated(page, `${base()}/agents`);
    await page.getByRole("button", { name: "New agent" }).click();
    const dialog = page.getByRole("dialog", { name: "New agent" });
    await dialog.getByLabel("Name").fill("Fresh agent");
    await dialog.getByRole("button", { name: "Create agent" }).click();
    await page.waitForURL(/\/agents\/[a-z0-9]+\/threads\/[a-z0-9]{12}$/);
    await page.getByTestId("thread-title").waitFor();
    const { agents } = await api<{ agents: { id: string; name: string }[] }>("/api/agent");
    const fresh = agents.find((a) => a.name === "Fresh agent")!;
    expect(page.url()).toContain(`/agents/${fresh.id}/`);
    await api(`/api/agent/${fresh.id}`, { method: "DELETE" });
  });

  it("shows why Create fails before email verification as a form error, not on the Name field", async () => {
    const unverified = await signUp(base(), { ip: uniqueIp() });
    for (const viewport of ["desktop", "phone"] as const) {
      const { page } = await pageAs(unverified, viewport);
      await gotoHydrated(page, `${base()}/agents`);
      await page.getByRole("button", { name: "New agent" }).click();
      const dialog = page.getByRole("dialog", { name: "New agent" });
      await dialog.getByLabel("Name").fill("Too early");
      await dialog.getByRole("button", { name: "Create agent" }).click();
      const alert = dialog.getByRole("alert");
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/verif/i);
      expect(await dialog.getByLabel("Name").getAttribute("aria-invalid")).not.toBe("true");
      await screenshot(page, `walk-new-agent-unverified-${viewport}`);
      // A name the form itself refuses is still shown on the field.
      await dialog.getByLabel("Name").fill("   ");
      await dialog.getByRole("button", { name: "Create agent" }).click();
      await page.waitForFunction(() => document.getElementById("agent-name")?.getAttribute("aria-invalid") === "true");
    }
  });

  it("keeps the way back to sign in after the reset link was sent", async () => {
    for (const viewport of ["desktop", "phone"] as const) {
      const { page } = await pageAs({ cookie: "", ip: uniqueIp() }, viewport);
      await gotoHydrated(page, `${base()}/forgot-password`);
      await page.getByLabel("Email").fill(`nobody-${randomUUID().slice(0, 6)}@example.com`);
      await page.getByRole("button", { name: "Send reset link" }).click();
      await page.getByText(/we sent it a link/).waitFor();
      await screenshot(page, `walk-forgot-password-sent-${viewport}`);
      await page.getByRole("link", { name: "Back to sign in" }).click();
      await page.waitForURL(/\/sign-in$/);
    }
  });

  it("validates the team slug in the browser with a pattern Chromium accepts", async () => {
    const { page, consoleErrors } = await pageAs({ cookie: user.cookie });
    await gotoHydrated(page, `${base()}/team`);
    const slug = page.getByLabel("Slug");
    await slug.fill("Not a slug!");
    expect(await slug.evaluate((el: HTMLInputElement) => el.validity.patternMismatch)).toBe(true);
    await slug.fill("good-slug-1");
    expect(await slug.evaluate((el: HTMLInputElement) => el.validity.valid)).toBe(true);
    await slug.fill("-bad");
    expect(await slug.evaluate((el: HTMLInputElement) => el.validity.patternMismatch)).toBe(true);
    expect(consoleErrors.filter((m) => /regular expression/i.test(m))).toEqual([]);
  });

  it("has a favicon on every page", async () => {
    const { page, notFound } = await pageAs({ cookie: "", ip: uniqueIp() });
    for (const path of ["/", "/sign-in"]) {
      await gotoHydrated(page, `${base()}${path}`);
      const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
      expect(href, path).toBeTruthy();
      const icon = await fetch(new URL(href!, base()));
      expect(icon.status).toBe(200);
      expect(icon.headers.get("content-type")).toMatch(/^image\//);
    }
    expect((await fetch(`${base()}/favicon.ico`)).status).toBe(200);
    expect(notFound).toEqual([]);
  });

  it("lists a secret by name, length and last update only, never a part of its value", async () => {
    await api(`/api/agent/${agentId}/secrets`, { method: "PUT", body: JSON.stringify({ secrets: { API_TOKEN: "xyz-very-secret-42" } }) });
    const { page } = await pageAs({ cookie: user.cookie });
    await openThread(page, await newThread());
    const workspace = page.getByRole("region", { name: "Workspace" });
    await workspace.getByRole("tab", { name: "Secrets" }).click();
    const item = workspace.getByRole("list", { name: "Secret names" }).getByRole("listitem").filter({ hasText: "API_TOKEN" });
    await item.waitFor();
    const text = (await item.textContent()) ?? "";
    expect(text).toContain("18 characters");
    expect(text).not.toContain("xyz");
    expect(await page.content()).not.toContain("xyz-");
  });

  it("labels a stopped turn Stopped with its cost, before and after a reload", async () => {
    const threadId = await newThread();
    stack.model.enqueue({ text: "A long answer that is stopped midway ".repeat(100), chunkSize: 4, delayMsBetweenChunks: 80 });
    const { page } = await pageAs({ cookie: user.cookie });
    await openThread(page, threadId);
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("Say a lot");
    await composer.press("Enter");
    const answer = page.getByTestId("assistant-message").last();
    await answer.getByText("A long answer").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByRole("button", { name: "Send" }).waitFor({ timeout: 15_000 });
    await answer.getByText("Stopped", { exact: true }).waitFor({ timeout: 15_000 });
    await answer.getByTestId("turn-cost").waitFor();
    expect(await answer.getByTestId("turn-cost").textContent()).toMatch(/credits$/);
    await screenshot(page, "walk-stopped-turn-desktop");
    await page.reload({ waitUntil: "load" });
    await page.locator('form[data-connected="true"]').waitFor();
    const reloaded = page.getByTestId("assistant-message").last();
    await reloaded.getByText("Stopped", { exact: true }).waitFor();
    expect(await reloaded.getByTestId("turn-cost").textContent()).toMatch(/credits$/);
  });

  it("keeps the impersonation banner and its Stop button in view on the chat page and on long pages", async () => {
    const admin: SignedIn = await signUp(base(), { email: ADMIN_EMAIL, name: "Ada Admin", ip: uniqueIp() });
    const target = await signUpVerifiedUser(base(), { name: "Impersonated User" });
    const targetAgent = (await api<{ agents: { id: string }[] }>("/api/agent", {}, target)).agents[0]!.id;
    for (const viewport of ["desktop", "phone"] as const) {
      const { page } = await pageAs(admin, viewport);
      await gotoHydrated(page, `${base()}/admin/users?q=${encodeURIComponent(target.email)}`);
      await page.getByTestId("admin-user-row").getByRole("link").click();
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
      await page.getByRole("button", { name: "Impersonate" }).click();
      await page.waitForURL(/\/agents/);
      const thread = await api<{ id: string }>(`/api/agent/${targetAgent}/threads`, { method: "POST", body: "{}" }, target);
      await openThread(page, thread.id, targetAgent);
      const stop = page.getByTestId("impersonation-banner").getByRole("button", { name: "Stop impersonating" });
      expect(await fullyInView(page, stop), "Stop impersonating on the chat page").toBe(true);
      // Nothing scrolls the page itself: the workspace fits under the banners.
      expect(await page.evaluate(() => document.scrollingElement!.scrollHeight <= window.innerHeight + 1)).toBe(true);
      await page.getByLabel("Message", { exact: true }).fill("hello");
      await page.getByLabel("Message", { exact: true }).press("Enter");
      await page.getByTestId("assistant-message").last().getByText("Echo: hello").waitFor({ timeout: 20_000 });
      expect(await fullyInView(page, stop), "after a turn").toBe(true);
      await screenshot(page, `walk-impersonating-chat-${viewport}`);
      // A window shorter than the settings page, scrolled to its end.
      await page.setViewportSize({ ...VIEWPORTS[viewport], height: 500 });
      await gotoHydrated(page, `${base()}/settings`);
      await page.evaluate(() => window.scrollTo(0, document.scrollingElement!.scrollHeight));
      expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(100);
      expect(await fullyInView(page, stop), "Stop impersonating at the bottom of settings").toBe(true);
      await screenshot(page, `walk-impersonating-settings-${viewport}`);
      await stop.click();
      await page.waitForURL(/\/admin\/users$/);
    }
  });

  it("starts a template beside a server on port 8080, offers a retry, a directory and a clean-up, and refreshes Files", async () => {
    // What a failed earlier apply leaves behind, and another app's server on the template port.
    await api(`/api/agent/${agentId}/files?path=react-vite/notes.txt`, {
      method: "PUT",
      body: "left over",
      headers: { "content-type": "application/octet-stream" },
    });
    const command = `node -e 'require("http").createServer((q, s) => s.end("other app")).listen(8080, "0.0.0.0")'`;
    await api(`/api/agent/${agentId}/processes`, { method: "POST", body: JSON.stringify({ command }) });

    const { page } = await pageAs({ cookie: user.cookie });
    await openThread(page, await newThread());
    const workspace = page.getByRole("region", { name: "Workspace" });
    const files = workspace.getByRole("list", { name: "Workspace files" });
    await files.getByRole("button", { name: "Folder react-vite" }).waitFor();
    await workspace.getByRole("tab", { name: "Preview" }).click();
    await workspace.getByRole("button", { name: "Start from React (Vite)" }).click();
    const alert = workspace.getByRole("alert");
    await alert.getByText(/react-vite already exists/).waitFor({ timeout: 30_000 });
    await screenshot(page, "walk-template-conflict-desktop");

    // Retry into a directory of one's choice: the dev server moves to the next free port.
    await workspace.getByLabel("Directory in the workspace").fill("my-react");
    await alert.getByRole("button", { name: "Try again" }).click();
    await workspace.getByTestId("preview-url").waitFor({ timeout: 280_000 });
    expect(await workspace.getByTestId("preview-url").textContent()).toMatch(/^http:\/\/8081-/);
    await page.frameLocator('iframe[title="Preview of port 8081"]').getByRole("heading", { name: "Hello from React" }).waitFor({
      timeout: 60_000,
    });
    await screenshot(page, "walk-template-other-port-desktop");

    // The Files tab, open since before the apply, shows the new project without a manual refresh.
    await workspace.getByRole("tab", { name: "Files" }).click();
    await files.getByRole("button", { name: "Folder my-react" }).waitFor({ timeout: 15_000 });

    // Clean up after the failed apply from the panel.
    await workspace.getByRole("tab", { name: "Preview" }).click();
    await workspace.getByRole("button", { name: "Start from a template" }).click();
    await workspace.getByLabel("Directory in the workspace").fill("");
    await workspace.getByRole("button", { name: "Start from React (Vite)" }).click();
    await alert.getByText(/react-vite already exists/).waitFor({ timeout: 30_000 });
    await alert.getByRole("button", { name: "Delete react-vite/" }).click();
    await page.getByRole("dialog", { name: "Delete react-vite/?" }).getByRole("button", { name: "Delete" }).click();
    await workspace.getByText("Deleted react-vite/.").waitFor();
    await workspace.getByRole("tab", { name: "Files" }).click();
    await files.getByRole("button", { name: "Folder react-vite" }).waitFor({ state: "detached", timeout: 15_000 });
    const listing = await api<{ entries: { name: string }[] }>(`/api/agent/${agentId}/files`);
    expect(listing.entries.map((e) => e.name)).not.toContain("react-vite");
  }, 400_000);
});
