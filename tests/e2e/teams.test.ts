import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { gotoHydrated, launchBrowser, VIEWPORTS, addSessionCookie, openThreadPage, screenshotOnFailure } from "../support/browser.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { type ApiInit, apiRequest } from "../support/http.ts";

let stack: AgentStack;
let browser: Browser;
let owner: TestUser;
let member: TestUser;
const base = () => stack.worker.url;
const contexts: BrowserContext[] = [];

function api<T>(user: TestUser, path: string, init: ApiInit = {}) {
  return apiRequest<T>(base(), user, path, init);
}

async function pageFor(user: TestUser): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  contexts.push(context);
  await addSessionCookie(context, user.cookie, base());
  return context.newPage();
}

async function invitationLink(email: string): Promise<string> {
  const response = await fetch(`${base()}/api/dev/mailbox?to=${encodeURIComponent(email)}`);
  const { messages } = (await response.json()) as { messages: { links: string[] }[] };
  const link = messages.flatMap((m) => m.links).find((l) => decodeURIComponent(l).includes("/team/invite/"));
  if (!link) throw new Error(`no invitation email for ${email}`);
  return link;
}

/** Picks a role in the member's row on the team page and waits until the server has answered and the page reloaded. */
async function changeRole(page: Page, email: string, role: string): Promise<void> {
  const saved = page.waitForResponse((r) => r.url().includes("/members/") && r.request().method() === "PATCH");
  const reloaded = page.waitForResponse((r) => r.url().endsWith("/members") && r.request().method() === "GET");
  await page.getByLabel(`Role of ${email}`).selectOption({ label: role });
  expect((await saved).status()).toBe(204);
  await reloaded;
}

beforeAll(async () => {
  stack = await startAgentStack();
  browser = await launchBrowser();
  [owner, member] = await Promise.all([
    signUpVerifiedUser(base(), { name: "Team Owner" }),
    signUpVerifiedUser(base(), { name: "Team Member" }),
  ]);
}, 180_000);

beforeEach((test) => {
  stack?.model.reset();
  screenshotOnFailure(test, () => contexts.flatMap((c) => c.pages()), "failed-teams");
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

describe("a team in the browser", () => {
  it("invites a second user through the mailbox, who chats with the team agent billed to the team, and follows role changes", async () => {
    // The owner creates the team and invites the member from the team page.
    const ownerPage = await pageFor(owner);
    await gotoHydrated(ownerPage, `${base()}/team`);
    await ownerPage.getByLabel("Name", { exact: true }).fill("Rocket crew");
    await ownerPage.getByRole("button", { name: "Create team" }).click();
    await ownerPage.getByTestId("team-settings").waitFor();
    expect(await ownerPage.getByTestId("account-switcher").locator("option:checked").textContent()).toBe("Rocket crew");
    await ownerPage.getByLabel("Email", { exact: true }).fill(member.email);
    await ownerPage.getByRole("button", { name: "Send invitation" }).click();
    await ownerPage.getByTestId("invitations").getByText(member.email).waitFor();

    const { body: listed } = await api<{ teams: { id: string; name: string }[] }>(owner, "/api/teams");
    const teamId = listed.teams.find((t) => t.name === "Rocket crew")!.id;
    await api(owner, "/api/test/ledger", { method: "POST", body: { action: "grant", accountId: teamId, amount: 100_000 } });
    const agent = (await api<{ id: string }>(owner, "/api/agent", { method: "POST", account: teamId, body: { name: "Crew helper" } })).body;

    // The member follows the emailed link (through sign-in, already signed in) and accepts.
    const memberPage = await pageFor(member);
    await gotoHydrated(memberPage, await invitationLink(member.email));
    await memberPage.getByRole("button", { name: "Accept invitation" }).click();
    await memberPage.waitForURL(`${base()}/agents`);
    await memberPage.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    expect(await memberPage.getByTestId("account-switcher").locator("option:checked").textContent()).toBe("Rocket crew");
    await memberPage.getByText("Crew helper").first().waitFor();
    // A member uses the team's agents but does not manage them.
    expect(await memberPage.getByRole("button", { name: "New agent" }).count()).toBe(0);

    // A member sees the team's balance but cannot buy credits for it.
    await gotoHydrated(memberPage, `${base()}/billing`);
    await memberPage.getByTestId("balance-total").waitFor();
    expect(await memberPage.getByRole("heading", { name: "Buy credits" }).count()).toBe(0);

    // The member chats with the team agent; the owner sees the same history; the team pays.
    const memberBefore = (await api<{ balance: number }>(member, "/api/credits")).body.balance;
    const thread = (await api<{ id: string }>(member, `/api/agent/${agent.id}/threads`, { method: "POST", account: teamId })).body;
    stack.model.enqueue({ text: "Hello, Rocket crew." });
    await openThreadPage(memberPage, `${base()}/agents/${agent.id}/threads/${thread.id}`);
    const composer = memberPage.getByLabel("Message", { exact: true });
    await composer.fill("Hi team agent");
    await composer.press("Enter");
    await memberPage.getByTestId("assistant-message").last().getByText("Hello, Rocket crew.").waitFor({ timeout: 30_000 });

    const history = await api<{ messages: { role: string }[] }>(owner, `/api/agent/${agent.id}/threads/${thread.id}/messages`, {
      account: teamId,
    });
    expect(history.body.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    const usage = await api<{ transactions: { amount: number }[] }>(owner, "/api/credits/transactions?kind=usage", { account: teamId });
    expect(usage.body.transactions.length).toBeGreaterThan(0);
    expect((await api<{ balance: number }>(member, "/api/credits")).body.balance).toBe(memberBefore);
    const teamCredits = await api<{ balance: number }>(member, "/api/credits", { account: teamId });
    expect(teamCredits.body.balance).toBeLessThan(100);

    // The owner gives the member a chat-only role: billing disappears from the member's UI and the API refuses it.
    await api(owner, `/api/teams/${teamId}/roles`, { method: "POST", body: { name: "Chat only", permissions: ["agents.use"] } });
    await gotoHydrated(ownerPage, `${base()}/team`);
    await changeRole(ownerPage, member.email, "Chat only");

    await gotoHydrated(memberPage, `${base()}/agents`);
    const nav = memberPage.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Agents" }).waitFor();
    expect(await nav.getByRole("link", { name: "Billing" }).count()).toBe(0);
    expect((await api(member, "/api/credits", { account: teamId })).status).toBe(403);

    // Made admin, the member sees billing again and may invite from the team page.
    await changeRole(ownerPage, member.email, "admin");
    await gotoHydrated(memberPage, `${base()}/team`);
    await memberPage.getByTestId("team-settings").waitFor();
    expect(await memberPage.getByTestId("my-role").textContent()).toBe("admin");
    expect(await memberPage.getByRole("button", { name: "Send invitation" }).count()).toBe(1);
    expect(await nav.getByRole("link", { name: "Billing" }).count()).toBe(1);
    expect((await api(member, "/api/credits", { account: teamId })).status).toBe(200);
    await gotoHydrated(memberPage, `${base()}/agents`);
    await memberPage.getByRole("button", { name: "New agent" }).waitFor();
    await gotoHydrated(memberPage, `${base()}/billing`);
    await memberPage.getByRole("heading", { name: "Buy credits" }).waitFor();
  }, 180_000);
});
