import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { launchBrowser, VIEWPORTS, addSessionCookie, openThreadPage, screenshotOnFailure } from "../support/browser.ts";
import { type ApiInit, apiOk } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

// The approval card (src/components/AgentChat/tool-card.tsx) and the Tool approvals section, in Chromium against the
// real Worker, sandboxd and the fake model.

let stack: AgentStack;
let browser: Browser;
let user: TestUser;
let agentId: string;
let lastContext: BrowserContext | undefined;
const base = () => stack.worker.url;

function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  return apiOk<T>(base(), user, path, init);
}
const newThread = async () => (await api<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST", body: "{}" })).id;
const policy = async () => (await api<{ toolPolicy: Record<string, string> }>(`/api/agent/${agentId}`)).toolPolicy;

async function newPage(): Promise<Page> {
  const context = (lastContext = await browser.newContext({ viewport: VIEWPORTS.desktop }));
  await addSessionCookie(context, user.cookie, base());
  return context.newPage();
}

async function openThread(page: Page, threadId: string): Promise<void> {
  await openThreadPage(page, `${base()}/agents/${agentId}/threads/${threadId}`);
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel("Message", { exact: true });
  await composer.fill(text);
  await composer.press("Enter");
}

beforeAll(async () => {
  stack = await startAgentStack();
  browser = await launchBrowser();
  user = await signUpVerifiedUser(base(), { name: "Approval Tester" });
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

describe("tool approvals in the browser", () => {
  it("sets the careful policy in the Approvals tab", async () => {
    const page = await newPage();
    await openThread(page, await newThread());
    const workspace = page.getByRole("region", { name: "Workspace" });
    await workspace.getByRole("tab", { name: "Approvals" }).click();
    await workspace.getByRole("button", { name: "Careful" }).click();
    await expect.poll(policy, { timeout: 10_000 }).toMatchObject({ exec: "ask", git_push: "ask", delete_file: "ask" });
    await expect.poll(() => workspace.getByLabel("exec", { exact: true }).inputValue()).toBe("ask");
    await workspace.getByLabel("write_file", { exact: true }).selectOption("block");
    await expect.poll(policy, { timeout: 10_000 }).toMatchObject({ write_file: "block" });
    await workspace.getByRole("button", { name: "Allow everything" }).click();
    await expect.poll(policy, { timeout: 10_000 }).toEqual({});
    await page.context().close();
  }, 90_000);

  it("asks with the exact arguments, survives a reload, and Allow once runs the call and shows who allowed it", async () => {
    await api(`/api/agent/${agentId}`, { method: "PATCH", body: { toolPolicy: { exec: "ask" } } });
    stack.model.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "echo card-$((20+22))" } }] }, { text: "It printed card-42." });
    const threadId = await newThread();
    const page = await newPage();
    await openThread(page, threadId);
    await send(page, "print it");

    const card = page.getByTestId("tool-card").last();
    await expect.poll(() => card.getAttribute("data-state"), { timeout: 30_000 }).toBe("approval-requested");
    await expect.poll(() => card.getByTestId("approval-request").textContent()).toContain('"command": "echo card-$((20+22))"');

    // Still waiting after a reload: the question is part of the stored answer.
    await openThread(page, threadId);
    const reloaded = page.getByTestId("tool-card").last();
    await expect.poll(() => reloaded.getAttribute("data-state"), { timeout: 20_000 }).toBe("approval-requested");
    await reloaded.getByRole("button", { name: "Allow once" }).click();

    await expect.poll(() => reloaded.getAttribute("data-state"), { timeout: 30_000 }).toBe("output-available");
    await expect
      .poll(() => reloaded.getByTestId("approval-decision").textContent(), { timeout: 20_000 })
      .toContain("Allowed by Approval Tester");
    await expect.poll(() => page.getByTestId("assistant-message").last().textContent(), { timeout: 20_000 }).toContain("card-42");
    await page.context().close();
  }, 120_000);

  it("Deny tells the model, and Always allow sets the tool's policy to Allow", async () => {
    await api(`/api/agent/${agentId}`, { method: "PATCH", body: { toolPolicy: { exec: "ask" } } });
    stack.model.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "rm -rf ./*" } }] }, { text: "Understood, nothing deleted." });
    const threadId = await newThread();
    const page = await newPage();
    await openThread(page, threadId);
    await send(page, "clean everything");
    const card = page.getByTestId("tool-card").last();
    await card.getByRole("button", { name: "Deny" }).click();
    await expect.poll(() => card.getAttribute("data-state"), { timeout: 30_000 }).toBe("output-denied");
    await expect.poll(() => page.getByTestId("assistant-message").last().textContent(), { timeout: 20_000 }).toContain("nothing deleted");

    stack.model.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "echo always" } }] }, { text: "Ran it." });
    await send(page, "now echo");
    const next = page.getByTestId("tool-card").last();
    await expect.poll(() => next.getAttribute("data-state"), { timeout: 30_000 }).toBe("approval-requested");
    await next.getByRole("button", { name: "Always allow" }).click();
    await expect.poll(() => next.getAttribute("data-state"), { timeout: 30_000 }).toBe("output-available");
    expect(await policy()).toEqual({});
    await page.context().close();
  }, 120_000);
});
