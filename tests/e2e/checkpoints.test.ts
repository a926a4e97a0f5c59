import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { launchBrowser, addSessionCookie, openThreadPage, screenshotOnFailure } from "../support/browser.ts";
import { type ApiInit, apiOk } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

let stack: AgentStack;
let browser: Browser;
let user: TestUser;
let agentId: string;
let context: BrowserContext | undefined;
const base = () => stack.worker.url;

function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  return apiOk<T>(base(), user, path, init);
}

async function fileText(path: string): Promise<string> {
  const response = await fetch(`${base()}/api/agent/${agentId}/files?path=${encodeURIComponent(path)}`, { headers: user.headers() });
  return response.status === 200 ? response.text() : `(${response.status})`;
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel("Message", { exact: true });
  await composer.fill(text);
  await composer.press("Enter");
}

beforeAll(async () => {
  stack = await startAgentStack();
  browser = await launchBrowser();
  user = await signUpVerifiedUser(base(), { name: "Checkpoint Tester" });
  agentId = (await api<{ agents: { id: string }[] }>("/api/agent")).agents[0]!.id;
}, 180_000);

beforeEach((test) => {
  stack?.model.reset();
  screenshotOnFailure(test, () => context?.pages() ?? []);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

describe("checkpoints in the chat, in Chromium", () => {
  it("shows a turn's diff with its changed line, and Restore to here puts the files back (and can be undone)", async () => {
    await api(`/api/agent/${agentId}/files?path=app.txt`, { method: "PUT", body: "line one\nline two\n" });
    const threadId = (await api<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST", body: "{}" })).id;
    context = await browser.newContext();
    await addSessionCookie(context, user.cookie, base());
    const page = await context.newPage();
    await openThreadPage(page, `${base()}/agents/${agentId}/threads/${threadId}`);

    stack.model.enqueue(
      { toolCalls: [{ name: "write_file", arguments: { path: "app.txt", content: "line one\nline 2 changed\n" } }] },
      { text: "Changed the second line." },
    );
    await send(page, "Change the second line");
    const firstTurn = page.getByTestId("turn-changes").first();
    await firstTurn.getByText("Files changed in this turn").click();
    const patch = firstTurn.getByTestId("diff-patch");
    await expect.poll(() => patch.textContent(), { timeout: 15_000 }).toContain("+line 2 changed");
    expect(await patch.textContent()).toContain("-line two");

    stack.model.enqueue(
      { toolCalls: [{ name: "write_file", arguments: { path: "app.txt", content: "third version\n" } }] },
      { text: "Rewrote it." },
    );
    await send(page, "Rewrite the file");
    await page.getByTestId("turn-changes").nth(1).waitFor();
    expect(await fileText("app.txt")).toBe("third version\n");

    // After a reload the turns still carry their changes; restoring to the first turn undoes the second.
    await page.reload();
    await page.locator('form[data-connected="true"]').waitFor();
    await page.getByTestId("turn-changes").first().getByRole("button", { name: "Restore to here" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Restore to here" }).click();
    await page.getByRole("status").filter({ hasText: "Files restored." }).waitFor();
    expect(await fileText("app.txt")).toBe("line one\nline 2 changed\n");

    await page.getByRole("button", { name: "Undo the restore" }).click();
    await expect.poll(() => fileText("app.txt"), { timeout: 15_000 }).toBe("third version\n");

    // The Changes tab lists the checkpoints; the first one's diff to now shows the line as it is now.
    await page.getByRole("tab", { name: "Changes" }).click();
    const changes = page.getByTestId("changes-tab");
    await changes
      .getByRole("button", { name: /Before a turn/ })
      .last()
      .click();
    await expect.poll(() => changes.getByTestId("diff-patch").textContent(), { timeout: 15_000 }).toContain("+third version");

    // Its git panel: status of a repository made in the workspace, and a commit of everything.
    await api(`/api/agent/${agentId}/exec`, { method: "POST", body: { command: "git init -q repo && echo hi > repo/a.txt" } });
    await changes.getByRole("button", { name: "Git", exact: true }).click();
    await changes.getByLabel("Repository").fill("repo");
    await changes.getByRole("button", { name: "Reload git status" }).click();
    await changes.getByTestId("git-status").getByText("a.txt").waitFor();
    await changes.getByLabel("Commit message").fill("first commit");
    await changes.getByRole("button", { name: "Commit all" }).click();
    await changes.getByText("nothing to commit").waitFor();
  });
});
