import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { gotoHydrated, launchBrowser, screenshot, VIEWPORTS, openThreadPage } from "../support/browser.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { type ApiInit, apiOk } from "../support/http.ts";

/*
 * Script in every user-editable field, written through the API, then every page that shows it, in real Chromium:
 * the text is on screen literally, no payload ran (`window.__xss` stays undefined) and no element came from it.
 * Covered elsewhere and not repeated: chat messages, thread titles from the first message and file names
 * (agent-workspace.test.ts), API key names (auth.test.ts). Secret names (A-Z, 0-9, _) and invitation emails (a
 * valid address) cannot hold markup, and agent instructions are not shown on any page.
 */

const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;
const IMG = "<img src=x onerror=window.__xss=1>";
const SCRIPT = "<script>window.__xss=1</script>";
/** Each field gets its own label, so the check can tell which one is missing from a page. */
const payload = (label: string, short = false) => `${label} ${IMG}${short ? "" : SCRIPT}`;

const TEXT = {
  userName: payload("User"),
  agentName: payload("Agent"),
  instructions: payload("Instructions"),
  threadTitle: payload("Renamed"),
  memory: payload("Note"),
  taskGoal: payload("Task"),
  scheduleGoal: payload("Schedule"),
  teamName: payload("Team"),
  roleName: payload("Role", true),
  userAgent: payload("Browser"),
  toolOutput: payload("Output"),
  adjustmentReason: payload("Goodwill"),
};

let stack: AgentStack;
let browser: Browser;
let user: TestUser;
let admin: TestUser;
let agentId: string;
let threadId: string;
let teamId: string;
const contexts: BrowserContext[] = [];
const base = () => stack.worker.url;

function api<T>(who: TestUser, path: string, init: ApiInit = {}): Promise<T> {
  return apiOk<T>(base(), who, path, init);
}
const post = <T>(who: TestUser, path: string, body: unknown, method = "POST") => api<T>(who, path, { method, body: JSON.stringify(body) });

async function pageAs(who: TestUser, cookies: Record<string, string> = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  contexts.push(context);
  const pairs = [...who.cookie.split("; "), ...Object.entries(cookies).map(([k, v]) => `${k}=${v}`)];
  await context.addCookies(
    pairs.map((pair) => ({ name: pair.slice(0, pair.indexOf("=")), value: pair.slice(pair.indexOf("=") + 1), url: base() })),
  );
  return context.newPage();
}

/** Each text is on the page literally, nothing ran, and no element came out of a payload. */
async function expectInert(page: Page, texts: string[]): Promise<void> {
  for (const text of texts) await page.getByText(text).filter({ visible: true }).first().waitFor({ timeout: 15_000 });
  const found = await page.evaluate(() => ({
    xss: (window as unknown as { __xss?: unknown }).__xss,
    images: document.querySelectorAll('img[src="x"]').length,
    scripts: Array.from(document.scripts).filter((s) => s.textContent?.trim() === "window.__xss=1").length,
    handlers: document.querySelectorAll("[onerror]").length,
  }));
  expect(found, page.url()).toEqual({ xss: undefined, images: 0, scripts: 0, handlers: 0 });
}

beforeAll(async () => {
  // Each is kept as soon as it starts, so afterAll stops it even when the other one fails to start.
  const started = await Promise.allSettled([
    startAgentStack({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } }).then((s) => (stack = s)),
    launchBrowser().then((b) => (browser = b)),
  ]);
  for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
  [user, admin] = await Promise.all([signUpVerifiedUser(base()), signUpUser(base(), { email: ADMIN_EMAIL, name: "Ada Admin" })]);

  await post(user, "/api/auth/update-user", { name: TEXT.userName });
  // A session whose browser sent a User-Agent with markup (the admin sees it).
  const signIn = await fetch(`${base()}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base(), "cf-connecting-ip": "198.51.100.77", "user-agent": TEXT.userAgent },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  expect(signIn.status).toBe(200);

  agentId = (await post<{ id: string }>(user, "/api/agent", { name: TEXT.agentName, instructions: TEXT.instructions })).id;
  threadId = (await post<{ id: string }>(user, `/api/agent/${agentId}/threads`, {})).id;
  await post(user, `/api/agent/${agentId}/threads/${threadId}`, { title: TEXT.threadTitle }, "PATCH");
  await post(user, `/api/agent/${agentId}/memory`, { text: TEXT.memory });
  await post(user, `/api/agent/${agentId}/schedules`, { goal: TEXT.scheduleGoal, cron: "0 9 * * *", timezone: "UTC" });
  // One turn on this agent: usage rows name it, and the tool card shows markup the command printed.
  stack.model.enqueue(
    { toolCalls: [{ name: "exec", arguments: { command: `printf '%s' '${TEXT.toolOutput}'` } }] },
    { text: `Done. [click me](javascript:window.__xss=1) ${IMG}` },
  );
  await api(user, `/api/agent/${agentId}/threads/${threadId}/messages`, {
    method: "POST",
    headers: { accept: "application/json" },
    body: JSON.stringify({ text: "Print it" }),
  });
  await post(user, `/api/agent/${agentId}/tasks`, { goal: TEXT.taskGoal, stepBudget: 1, creditBudget: 1 });

  const userId = (await api<{ user: { id: string } }>(user, "/api/me")).user.id;
  await post(admin, `/api/admin/users/${userId}/credits`, { credits: 5, reason: TEXT.adjustmentReason });

  teamId = (await post<{ id: string }>(user, "/api/teams", { name: TEXT.teamName, slug: `xss-${randomUUID().slice(0, 8)}` })).id;
  await post(user, `/api/teams/${teamId}/roles`, { name: TEXT.roleName, permissions: ["agents.use"] });
}, 240_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.dispose();
});

describe("markup in every user-editable field is shown as text in Chromium", () => {
  it("on the agents list, the usage charts (agent name) and the transactions (an admin's adjustment reason)", async () => {
    const page = await pageAs(user);
    await gotoHydrated(page, `${base()}/agents`);
    await expectInert(page, [TEXT.agentName]);
    await gotoHydrated(page, `${base()}/usage`);
    await page.getByTestId("chart-agents").locator(".recharts-bar-rectangle").first().waitFor();
    await expectInert(page, [TEXT.agentName]);
    await gotoHydrated(page, `${base()}/billing/transactions`);
    await expectInert(page, [TEXT.adjustmentReason]);
  });

  it("in the agent workspace: agent name, renamed thread title, tool output, a javascript: link, memory, task and schedule", async () => {
    const page = await pageAs(user);
    await openThreadPage(page, `${base()}/agents/${agentId}/threads/${threadId}`);
    await expectInert(page, [TEXT.agentName, TEXT.threadTitle, `Done. click me ${IMG}`]);
    // Markdown links keep only safe protocols: the javascript: URL is not a link target.
    const link = page.getByTestId("assistant-message").getByText("click me");
    expect(await link.evaluate((el) => el.closest("a")?.getAttribute("href") ?? "")).not.toMatch(/^\s*javascript:/i);
    await link.click();
    const execCard = page.locator('[data-testid="tool-card"][data-tool="exec"]');
    await execCard.getByRole("button").first().click();
    await expectInert(page, [TEXT.toolOutput]);

    const workspace = page.getByRole("region", { name: "Workspace" });
    await workspace.getByRole("tab", { name: "Memory" }).click();
    await expectInert(page, [TEXT.memory]);
    await workspace.getByRole("tab", { name: "Tasks" }).click();
    await expectInert(page, [TEXT.taskGoal]);
    await workspace.getByRole("tab", { name: "Schedules" }).click();
    await expectInert(page, [TEXT.scheduleGoal]);
    await screenshot(page, "xss-sweep-workspace");
  });

  it("on the team page and in the account switcher: team name, member name and custom role name", async () => {
    const page = await pageAs(user, { "netm8-account": teamId });
    await gotoHydrated(page, `${base()}/team`);
    await page.getByTestId("team-settings").waitFor();
    await expectInert(page, [TEXT.teamName, TEXT.userName, TEXT.roleName]);
    await screenshot(page, "xss-sweep-team");
  });

  it("on the user's own settings pages (name, sessions)", async () => {
    const page = await pageAs(user);
    await gotoHydrated(page, `${base()}/settings/account`);
    await expectInert(page, [TEXT.userName]);
    await gotoHydrated(page, `${base()}/settings/sessions`);
    await page.getByRole("heading").first().waitFor();
    await expectInert(page, []);
  });

  it("in the admin panel: user name, their agent and team names and the session's User-Agent", async () => {
    const page = await pageAs(admin);
    await gotoHydrated(page, `${base()}/admin/users?q=${encodeURIComponent(user.email)}`);
    await expectInert(page, [TEXT.userName]);
    await page.getByTestId("admin-user-row").getByRole("link").click();
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await expectInert(page, [TEXT.userName, TEXT.agentName, TEXT.teamName, TEXT.userAgent]);
    await screenshot(page, "xss-sweep-admin-user");
    await gotoHydrated(page, `${base()}/admin/agents`);
    await expectInert(page, [TEXT.agentName]);
    await gotoHydrated(page, `${base()}/admin/analytics`);
    await expectInert(page, []);
  });
});
