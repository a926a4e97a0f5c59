import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { launchBrowser, addSessionCookie, openThreadPage, screenshotOnFailure } from "../support/browser.ts";
import { type ApiInit, apiOk } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

// Branches, export and share links of a thread in the chat (src/components/AgentChat/), in Chromium.

let stack: AgentStack;
let browser: Browser;
let user: TestUser;
let agentId: string;
const contexts: BrowserContext[] = [];
const base = () => stack.worker.url;

function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  return apiOk<T>(base(), user, path, init);
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel("Message", { exact: true });
  await composer.fill(text);
  await composer.press("Enter");
}

const answers = (page: Page) => page.getByTestId("assistant-message");
const userMessages = (page: Page) => page.getByTestId("user-message");
const positions = (page: Page) => page.getByTestId("branch-position");

async function downloaded(page: Page, linkName: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: linkName }).click()]);
  return readFile((await download.path())!, "utf8");
}

beforeAll(async () => {
  stack = await startAgentStack();
  browser = await launchBrowser();
  user = await signUpVerifiedUser(base(), { name: "Branch Tester" });
  agentId = (await api<{ agents: { id: string }[] }>("/api/agent")).agents[0]!.id;
}, 180_000);

beforeEach((test) => {
  stack?.model.reset();
  screenshotOnFailure(test, () => contexts.flatMap((c) => c.pages()));
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

describe("branches, export and sharing in the chat", () => {
  it("edits a message, navigates < 1/2 > after a reload, regenerates, exports, and shares a link that stops after revoke", async () => {
    const threadId = (await api<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST", body: "{}" })).id;
    const context = await browser.newContext();
    contexts.push(context);
    await addSessionCookie(context, user.cookie, base());
    const page = await context.newPage();
    const threadUrl = `${base()}/agents/${agentId}/threads/${threadId}`;
    await openThreadPage(page, threadUrl);

    await send(page, "first question");
    await answers(page).getByText("Echo: first question").waitFor();
    await send(page, "second question");
    await answers(page).getByText("Echo: second question").waitFor();

    // Edit the second message: a new version 2/2 is answered in its place.
    await page.getByRole("button", { name: "Edit message" }).nth(1).click();
    await page.getByRole("textbox", { name: "Edit message" }).fill("second question, edited");
    await page.getByRole("button", { name: "Send edit" }).click();
    await answers(page).getByText("Echo: second question, edited").waitFor({ timeout: 20_000 });
    await expect.poll(() => positions(page).allTextContents(), { timeout: 15_000 }).toEqual(["2/2"]);
    await expect.poll(() => userMessages(page).allTextContents()).toEqual(["first question", "second question, edited"]);

    // After a reload the versions are still there: < goes back to the original message and its answer.
    await openThreadPage(page, threadUrl);
    await expect.poll(() => positions(page).allTextContents(), { timeout: 15_000 }).toEqual(["2/2"]);
    await page.getByRole("button", { name: "Previous version" }).click();
    await expect.poll(() => userMessages(page).allTextContents(), { timeout: 15_000 }).toEqual(["first question", "second question"]);
    await answers(page).getByText("Echo: second question", { exact: true }).waitFor();
    await expect.poll(() => positions(page).allTextContents()).toEqual(["1/2"]);
    await page.getByRole("button", { name: "Next version" }).click();
    await expect
      .poll(() => userMessages(page).allTextContents(), { timeout: 15_000 })
      .toEqual(["first question", "second question, edited"]);

    // Regenerate the last answer: a second version of the answer, with its own < 2/2 >.
    stack.model.enqueue({ text: "Another take on it" });
    await page.getByRole("button", { name: "Regenerate" }).last().click();
    await answers(page).getByText("Another take on it").waitFor({ timeout: 20_000 });
    const stored = await api<{ messages: { parts: { type: string; text?: string }[] }[] }>(
      `/api/agent/${agentId}/threads/${threadId}/messages`,
    );
    expect(stored.messages.map((m) => m.parts.map((p) => p.text ?? "").join(""))).toEqual([
      "first question",
      "Echo: first question",
      "second question, edited",
      "Another take on it",
    ]);
    await expect.poll(() => positions(page).allTextContents(), { timeout: 15_000 }).toEqual(["2/2", "2/2"]);
    await expect.poll(() => answers(page).count(), { timeout: 15_000 }).toBe(2);

    // Export: the downloads hold the active branch.
    const markdown = await downloaded(page, "Download as Markdown");
    expect(markdown).toContain("first question");
    expect(markdown).toContain("second question, edited");
    expect(markdown).toContain("Another take on it");
    expect(markdown).not.toContain("Echo: second question, edited");
    const json = JSON.parse(await downloaded(page, "Download as JSON")) as { messages: { role: string }[] };
    expect(json.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);

    // Share: a signed-out browser sees the snapshot; after revoke the link is gone.
    await page.getByRole("button", { name: "Share", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Share this thread" });
    await dialog.getByRole("button", { name: "Create link" }).click();
    const linkBox = dialog.getByRole("textbox", { name: "Share link" });
    await linkBox.waitFor();
    const link = await linkBox.inputValue();
    expect(link).toMatch(/\/share\/[a-z0-9]{32}$/);

    const outsider = await browser.newContext();
    contexts.push(outsider);
    const publicPage = await outsider.newPage();
    const opened = await publicPage.goto(link);
    expect(opened?.status()).toBe(200);
    await publicPage.getByText("Another take on it").waitFor();
    await publicPage.getByText("second question, edited").waitFor();
    expect(await publicPage.getByRole("textbox", { name: "Message" }).count()).toBe(0);

    await dialog.getByRole("button", { name: "Revoke" }).click();
    await dialog.getByText("No active links.").waitFor();
    const afterRevoke = await publicPage.goto(link);
    expect(afterRevoke?.status()).toBe(404);
    expect(await publicPage.getByText("Another take on it").count()).toBe(0);
  });
});
