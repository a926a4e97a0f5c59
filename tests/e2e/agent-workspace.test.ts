import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import {
  gotoHydrated,
  horizontalOverflow,
  launchBrowser,
  screenshot,
  VIEWPORTS,
  addSessionCookie,
  openThreadPage,
  screenshotOnFailure,
} from "../support/browser.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { type ApiInit, apiOk } from "../support/http.ts";

let stack: AgentStack;
let browser: Browser;
let user: TestUser;
let agentId: string;
const base = () => stack.worker.url;
const XSS = "<img src=x onerror=alert(1)>";

function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  return apiOk<T>(base(), user, path, init);
}

const newThread = async () => (await api<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST", body: "{}" })).id;

let lastContext: BrowserContext | undefined;

async function newContext(viewport: keyof typeof VIEWPORTS = "desktop"): Promise<BrowserContext> {
  const context = (lastContext = await browser.newContext({ viewport: VIEWPORTS[viewport] }));
  await addSessionCookie(context, user.cookie, base());
  return context;
}

/** Opens a thread and waits until its chat is connected and ready for input. */
async function openThread(page: Page, threadId: string): Promise<void> {
  await openThreadPage(page, `${base()}/agents/${agentId}/threads/${threadId}`);
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel("Message", { exact: true });
  await composer.fill(text);
  await composer.press("Enter");
}

const lastAnswer = (page: Page) => page.getByTestId("assistant-message").last();

/** Watches for any JavaScript dialog (an injected alert would open one). */
function trackDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return dialogs;
}

beforeAll(async () => {
  stack = await startAgentStack();
  browser = await launchBrowser();
  user = await signUpVerifiedUser(base(), { name: "Workspace Tester" });
  agentId = (await api<{ agents: { id: string }[] }>("/api/agent")).agents[0]!.id;
}, 180_000);

// A test that failed early must not leave scripted answers behind for the next one.
beforeEach((test) => {
  stack?.model.reset();
  screenshotOnFailure(test, () => lastContext?.pages() ?? []);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

describe("agent workspace in Chromium against the real Worker, sandboxd and the fake model", () => {
  it("opens the default agent from the agents list into a chat", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await gotoHydrated(page, `${base()}/agents`);
    await page.getByRole("link", { name: "My agent" }).click();
    await page.waitForURL(new RegExp(`/agents/${agentId}/threads/[a-z0-9]{12}$`));
    await page.getByLabel("Message", { exact: true }).waitFor();
    await context.close();
  });

  it("streams the answer in, then shows its cost", async () => {
    const threadId = await newThread();
    const answer = "Streaming works: the quick brown fox jumps over the lazy dog, one small chunk at a time, until the very end.";
    stack.model.enqueue({ text: answer, chunkSize: 4, delayMsBetweenChunks: 60 });
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, threadId);
    await send(page, "Tell me something");
    await page.getByTestId("user-message").filter({ hasText: "Tell me something" }).waitFor();
    // Part of the answer is on screen while the rest is still coming.
    await page.waitForFunction(
      (full) => {
        const el = document.querySelector('[data-testid="assistant-message"]');
        const text = el?.textContent ?? "";
        return text.startsWith("Streaming") && !text.includes(full.slice(-20));
      },
      answer,
      { timeout: 20_000 },
    );
    expect(await page.getByRole("button", { name: "Stop" }).isVisible()).toBe(true);
    await lastAnswer(page).getByText("until the very end.").waitFor({ timeout: 20_000 });
    await lastAnswer(page).getByTestId("turn-cost").waitFor();
    expect(await lastAnswer(page).getByTestId("turn-cost").textContent()).toMatch(/credits$/);
    await page.getByRole("button", { name: "Send" }).waitFor();
    await context.close();
  });

  it("colours a code block in an answer once its grammar has loaded on demand", async () => {
    const threadId = await newThread();
    stack.model.enqueue({ text: "Here:\n\n```ts\nconst answer: number = 42; // the answer\n```\n" });
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, threadId);
    await send(page, "Show me code");
    const code = lastAnswer(page).locator('code[data-highlighted="true"]');
    await code.waitFor({ timeout: 20_000 });
    expect(await code.textContent()).toBe("const answer: number = 42; // the answer");
    expect(await code.locator("span.text-violet-700").first().textContent()).toBe("const");
    await context.close();
  });

  it("shows a tool card with the exec result and opens, edits and saves the file the agent wrote", async () => {
    const threadId = await newThread();
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, threadId);
    stack.model.enqueue(
      { toolCalls: [{ name: "write_file", arguments: { path: "notes/agent.txt", content: "written by the agent\n" } }] },
      { toolCalls: [{ name: "exec", arguments: { command: "cat notes/agent.txt" } }] },
      { text: "The file says: written by the agent" },
    );
    await send(page, "Write notes/agent.txt and show it");
    const execCard = page.locator('[data-testid="tool-card"][data-tool="exec"][data-state="output-available"]');
    await execCard.waitFor({ timeout: 30_000 });
    expect(await execCard.textContent()).toContain("exit 0");
    await execCard.getByRole("button").first().click();
    await execCard.getByText("written by the agent").waitFor();
    await lastAnswer(page).getByText("The file says").waitFor();

    // The workspace panel refreshed when the agent wrote the file.
    const workspace = page.getByRole("region", { name: "Workspace" });
    await workspace.getByRole("button", { name: "Folder notes" }).click();
    await workspace.getByRole("button", { name: "File agent.txt" }).click();
    const editor = workspace.getByLabel("Contents of notes/agent.txt");
    await editor.waitFor();
    await page.waitForFunction(() => document.querySelector(".cm-content")?.textContent?.includes("written by the agent"));
    await editor.click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("edited in the browser");
    await workspace.getByRole("button", { name: "Save file" }).click();
    await workspace.getByRole("status").filter({ hasText: "Saved notes/agent.txt" }).waitFor();
    expect(await api<string>(`/api/agent/${agentId}/files?path=notes/agent.txt`)).toBe("written by the agent\nedited in the browser");
    await context.close();
  });

  it("completes an answer once after a reload in the middle of the stream", async () => {
    const threadId = await newThread();
    const answer = `Resumable answer ${"lorem ipsum dolor sit amet ".repeat(8)}THE END.`;
    stack.model.enqueue({ text: answer, chunkSize: 4, delayMsBetweenChunks: 80 });
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, threadId);
    await send(page, "Answer slowly");
    await lastAnswer(page).getByText("Resumable answer").waitFor({ timeout: 20_000 });
    expect(await lastAnswer(page).textContent()).not.toContain("THE END.");
    await page.reload({ waitUntil: "load" });
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByText("THE END.").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Send" }).waitFor();
    const scroller = page.getByTestId("chat-scroller");
    const text = (await scroller.textContent()) ?? "";
    expect(text.split("Resumable answer").length - 1).toBe(1);
    expect(text.split("THE END.").length - 1).toBe(1);
    expect(await page.getByTestId("assistant-message").count()).toBe(1);
    await context.close();
  });

  it("stops a running turn with the stop button", async () => {
    const threadId = await newThread();
    stack.model.enqueue({ text: "This answer never finishes ".repeat(200), chunkSize: 4, delayMsBetweenChunks: 100 });
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, threadId);
    const requestsBefore = stack.model.requests.length;
    await send(page, "Talk forever");
    await lastAnswer(page).getByText("This answer never").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByRole("button", { name: "Send" }).waitFor({ timeout: 15_000 });
    await stack.model.waitFor(
      () => stack.model.requests.slice(requestsBefore).some((r) => r.aborted),
      15_000,
      "the model request to be aborted",
    );
    const { threads } = await api<{ threads: { id: string; running: boolean }[] }>(`/api/agent/${agentId}/threads`);
    await expect
      .poll(async () => (await api<{ running: boolean }>(`/api/agent/${agentId}/threads/${threadId}`)).running, { timeout: 10_000 })
      .toBe(false);
    expect(threads.some((t) => t.id === threadId)).toBe(true);
    await context.close();
  });

  it("pauses a turn that repeats itself, says so under the answer, and lists the refund in the transactions", async () => {
    const threadId = await newThread();
    const command = "echo 'tests failed: 1 of 9' >&2; exit 1";
    stack.model.enqueue(...Array.from({ length: 5 }, () => ({ toolCalls: [{ name: "exec", arguments: { command } }] })));
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, threadId);
    await send(page, "Make the tests pass");
    await lastAnswer(page).getByText("Paused: the agent made the same tool call 3 times in a row").waitFor({ timeout: 30_000 });
    const marker = lastAnswer(page).getByTestId("turn-loop");
    await marker.waitFor();
    expect(await marker.textContent()).toMatch(/Paused: repeated 3× · [\d.]+ credits refunded/);
    // The pause is stored with the answer: a reload shows it again.
    await openThread(page, threadId);
    await lastAnswer(page).getByTestId("turn-loop").waitFor();

    await gotoHydrated(page, `${base()}/billing/transactions`);
    await page.getByLabel("Kind").selectOption("loop_refund");
    const refund = page.getByTestId("transaction-row").first();
    await refund.waitFor();
    expect(await refund.getAttribute("data-kind")).toBe("loop_refund");
    expect(await refund.textContent()).toContain("Loop refund");
    await context.close();
  });

  it("finds an old chat by a word from its messages and opens it", async () => {
    const oldThread = await newThread();
    await api(`/api/agent/${agentId}/threads/${oldThread}/messages`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: JSON.stringify({ text: "Remember the zebrafish experiment" }),
    });
    const current = await newThread();
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, current);
    const history = page.getByRole("navigation", { name: "Chats" });
    await history.getByLabel("Search chats").fill("zebrafish");
    const results = history.getByRole("list", { name: "Search results" });
    await results.getByRole("link", { name: /Remember the zebrafish experiment/ }).click();
    await page.waitForURL(new RegExp(`/threads/${oldThread}$`));
    await page.getByTestId("user-message").filter({ hasText: "Remember the zebrafish experiment" }).waitFor();
    await lastAnswer(page).getByText("Echo: Remember the zebrafish experiment").waitFor();
    expect(await page.getByTestId("thread-title").textContent()).toBe("Remember the zebrafish experiment");
    await context.close();
  });

  it("keeps two tabs of the same agent in sync", async () => {
    const threadId = await newThread();
    const context = await newContext();
    const [tabA, tabB] = [await context.newPage(), await context.newPage()];
    await openThread(tabA, threadId);
    await openThread(tabB, threadId);
    await send(tabA, "Hello from tab A");
    await tabB.getByTestId("user-message").filter({ hasText: "Hello from tab A" }).waitFor({ timeout: 20_000 });
    await lastAnswer(tabB).getByText("Echo: Hello from tab A").waitFor({ timeout: 20_000 });
    // The thread was titled from its first message; tab B's header follows.
    await tabB.getByTestId("thread-title").filter({ hasText: "Hello from tab A" }).waitFor();
    await tabA.getByRole("button", { name: "Rename Hello from tab A" }).click();
    const dialog = tabA.getByRole("dialog", { name: "Rename chat" });
    await dialog.getByLabel("Chat title").fill("Renamed in tab A");
    await dialog.getByRole("button", { name: "Save" }).click();
    await tabB.getByTestId("thread-title").filter({ hasText: "Renamed in tab A" }).waitFor();
    await tabB
      .getByRole("navigation", { name: "Chats" })
      .getByRole("link", { name: /Renamed in tab A/ })
      .waitFor();
    await context.close();
  });

  it("renders user text as text in messages, thread titles and file names", async () => {
    const threadId = await newThread();
    await api(`/api/agent/${agentId}/files?path=${encodeURIComponent(`${XSS}.txt`)}`, {
      method: "PUT",
      body: "x",
      headers: { "content-type": "application/octet-stream" },
    });
    const context = await newContext();
    const page = await context.newPage();
    const dialogs = trackDialogs(page);
    await openThread(page, threadId);
    await send(page, XSS);
    await page.getByTestId("user-message").filter({ hasText: XSS }).waitFor();
    await lastAnswer(page).getByText(`Echo: ${XSS}`).waitFor({ timeout: 20_000 });
    await page.getByRole("navigation", { name: "Chats" }).getByRole("link", { name: XSS }).waitFor();
    await page.getByTestId("thread-title").filter({ hasText: XSS }).waitFor();
    await page
      .getByRole("region", { name: "Workspace" })
      .getByRole("button", { name: `File ${XSS}.txt` })
      .waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  for (const viewport of ["desktop", "phone"] as const) {
    it(`lays out the chat and the workspace without cut-off controls at ${viewport} width`, async () => {
      const threadId = await newThread();
      await api(`/api/agent/${agentId}/threads/${threadId}/messages`, {
        method: "POST",
        headers: { accept: "application/json" },
        body: JSON.stringify({ text: "Show me the workspace [[tool:exec:ls -la]]" }),
      });
      const context = await newContext(viewport);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await openThread(page, threadId);
      await page.locator('[data-testid="tool-card"][data-tool="exec"]').waitFor();
      expect(await horizontalOverflow(page)).toEqual([]);
      await screenshot(page, `agent-chat-${viewport}`);
      if (viewport === "phone") {
        await page.getByRole("button", { name: "Show workspace" }).click();
        await page.getByRole("dialog", { name: "Workspace panel" }).waitFor();
      }
      const workspace = page.getByRole("region", { name: "Workspace" });
      await workspace.getByRole("list", { name: "Workspace files" }).getByRole("button").first().waitFor();
      expect(await horizontalOverflow(page)).toEqual([]);
      await screenshot(page, `agent-workspace-${viewport}`);
      await workspace.getByRole("tab", { name: "Terminal" }).click();
      const terminal = workspace.locator('[data-testid="terminal-session"][data-state="connected"]');
      await terminal.waitFor({ timeout: 20_000 });
      await terminal.getByTestId("terminal-screen").click();
      await page.keyboard.type("echo terminal-$((40+2))\n");
      await terminal.getByText("terminal-42").waitFor({ timeout: 20_000 });
      await screenshot(page, `agent-terminal-${viewport}`);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it("starts and stops an autonomous task from the tasks tab, with its progress shown live", async () => {
    stack.model.when(
      { lastUserMessageIncludes: "Wait for a long time" },
      { toolCalls: [{ name: "exec", arguments: { command: "sleep 60" } }] },
    );
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, await newThread());
    const workspace = page.getByRole("region", { name: "Workspace" });
    await workspace.getByRole("tab", { name: "Tasks" }).click();
    await workspace.getByLabel("Task goal").fill("Wait for a long time");
    await workspace.getByRole("button", { name: "Start task" }).click();
    const task = workspace.getByRole("listitem", { name: "Task: Wait for a long time" });
    await task.and(page.locator('[data-status="running"]')).waitFor({ timeout: 20_000 });
    await screenshot(page, "agent-tasks-desktop");
    // Schedules have their own tab (issue 23 item 8); they were a section under the tasks.
    await workspace.getByRole("tab", { name: "Schedules" }).click();
    await workspace.getByLabel("Cron expression").fill("30 8 * * 1");
    expect(await workspace.getByTestId("cron-description").textContent()).toContain("Every Monday at 08:30");
    await workspace.getByRole("tab", { name: "Tasks" }).click();
    await task.getByRole("button", { name: "Stop task" }).click();
    await task.and(page.locator('[data-status="stopped"]')).waitFor({ timeout: 20_000 });
    const { tasks } = await api<{ tasks: { goal: string; status: string }[] }>(`/api/agent/${agentId}/tasks`);
    expect(tasks.find((t) => t.goal === "Wait for a long time")?.status).toBe("stopped");
    await context.close();
  });

  it("sets a secret whose value is never shown again", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, await newThread());
    const workspace = page.getByRole("region", { name: "Workspace" });
    // Secrets have their own tab (issue 23 item 8); they were a section of Memory.
    await workspace.getByRole("tab", { name: "Secrets" }).click();
    await workspace.getByLabel("Secret name", { exact: true }).fill("DEPLOY_TOKEN");
    await workspace.getByLabel("Secret value").fill("sup3r-secret-value");
    await workspace.getByRole("button", { name: "Set" }).click();
    const names = workspace.getByRole("list", { name: "Secret names" });
    await names.getByText("DEPLOY_TOKEN").waitFor();
    // A secret only the platform needs: commands do not get it.
    await workspace.getByLabel("Secret name", { exact: true }).fill("SIGNING_KEY");
    await workspace.getByLabel("Secret value").fill("signing-key-value");
    await workspace.getByLabel("Commands get it").uncheck();
    await workspace.getByRole("button", { name: "Set" }).click();
    await names.getByText("not in commands").waitFor();
    const { secrets } = await api<{ secrets: { name: string; commands: boolean }[] }>(`/api/agent/${agentId}/secrets`);
    expect(secrets.map(({ name, commands }) => ({ name, commands }))).toEqual([
      { name: "DEPLOY_TOKEN", commands: true },
      { name: "SIGNING_KEY", commands: false },
    ]);
    await page.reload({ waitUntil: "load" });
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByRole("region", { name: "Workspace" }).getByRole("tab", { name: "Secrets" }).click();
    await page.getByRole("list", { name: "Secret names" }).getByText("DEPLOY_TOKEN").waitFor();
    expect(await page.content()).not.toContain("sup3r-secret-value");
    await context.close();
  });

  it("starts from the React template and shows its page in the preview tab", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, await newThread());
    const workspace = page.getByRole("region", { name: "Workspace" });
    await workspace.getByRole("tab", { name: "Preview" }).click();
    await workspace.getByRole("list", { name: "Templates" }).waitFor();
    await screenshot(page, "agent-templates-desktop");
    await workspace.getByRole("button", { name: "Start from React (Vite)" }).click();
    await workspace.getByRole("progressbar", { name: "Template progress" }).waitFor();
    await workspace.getByTestId("preview-url").waitFor({ timeout: 280_000 });
    const frame = page.frameLocator('iframe[title="Preview of port 8080"]');
    await frame.getByRole("heading", { name: "Hello from React" }).waitFor({ timeout: 60_000 });
    await screenshot(page, "agent-preview-desktop");
    await context.close();
  }, 300_000);

  it("creates, renames and deletes an agent with confirmation", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await gotoHydrated(page, `${base()}/agents`);
    await page.getByRole("button", { name: "New agent" }).click();
    const create = page.getByRole("dialog", { name: "New agent" });
    await create.getByLabel("Name").fill("Scratch agent");
    await create.getByRole("button", { name: "Create agent" }).click();
    // Create opens the new agent; its card is on the list when one goes back.
    await page.waitForURL(/\/agents\/[a-z0-9]+\/threads\/[a-z0-9]{12}$/);
    await gotoHydrated(page, `${base()}/agents`);
    const card = page.getByRole("listitem", { name: "Scratch agent" });
    await card.waitFor();
    await card.getByRole("button", { name: "Actions for Scratch agent" }).click();
    await card.getByRole("menuitem", { name: "Rename" }).click();
    const rename = page.getByRole("dialog", { name: "Rename agent" });
    await rename.getByLabel("Name").fill("Renamed agent");
    await rename.getByRole("button", { name: "Save" }).click();
    const renamed = page.getByRole("listitem", { name: "Renamed agent" });
    await renamed.waitFor();
    await screenshot(page, "agents-list-desktop");
    await renamed.getByRole("button", { name: "Actions for Renamed agent" }).click();
    await renamed.getByRole("menuitem", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete agent?" });
    await confirm.getByRole("button", { name: "Delete agent" }).click();
    await renamed.waitFor({ state: "detached" });
    const { agents } = await api<{ agents: { name: string }[] }>("/api/agent");
    expect(agents.map((a) => a.name)).toEqual(["My agent"]);
    await context.close();
  });
  it("shows a failed turn with the model's endpoint and answers on retry", async () => {
    const removeRule = stack.model.when({ lastUserMessageIncludes: "fail please" }, { error: { status: 500, message: "model exploded" } });
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, await newThread());
    await send(page, "fail please");
    const alert = page.getByTestId("chat-scroller").getByRole("alert");
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toContain(new URL(stack.model.url).host);
    await screenshot(page, "agent-chat-error-desktop");
    removeRule();
    await alert.getByRole("button", { name: "Retry" }).click();
    await lastAnswer(page).getByText("Echo: fail please").waitFor({ timeout: 30_000 });
    expect(await alert.count()).toBe(0);
    await context.close();
  });

  // Last: it spends the account's credits.
  it("says the account is out of credits and links to billing", async () => {
    const { accountId, available } = await api<{ accountId: string; available: number }>("/api/credits");
    const millis = Math.round(available * 1000);
    await api("/api/test/ledger", {
      method: "POST",
      body: JSON.stringify({ action: "spend", accountId, maxCost: millis, actualCost: millis }),
    });
    const context = await newContext();
    const page = await context.newPage();
    await openThread(page, await newThread());
    await send(page, "Are you there?");
    const notice = page.getByTestId("chat-scroller").getByRole("alert");
    await notice.waitFor({ timeout: 20_000 });
    expect(await notice.getByRole("link", { name: "Buy credits" }).getAttribute("href")).toBe("/billing");
    await screenshot(page, "agent-chat-no-credits-desktop");
    await context.close();
  });
});
