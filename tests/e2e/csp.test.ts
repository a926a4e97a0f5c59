import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { gotoHydrated, launchBrowser, screenshot, VIEWPORTS, openThreadPage } from "../support/browser.ts";
import { rawRequest } from "../support/http.ts";
import { waitFor } from "../support/sandboxd.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { type ApiInit, apiOk } from "../support/http.ts";

/*
 * The app under its Content-Security-Policy (src/worker/security-headers.ts) in real Chromium: every main page,
 * the agent workspace with CodeMirror open, the usage charts, the admin panel and a live preview in the preview
 * tab, with any CSP violation (the `securitypolicyviolation` event in any frame, or Chromium's "Refused to"
 * console errors) failing the test.
 */

const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;

let stack: AgentStack;
let browser: Browser;
let user: TestUser;
let admin: TestUser;
let agentId: string;
const contexts: BrowserContext[] = [];
const violations: string[] = [];
const base = () => stack.worker.url;

function api<T>(who: TestUser, path: string, init: ApiInit = {}): Promise<T> {
  return apiOk<T>(base(), who, path, init);
}

/** A browser context signed in as `who` that reports every CSP violation of every frame into `violations`. */
async function watchedPage(who: TestUser): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  contexts.push(context);
  await context.addCookies(
    who.cookie
      .split("; ")
      .map((pair) => ({ name: pair.slice(0, pair.indexOf("=")), value: pair.slice(pair.indexOf("=") + 1), url: base() })),
  );
  await context.exposeBinding("__reportCspViolation", ({ frame }, text: string) => violations.push(`${frame.url()}: ${text}`));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __reportCspViolation?: (text: string) => void }).__reportCspViolation;
      report?.(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Refused to|Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: console: ${message.text()}`);
  });
  page.on("pageerror", (error) => violations.push(`${page.url()}: page error: ${error.message}`));
  return page;
}

beforeAll(async () => {
  // Each is kept as soon as it starts, so afterAll stops it even when the other one fails to start.
  const started = await Promise.allSettled([
    startAgentStack({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } }).then((s) => (stack = s)),
    launchBrowser().then((b) => (browser = b)),
  ]);
  for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
  [user, admin] = await Promise.all([
    signUpVerifiedUser(base(), { name: "Policy Tester" }),
    signUpUser(base(), { email: ADMIN_EMAIL, name: "Ada Admin" }),
  ]);
  agentId = (await api<{ agents: { id: string }[] }>(user, "/api/agent")).agents[0]!.id;
  // Real usage for the charts: one turn through the Worker, the fake model and the ledger.
  const thread = await api<{ id: string }>(user, `/api/agent/${agentId}/threads`, { method: "POST", body: "{}" });
  await api(user, `/api/agent/${agentId}/threads/${thread.id}/messages`, {
    method: "POST",
    headers: { accept: "application/json" },
    body: JSON.stringify({ text: "Say hello" }),
  });
  await api(user, `/api/agent/${agentId}/files?path=notes/policy.ts`, {
    method: "PUT",
    body: "export const policy = 'strict';\n",
    headers: { "content-type": "application/octet-stream" },
  });
}, 240_000);

beforeEach(() => {
  violations.length = 0;
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.dispose();
});

describe("the app under its Content-Security-Policy in Chromium", () => {
  it("renders the public pages without a CSP violation", async () => {
    const page = await watchedPage(user);
    const response = await gotoHydrated(page, `${base()}/`);
    expect(response?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    await page.context().clearCookies();
    for (const path of ["/sign-in", "/sign-up", "/forgot-password"]) {
      await gotoHydrated(page, `${base()}${path}`);
      await page.getByRole("button").first().waitFor();
    }
    expect(violations).toEqual([]);
  });

  it("renders the agents list, settings, billing and the usage charts without a CSP violation", async () => {
    const page = await watchedPage(user);
    await gotoHydrated(page, `${base()}/agents`);
    await page.getByRole("link", { name: "My agent" }).waitFor();
    for (const path of [
      "/settings",
      "/settings/account",
      "/settings/api-keys",
      "/settings/security",
      "/settings/sessions",
      "/billing",
      "/billing/transactions",
      "/team",
    ]) {
      await gotoHydrated(page, `${base()}${path}`);
      await page.getByRole("heading").first().waitFor();
    }
    await gotoHydrated(page, `${base()}/usage`);
    for (const chart of ["chart-credits-day", "chart-tokens-day", "chart-agents", "chart-models"]) {
      await page.getByTestId(chart).locator(".recharts-bar-rectangle").first().waitFor();
    }
    await screenshot(page, "csp-usage");
    expect(violations).toEqual([]);
  });

  it("runs the agent chat over its WebSocket and opens a file in CodeMirror without a CSP violation", async () => {
    const page = await watchedPage(user);
    const thread = await api<{ id: string }>(user, `/api/agent/${agentId}/threads`, { method: "POST", body: "{}" });
    await openThreadPage(page, `${base()}/agents/${agentId}/threads/${thread.id}`);
    stack.model.enqueue({ text: "Answer under a strict policy." });
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("Hello under CSP");
    await composer.press("Enter");
    await page.getByTestId("assistant-message").last().getByText("Answer under a strict policy.").waitFor({ timeout: 20_000 });
    const workspace = page.getByRole("region", { name: "Workspace" });
    await workspace.getByRole("button", { name: "Folder notes" }).click();
    await workspace.getByRole("button", { name: "File policy.ts" }).click();
    await workspace.getByLabel("Contents of notes/policy.ts").waitFor();
    await page.waitForFunction(() => document.querySelector(".cm-content")?.textContent?.includes("export const policy"));
    // CodeMirror's syntax highlighting injects its own style rules.
    await page.locator(".cm-content span").first().waitFor();
    await screenshot(page, "csp-agent-workspace");
    expect(violations).toEqual([]);
  });

  it("shows a live preview inside the preview tab: frame-src admits it and the preview lets the app frame it", async () => {
    const command = `node -e 'require("http").createServer((q, s) => { s.setHeader("content-type", "text/html"); s.end("<!doctype html><h1>Framed under CSP</h1><script>document.title = \\"ran\\"</script>"); }).listen(4173, "0.0.0.0")'`;
    await api(user, `/api/agent/${agentId}/processes`, { method: "POST", body: JSON.stringify({ command }) });
    const exposed = await api<{ url: string }>(user, `/api/agent/${agentId}/ports`, {
      method: "POST",
      body: JSON.stringify({ port: 4173 }),
    });
    await waitFor(async () => (await rawRequest(`${base()}/`, { headers: { host: new URL(exposed.url).host } })).status === 200, 20_000);

    const page = await watchedPage(user);
    const thread = await api<{ id: string }>(user, `/api/agent/${agentId}/threads`, { method: "POST", body: "{}" });
    await gotoHydrated(page, `${base()}/agents/${agentId}/threads/${thread.id}`);
    const workspace = page.getByRole("region", { name: "Workspace" });
    await workspace.getByRole("tab", { name: "Preview" }).click();
    await workspace
      .getByTestId("preview-url")
      .filter({ hasText: exposed.url })
      .waitFor({ timeout: 20_000 })
      .catch(async () => {
        // With several ports exposed the tab shows the first; pick ours.
        await workspace.getByRole("button", { name: /4173/ }).first().click();
      });
    const frame = page.frameLocator('iframe[title="Preview of port 4173"]');
    await frame.getByRole("heading", { name: "Framed under CSP" }).waitFor({ timeout: 20_000 });
    expect(await frame.locator("html").evaluate(() => document.title)).toBe("ran");
    await screenshot(page, "csp-preview-tab");
    expect(violations).toEqual([]);
  });

  it("refuses to let another site frame the app", async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on("console", (message) => blocked.push(message.text()));
    const preview = await api<{ ports: { url: string }[] }>(user, `/api/agent/${agentId}/ports`);
    // A page on a preview origin (another origin than the app) tries to frame the app: frame-ancestors 'none'.
    await page.goto(preview.ports[0]!.url, { waitUntil: "load" });
    await page.evaluate((src) => {
      const frame = document.createElement("iframe");
      frame.src = src;
      document.body.appendChild(frame);
    }, `${base()}/sign-in`);
    await waitFor(() => blocked.some((m) => /frame-ancestors|X-Frame-Options|Refused to (display|frame)/i.test(m)), 10_000);
  });

  it("renders the admin panel, its analytics and its user pages without a CSP violation", async () => {
    const page = await watchedPage(admin);
    for (const path of ["/admin", "/admin/users", "/admin/agents", "/admin/models", "/admin/analytics", "/admin/audit"]) {
      const response = await gotoHydrated(page, `${base()}${path}`);
      expect(response?.status(), path).toBe(200);
      await page.getByRole("heading").first().waitFor();
    }
    await gotoHydrated(page, `${base()}/admin/users?q=${encodeURIComponent(user.email)}`);
    await page.getByTestId("admin-user-row").getByRole("link").click();
    await page.getByRole("heading", { level: 1 }).waitFor();
    await screenshot(page, "csp-admin-user");
    expect(violations).toEqual([]);
  });
});
