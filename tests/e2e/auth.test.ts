import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mailLink, rebase, signedInContext, signUp, uniqueEmail, uniqueIp } from "../support/auth.ts";
import { gotoHydrated, horizontalOverflow, launchBrowser, screenshot, VIEWPORTS } from "../support/browser.ts";

const base = () => inject("workerUrl");
// WebAuthn refuses IP addresses as relying party ids, so the passkey test uses the same Worker as `localhost`.
const localhostBase = () => base().replace("127.0.0.1", "localhost");

describe("authentication in Chromium", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => (browser = await launchBrowser()));
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
  });

  async function newPage(
    options: { viewport?: keyof typeof VIEWPORTS } = {},
  ): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({
      viewport: VIEWPORTS[options.viewport ?? "desktop"],
      extraHTTPHeaders: { "cf-connecting-ip": uniqueIp() },
    });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    return { context, page, errors };
  }

  async function signInThroughForm(page: Page, origin: string, email: string, password: string) {
    await gotoHydrated(page, `${origin}/sign-in`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(/\/agents$/);
  }

  it("signs up, verifies the email from the mailbox, signs out and signs back in", async () => {
    const { page, errors } = await newPage();
    const email = uniqueEmail("browser");
    await gotoHydrated(page, `${base()}/sign-up`);
    // Inline validation before anything is sent.
    await page.getByRole("button", { name: "Create account" }).click();
    expect(await page.getByText("Enter your name").isVisible()).toBe(true);
    await page.getByLabel("Name").fill("Grace Hopper");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    expect(await page.getByText("Use at least 8 characters").isVisible()).toBe(true);
    await page.getByLabel("Password").fill("a long enough password");
    await screenshot(page, "auth-sign-up");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/agents$/);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    expect(await page.getByTestId("verify-email-banner").isVisible()).toBe(true);
    expect(await page.getByTestId("user-menu").textContent()).toContain("Grace Hopper");

    await page.getByRole("button", { name: "Resend email" }).click();
    await page.getByText("A new link is on its way").waitFor();

    const link = await mailLink(base(), email, /verify/i, /verify-email/);
    await page.goto(rebase(link, base()));
    await page.waitForURL(/\/agents/);
    expect(await page.getByTestId("verify-email-banner").count()).toBe(0);
    await page.getByText("Your email is verified").waitFor();

    await page.getByTestId("sidebar").getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.goto(`${base()}/settings`);
    await page.waitForURL(/\/sign-in\?next=%2Fsettings$/);

    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "Invalid email or password" }).waitFor();
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(/\/settings$/);
    expect(await page.getByTestId("profile-name").textContent()).toBe("Grace Hopper");
    expect(errors).toEqual([]);
  });

  it("resets a forgotten password end to end", async () => {
    const user = await signUp(base());
    const { page, errors } = await newPage({ viewport: "phone" });
    await gotoHydrated(page, `${base()}/sign-in`);
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await page.waitForURL(/\/forgot-password$/);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByLabel("Email").fill(user.email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByText("we sent it a link").waitFor();
    expect(await horizontalOverflow(page)).toEqual([]);

    const link = await mailLink(base(), user.email, /reset/i, /reset-password/);
    await page.goto(rebase(link, base()));
    await page.waitForURL(/\/reset-password\?token=/);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByLabel("New password", { exact: true }).fill("my new password 42");
    await screenshot(page, "auth-reset-password-phone");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.waitForURL(/\/sign-in\?reset=1$/);
    expect(await page.getByText("Your password was changed").isVisible()).toBe(true);

    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill("my new password 42");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(/\/agents$/);

    // The link worked once.
    await page.goto(rebase(link, base()));
    await page.waitForURL(/\/reset-password\?error=/);
    expect(await page.getByText("invalid or has expired").isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it("registers a passkey in settings and signs in with it through a virtual authenticator", async () => {
    const origin = localhostBase();
    const { context, page, errors } = await newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });

    const email = uniqueEmail("passkey");
    await gotoHydrated(page, `${origin}/sign-up`);
    await page.getByLabel("Name").fill("Pat Key");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/agents$/);

    await gotoHydrated(page, `${origin}/settings/security`);
    await page.getByText("No passkeys yet.").waitFor();
    await page.getByLabel("Passkey name").fill("Test laptop");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByText("Passkey added").waitFor();
    await page.getByRole("list", { name: "Passkeys" }).getByText("Test laptop").waitFor();
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    await screenshot(page, "auth-settings-security");

    await page.getByTestId("sidebar").getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.waitForURL(/\/agents$/);
    expect(await page.getByTestId("user-menu").textContent()).toContain("Pat Key");
    const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(after.credentials[0]!.signCount).toBeGreaterThan(credentials[0]!.signCount);

    // Deleting the passkey means it no longer signs in.
    await gotoHydrated(page, `${origin}/settings/security`);
    await page.getByRole("button", { name: "Delete passkey Test laptop" }).click();
    await page.getByText("No passkeys yet.").waitFor();
    await page.getByTestId("sidebar").getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.getByRole("alert").waitFor();
    expect(page.url()).toMatch(/\/sign-in$/);
    expect(errors).toEqual([]);
  });

  it("revokes another session from settings and that browser is signed out on its next request", async () => {
    const { context: first, user } = await signedInContext(browser, base(), { viewport: VIEWPORTS.desktop });
    contexts.push(first);
    const second = await browser.newContext({ extraHTTPHeaders: { "cf-connecting-ip": uniqueIp() } });
    contexts.push(second);
    const secondPage = await second.newPage();
    await signInThroughForm(secondPage, base(), user.email, user.password);

    const page = await first.newPage();
    await gotoHydrated(page, `${base()}/settings/sessions`);
    const rows = page.getByTestId("session-row");
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.filter({ hasText: "This device" }).count()).toBe(1);
    await screenshot(page, "auth-settings-sessions");
    await rows
      .filter({ hasNotText: "This device" })
      .getByRole("button", { name: /Sign out/ })
      .click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="session-row"]').length === 1);

    await secondPage.goto(`${base()}/settings`);
    await secondPage.waitForURL(/\/sign-in\?next=%2Fsettings$/);
    await page.reload();
    await page.waitForURL(/\/settings\/sessions$/);
  });

  it("creates an API key in settings, shows the secret once and revokes it", async () => {
    const { context } = await signedInContext(browser, base(), { viewport: VIEWPORTS.phone });
    contexts.push(context);
    const page = await context.newPage();
    await gotoHydrated(page, `${base()}/settings/api-keys`);
    await page.getByLabel("Key name").fill("<img src=x onerror=alert(1)>");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = (await page.getByTestId("new-api-key").locator("code").textContent())!;
    expect(secret).toMatch(/^nm8_/);
    // The name is shown as text, exactly as typed, and never becomes an element.
    await page.getByRole("list", { name: "API keys" }).getByText("<img src=x onerror=alert(1)>").waitFor();
    expect(await page.locator("img[src=x]").count()).toBe(0);
    expect(await horizontalOverflow(page)).toEqual([]);
    await screenshot(page, "auth-settings-api-keys-phone");
    const viaKey = await fetch(`${base()}/api/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(viaKey.status).toBe(200);
    await page.getByRole("button", { name: "Revoke key <img src=x onerror=alert(1)>" }).click();
    await page.getByText("No API keys yet.").waitFor();
    expect((await fetch(`${base()}/api/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
  });

  it("deletes the account after confirmation and the credentials stop working", async () => {
    const { context, user } = await signedInContext(browser, base());
    contexts.push(context);
    const page = await context.newPage();
    await gotoHydrated(page, `${base()}/settings/account`);
    await page.getByLabel(/to confirm/).fill("someone-else@example.com");
    await page.getByRole("button", { name: "Delete my account" }).click();
    expect(await page.getByText("Type your email address exactly").isVisible()).toBe(true);
    await page.getByLabel(/to confirm/).fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL(/\/\?deleted=1$/);
    expect(await page.getByText("Your account was deleted").isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "Sign in" }).isVisible()).toBe(true);
    const signIn = await fetch(`${base()}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base(), "cf-connecting-ip": uniqueIp() },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(signIn.status).toBe(401);
  });
});
