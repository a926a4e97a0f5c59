import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { mailLink, rebase, signUp, type SignedIn, uniqueEmail, uniqueIp, verifyEmail } from "../support/auth.ts";
import {
  gotoHydrated,
  launchBrowser,
  screenshot,
  VIEWPORTS,
  addSessionCookie,
  openThreadPage,
  screenshotOnFailure,
} from "../support/browser.ts";
import { type ApiInit, apiRequest } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

// What a new user trips over (issue 23): invitations for people without an account, team credits without Stripe,
// operator messages shown to users, and actions offered to members who may not take them.
const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;

let stack: AgentStack;
let browser: Browser;
let admin: SignedIn;
let owner: TestUser;
const base = () => stack.worker.url;
const contexts: BrowserContext[] = [];

type Requester = TestUser | SignedIn;
const asRequester = (user: Requester) => ({
  headers: (extra: Record<string, string> = {}) =>
    typeof user.headers === "function" ? user.headers(extra) : { ...user.headers, ...extra },
});

function api<T>(user: Requester, path: string, init: ApiInit = {}) {
  return apiRequest<T>(base(), asRequester(user), path, init);
}

async function pageFor(user?: Requester): Promise<Page> {
  const ip = user && "ip" in user ? user.ip : uniqueIp();
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop, extraHTTPHeaders: { "cf-connecting-ip": ip } });
  contexts.push(context);
  if (user) {
    await addSessionCookie(context, user.cookie, base());
  }
  return context.newPage();
}

async function createTeam(user: Requester, name: string): Promise<string> {
  const slug = `${name.toLowerCase().replace(/\W+/g, "-")}-${randomUUID().slice(0, 6)}`;
  const created = await api<{ id: string }>(user, "/api/teams", { method: "POST", body: { name, slug } });
  expect(created.status, created.text).toBe(201);
  return created.body.id;
}

async function invite(user: Requester, teamId: string, email: string, role = "member"): Promise<void> {
  const sent = await api(user, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email, role } });
  expect(sent.status, sent.text).toBe(201);
}

async function join(user: TestUser, teamId: string, role = "member"): Promise<void> {
  await invite(owner, teamId, user.email, role);
  const link = await mailLink(base(), user.email, /Join/, /team%2Finvite|team\/invite/);
  const token = decodeURIComponent(link).split("/team/invite/")[1]!.split(/[?&#]/)[0]!;
  const accepted = await api(user, `/api/teams/invitations/${token}/accept`, { method: "POST" });
  expect(accepted.status, accepted.text).toBe(200);
}

beforeAll(async () => {
  stack = await startAgentStack({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } });
  browser = await launchBrowser();
  admin = await signUp(base(), { email: ADMIN_EMAIL, name: "Ada Admin" });
  await verifyEmail(base(), admin);
  owner = await signUpVerifiedUser(base(), { name: "Olivia Owner" });
}, 180_000);

beforeEach((test) => {
  stack?.model.reset();
  screenshotOnFailure(test, () => contexts.flatMap((c) => c.pages()), "failed-first-steps");
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.dispose();
});

describe("an invitation for someone without an account", () => {
  it("survives sign-up and verification, is shown on every step, and is accepted in one click", async () => {
    const teamId = await createTeam(owner, "Harbor pilots");
    const email = uniqueEmail("invitee");
    await invite(owner, teamId, email);
    const link = await mailLink(base(), email, /Join/, /team%2Finvite|team\/invite/);

    const page = await pageFor();
    await gotoHydrated(page, rebase(link, base()));
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await page.getByTestId("invitation-notice").getByText("Harbor pilots").waitFor();
    await screenshot(page, "first-steps-invited-sign-in");

    await page.getByRole("link", { name: "Create an account" }).click();
    await page.waitForURL(/\/sign-up\?next=/);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByTestId("invitation-notice").getByText("Harbor pilots").waitFor();
    await page.getByLabel("Name").fill("Ivy Invitee");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Create account" }).click();

    // Not verified yet: the invitation page says what to do instead of offering a button that would fail.
    await page.waitForURL(/\/team\/invite\//);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByText("Join Harbor pilots").waitFor();
    await page.getByTestId("verify-first").waitFor();
    await screenshot(page, "first-steps-invitation-verify-first");
    expect(await page.getByRole("button", { name: "Accept invitation" }).count()).toBe(0);

    // The verification link brings the new user back to the invitation, and so does one sent again from the banner.
    await page.getByTestId("verify-email-banner").getByRole("button", { name: "Resend email" }).click();
    await page.getByText("A new link is on its way").waitFor();
    const verificationLinks = async () => {
      const response = await fetch(`${base()}/api/dev/mailbox?to=${encodeURIComponent(email)}`);
      const { messages } = (await response.json()) as { messages: { links: string[] }[] };
      return messages.flatMap((m) => m.links).filter((l) => l.includes("verify-email"));
    };
    await expect.poll(verificationLinks, { timeout: 15_000 }).toHaveLength(2);
    const links = await verificationLinks();
    for (const link of links) {
      expect(new URL(link).searchParams.get("callbackURL")).toMatch(/^\/team\/invite\/[\w-]+\?verified=1$/);
    }
    const verify = links[0]!;
    await page.goto(rebase(verify, base()));
    await page.waitForURL(/\/team\/invite\//);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await page.waitForURL(`${base()}/agents`);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    expect(await page.getByTestId("account-switcher").locator("option:checked").textContent()).toBe("Harbor pilots");
  }, 120_000);

  it("lists the pending invitations for the user's address on the teams page, each accepted in one click", async () => {
    const teamId = await createTeam(owner, "Night shift");
    const invitee = await signUpVerifiedUser(base(), { name: "Nora" });
    await invite(owner, teamId, invitee.email);
    const stranger = await signUpVerifiedUser(base(), { name: "Stan" });

    const page = await pageFor(invitee);
    await gotoHydrated(page, `${base()}/team`);
    const pending = page.getByTestId("my-invitations");
    await pending.getByText("Night shift").waitFor();
    await screenshot(page, "first-steps-my-invitations");
    await pending.getByRole("button", { name: "Accept" }).click();
    await page.waitForURL(`${base()}/agents`);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    expect(await page.getByTestId("account-switcher").locator("option:checked").textContent()).toBe("Night shift");

    // Only the invited address sees it, and only while it is pending.
    const mine = await api<{ invitations: unknown[] }>(invitee, "/api/me/invitations");
    expect(mine.body.invitations).toEqual([]);
    const theirs = await api<{ invitations: unknown[] }>(stranger, "/api/me/invitations");
    expect(theirs.body.invitations).toEqual([]);
  }, 120_000);
});

describe("team credits without Stripe", () => {
  it("an admin adds credits to a team from the admin panel with a reason, audited; others cannot", async () => {
    const teamId = await createTeam(owner, "Lighthouse keepers");
    expect((await api<{ balance: number }>(owner, "/api/credits", { account: teamId })).body.balance).toBe(0);

    // The team's billing page says who can add credits while purchases are not set up.
    const ownerPage = await pageFor(owner);
    await ownerPage.context().addCookies([{ name: "netm8-account", value: teamId, url: base() }]);
    await gotoHydrated(ownerPage, `${base()}/billing`);
    await ownerPage.getByTestId("purchases-disabled").getByText("Purchases are not available yet").waitFor();
    expect(await ownerPage.getByTestId("who-adds-credits").textContent()).toMatch(/platform administrator/);
    expect(await ownerPage.getByText("Free credits reset to 50").count()).toBe(0);
    await screenshot(ownerPage, "first-steps-team-billing-without-stripe");

    const page = await pageFor(admin);
    await gotoHydrated(page, `${base()}/admin/accounts?q=${encodeURIComponent("Lighthouse keepers")}`);
    await page.getByTestId("admin-account-row").getByRole("link", { name: "Lighthouse keepers" }).click();
    await page.getByRole("heading", { level: 1, name: "Lighthouse keepers" }).waitFor();
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByLabel("Adjust credits").fill("100");
    await page.getByLabel("Reason for the adjustment").fill("Pilot credits for the team");
    await page.getByRole("button", { name: "Adjust" }).click();
    await page.getByRole("status").filter({ hasText: "Credits adjusted" }).waitFor();
    await page.getByTestId("admin-ledger").getByText("Pilot credits for the team").waitFor();
    await screenshot(page, "first-steps-admin-team-credits");

    expect((await api<{ balance: number }>(owner, "/api/credits", { account: teamId })).body.balance).toBe(100);
    const audit = await api<{ entries: { action: string; targetId: string | null }[] }>(admin, "/api/admin/audit");
    expect(audit.body.entries.some((e) => e.action === "account.credits_adjusted" && e.targetId === teamId)).toBe(true);

    const path = `/api/admin/accounts/${teamId}/credits`;
    const asOwner = await api(owner, path, { method: "POST", body: { credits: 5, reason: "me" } });
    expect(asOwner.status).toBe(404);
    const noReason = await api<{ error: { code: string } }>(admin, path, { method: "POST", body: { credits: 5 } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe("invalid_request");
    const unknown = await api(admin, "/api/admin/accounts/acct_nope/credits", { method: "POST", body: { credits: 5, reason: "x" } });
    expect(unknown.status).toBe(404);
  }, 120_000);
});

describe("operator messages", () => {
  it("users read plain words where admins read what to configure, and the admin health page lists it", async () => {
    const user = await signUpVerifiedUser(base(), { name: "Uma" });
    const userPage = await pageFor(user);
    await gotoHydrated(userPage, `${base()}/billing`);
    const disabled = userPage.getByTestId("purchases-disabled");
    await disabled.getByText("Purchases are not available yet").waitFor();
    expect(await disabled.textContent()).not.toContain("STRIPE_SECRET_KEY");
    const checkout = await api<{ error: { message: string } }>(user, "/api/credits/checkout", {
      method: "POST",
      body: { package: "starter" },
    });
    expect(checkout.status).toBe(503);
    expect(checkout.body.error.message).toBe("Purchases are not available yet");

    const adminPage = await pageFor(admin);
    await gotoHydrated(adminPage, `${base()}/billing`);
    await adminPage.getByTestId("purchases-disabled").getByText("STRIPE_SECRET_KEY").first().waitFor();
    const adminCheckout = await api<{ error: { message: string } }>(admin, "/api/credits/checkout", {
      method: "POST",
      body: { package: "starter" },
    });
    expect(adminCheckout.status).toBe(503);
    expect(adminCheckout.body.error.message).toContain("STRIPE_SECRET_KEY");

    await gotoHydrated(adminPage, `${base()}/admin/health`);
    const stripe = adminPage.getByTestId("health-stripe");
    await stripe.waitFor();
    expect(await stripe.getAttribute("data-ok")).toBe("false");
    expect(await stripe.textContent()).toContain("STRIPE_WEBHOOK_SECRET");
    expect(await adminPage.getByTestId("health-model").getAttribute("data-ok")).toBe("true");
    await screenshot(adminPage, "first-steps-admin-health");
    expect((await api(user, "/api/admin/health")).status).toBe(404);
    const health = await api<{ checks: { id: string; ok: boolean }[] }>(admin, "/api/admin/health");
    expect(health.body.checks.find((c) => c.id === "stripe")?.ok).toBe(false);
    expect(health.body.checks.find((c) => c.id === "model")?.ok).toBe(true);

    // A model outage: the user reads that the model is not answering, not how to run a model server.
    const agents = await api<{ agents: { id: string }[] }>(user, "/api/agent");
    const agentId = agents.body.agents[0]!.id;
    const thread = await api<{ id: string }>(user, `/api/agent/${agentId}/threads`, { method: "POST" });
    for (let i = 0; i < 5; i++) stack.model.enqueue({ error: { status: 400, message: "model 'gpt-oss:20b' not found" } });
    await openThreadPage(userPage, `${base()}/agents/${agentId}/threads/${thread.body.id}`);
    const composer = userPage.getByLabel("Message", { exact: true });
    await composer.fill("hello?");
    await composer.press("Enter");
    const alert = userPage.getByRole("alert").filter({ hasText: "The model is not answering" });
    await alert.first().waitFor({ timeout: 30_000 });
    const shown = (await alert.first().textContent()) ?? "";
    expect(shown).toContain("try again shortly");
    expect(shown).not.toMatch(/ollama|LLM_BASE_URL|LLM_API_KEY/);
    expect(await userPage.getByTestId("operator-link").count()).toBe(0);

    // An admin whose turn fails the same way is pointed at the Health page, where the setup hint is.
    const adminAgent = (await api<{ agents: { id: string }[] }>(admin, "/api/agent")).body.agents[0]!.id;
    const adminThread = await api<{ id: string }>(admin, `/api/agent/${adminAgent}/threads`, { method: "POST" });
    for (let i = 0; i < 5; i++) stack.model.enqueue({ error: { status: 400, message: "model 'gpt-oss:20b' not found" } });
    await openThreadPage(adminPage, `${base()}/agents/${adminAgent}/threads/${adminThread.body.id}`);
    await adminPage.getByLabel("Message", { exact: true }).fill("hello?");
    await adminPage.getByLabel("Message", { exact: true }).press("Enter");
    await adminPage.getByTestId("operator-link").first().click();
    await adminPage.waitForURL(`${base()}/admin/health`);
  }, 120_000);
});

describe("actions follow the member's permissions", () => {
  it("a member who cannot manage agents or buy credits is told whom to ask instead", async () => {
    const teamId = await createTeam(owner, "Quiet harbor");
    const member = await signUpVerifiedUser(base(), { name: "Milo" });
    await join(member, teamId);

    const page = await pageFor(member);
    await page.context().addCookies([{ name: "netm8-account", value: teamId, url: base() }]);
    await gotoHydrated(page, `${base()}/agents`);
    await page.getByText("No agents yet").waitFor();
    expect(await page.getByText("Create an agent to start a conversation").count()).toBe(0);
    await page.getByText("Ask a team owner or admin to create one").waitFor();

    // Out of credits in a team agent: no "Buy credits" for someone who may not buy them.
    const agent = await api<{ id: string }>(owner, "/api/agent", { method: "POST", account: teamId, body: { name: "Harbor bot" } });
    const thread = await api<{ id: string }>(member, `/api/agent/${agent.body.id}/threads`, { method: "POST" });
    await openThreadPage(page, `${base()}/agents/${agent.body.id}/threads/${thread.body.id}`);
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("anything");
    await composer.press("Enter");
    const alert = page.getByRole("alert").filter({ hasText: /out of credits/i });
    await alert.first().waitFor({ timeout: 30_000 });
    expect(await page.getByRole("link", { name: "Buy credits" }).count()).toBe(0);
    expect(await alert.first().textContent()).toMatch(/owner or admin/);
    await screenshot(page, "first-steps-member-out-of-credits");

    // The owner, who may buy, still gets the way out.
    const ownerPage = await pageFor(owner);
    await openThreadPage(ownerPage, `${base()}/agents/${agent.body.id}/threads/${thread.body.id}`);
    await ownerPage.getByRole("link", { name: "Buy credits" }).first().waitFor();
  }, 120_000);
});
