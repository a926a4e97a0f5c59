import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { launchBrowser, screenshot, VIEWPORTS, addSessionCookie, openThreadPage, screenshotOnFailure } from "../support/browser.ts";
import { type ApiInit, apiOk } from "../support/http.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";

// The agent settings page (src/components/AgentChat/agent-settings.tsx) and the chat's speed-of-use pieces: starter
// prompts, keyboard shortcuts, date groups and pinned chats, in Chromium against the real Worker and the fake model.

const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;
const OTHER_MODEL = "qwen3:4b";

let stack: AgentStack;
let browser: Browser;
let user: TestUser;
let agentId: string;
let lastContext: BrowserContext | undefined;
const base = () => stack.worker.url;

function api<T>(path: string, init: ApiInit = {}, who: TestUser = user): Promise<T> {
  return apiOk<T>(base(), who, path, init);
}
const newThread = async (title?: string) =>
  (await api<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST", body: title ? { title } : {} })).id;

async function newPage(): Promise<Page> {
  const context = (lastContext = await browser.newContext({ viewport: VIEWPORTS.desktop }));
  await addSessionCookie(context, user.cookie, base());
  return context.newPage();
}

async function openThread(page: Page, threadId: string): Promise<void> {
  await openThreadPage(page, `${base()}/agents/${agentId}/threads/${threadId}`);
}

beforeAll(async () => {
  const started = await Promise.allSettled([
    startAgentStack({ model: { model: ["gpt-oss:20b", OTHER_MODEL] }, vars: { ADMIN_EMAILS: ADMIN_EMAIL } }).then((s) => (stack = s)),
    launchBrowser().then((b) => (browser = b)),
  ]);
  for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
  const admin = await signUpUser(base(), { email: ADMIN_EMAIL, name: "Ada Admin" });
  await api(
    "/api/admin/models",
    {
      method: "POST",
      body: {
        id: OTHER_MODEL,
        label: "Qwen3 4B",
        provider: "openai-compatible",
        inputMillicreditsPer1k: 50,
        outputMillicreditsPer1k: 150,
        contextWindowTokens: 32768,
      },
    },
    admin,
  );
  user = await signUpVerifiedUser(base(), { name: "Settings Tester" });
  agentId = (await api<{ agents: { id: string }[] }>("/api/agent")).agents[0]!.id;
}, 180_000);

beforeEach((test) => {
  stack?.model.reset();
  screenshotOnFailure(test, () => lastContext?.pages() ?? []);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

describe("the agent settings page", () => {
  it("changes the model and instructions, shows them after a reload, and the next turn uses them", async () => {
    const page = await newPage();
    await openThread(page, await newThread());
    await page.getByRole("link", { name: "Agent settings" }).click();
    await page.waitForURL(new RegExp(`/agents/${agentId}/settings$`));
    const form = page.getByRole("form", { name: "Agent settings" });
    const model = form.getByLabel("Model");
    // The picker offers the enabled catalog with prices.
    await expect
      .poll(() => model.locator("option").allTextContents())
      .toContainEqual(expect.stringContaining("Qwen3 4B: 0.05 in / 0.15 out"));
    await model.selectOption(OTHER_MODEL);
    await form.getByLabel("Instructions").fill("Always answer in exactly one sentence.");
    await form.getByLabel("Credit cap per turn").fill("-3");
    await form.getByRole("button", { name: "Save settings" }).click();
    // A bad value is said clearly and nothing is saved.
    await page.getByRole("alert").filter({ hasText: "The credit cap per turn must be a positive number" }).waitFor();
    expect((await api<{ model: string }>(`/api/agent/${agentId}`)).model).toBe("gpt-oss:20b");
    await form.getByLabel("Credit cap per turn").fill("5");
    await form.getByRole("button", { name: "Save settings" }).click();
    await form.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    await screenshot(page, "agent-settings");

    await page.reload();
    await page.getByRole("form", { name: "Agent settings" }).waitFor();
    expect(await page.getByLabel("Model").inputValue()).toBe(OTHER_MODEL);
    expect(await page.getByLabel("Instructions").inputValue()).toBe("Always answer in exactly one sentence.");
    expect(await page.getByLabel("Credit cap per turn").inputValue()).toBe("5");

    await openThread(page, await newThread());
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("Which model are you?");
    await composer.press("Enter");
    await page.getByText("Echo: Which model are you?").waitFor();
    const request = stack.model.requests.at(-1)!;
    expect(request.body?.model).toBe(OTHER_MODEL);
    expect(JSON.stringify(request.body?.messages[0])).toContain("Always answer in exactly one sentence.");
    await page.context().close();
  }, 120_000);
});

describe("speed of use", () => {
  it("offers starter prompts on an empty chat, and clicking one sends it", async () => {
    const page = await newPage();
    await openThread(page, await newThread());
    const starters = page.getByRole("list", { name: "Starter prompts" });
    const first = starters.getByRole("button").first();
    const prompt = (await first.textContent())!.trim();
    expect(prompt.length).toBeGreaterThan(5);
    await first.click();
    await page.getByTestId("user-message").filter({ hasText: prompt }).waitFor();
    await page.getByText(`Echo: ${prompt}`).waitFor();
    expect(stack.model.requests.at(-1)?.lastUserMessage).toBe(prompt);
    await starters.waitFor({ state: "detached" });
    await page.context().close();
  }, 90_000);

  it("opens the shortcuts with ? and starts a new chat with its shortcut", async () => {
    const page = await newPage();
    const before = await newThread();
    await openThread(page, before);
    // Single-key shortcuts do not fire while typing in the message box.
    await page.getByLabel("Message", { exact: true }).press("?");
    expect(await page.getByRole("dialog", { name: "Keyboard shortcuts" }).count()).toBe(0);
    await page.getByTestId("thread-title").click();
    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await dialog.getByText("New chat").waitFor();
    await dialog.getByText("Stop the answer").waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    // The header's button opens it too.
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    await dialog.waitFor();
    await page.keyboard.press("Escape");

    await page.keyboard.press("Alt+Shift+KeyN");
    await page.waitForURL((url) => /\/threads\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith(before));
    await page.locator('form[data-connected="true"]').waitFor();
    await page.getByRole("list", { name: "Starter prompts" }).waitFor();
    await page.context().close();
  }, 90_000);

  it("groups chats by date, keeps a pinned chat on top after a reload, and marks task threads", async () => {
    // A chat from ten days ago (the agent's clock set back while it was made).
    await apiOk(base(), user, "/api/test/clock", {
      method: "POST",
      body: { agentId, now: new Date(Date.now() - 10 * 86_400_000).toISOString() },
    });
    const ancient = await newThread("Ancient plans");
    await apiOk(base(), user, "/api/test/clock", { method: "POST", body: { agentId, now: null } });
    await newThread("Fresh ideas");
    stack.model.enqueue({ text: "Task done." });
    await api(`/api/agent/${agentId}/tasks`, { method: "POST", body: { goal: "Tidy the notes", stepBudget: 1 } });

    const page = await newPage();
    await openThread(page, await newThread());
    const chats = page.getByRole("complementary", { name: "Chat history" });
    await chats.getByRole("heading", { name: "Today" }).waitFor();
    await chats.getByRole("heading", { name: "Older" }).waitFor();
    await chats
      .getByRole("list", { name: "Chats of Older" })
      .getByRole("link", { name: /Ancient plans/ })
      .waitFor();
    await chats
      .getByRole("link", { name: /Task: Tidy the notes/ })
      .getByRole("img", { name: "Task" })
      .waitFor();

    await chats.getByRole("button", { name: "Pin Ancient plans" }).click();
    await chats
      .getByRole("list", { name: "Pinned chats" })
      .getByRole("link", { name: /Ancient plans/ })
      .waitFor();
    expect(
      (await api<{ threads: { id: string; pinned: boolean }[] }>(`/api/agent/${agentId}/threads`)).threads.find((t) => t.id === ancient)
        ?.pinned,
    ).toBe(true);

    await page.reload();
    await chats.getByRole("list", { name: "Pinned chats" }).waitFor();
    const headings = await chats.getByRole("heading").allTextContents();
    expect(headings[0]).toBe("Pinned");
    expect(headings).toContain("Today");
    expect(await chats.getByTestId("thread-item").first().textContent()).toContain("Ancient plans");
    await screenshot(page, "agent-settings-sidebar");

    await chats.getByRole("button", { name: "Unpin Ancient plans" }).click();
    await chats.getByRole("list", { name: "Pinned chats" }).waitFor({ state: "detached" });
    await page.context().close();
  }, 120_000);
});
