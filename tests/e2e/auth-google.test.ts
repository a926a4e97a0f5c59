import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeOidc, type FakeOidc } from "../../fakes/oidc.ts";
import { signUp, uniqueEmail, uniqueIp, verifyEmail } from "../support/auth.ts";
import { gotoHydrated, launchBrowser, screenshot } from "../support/browser.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

// Google sign-in runs the whole authorization code + PKCE + state flow against a local OIDC provider.
describe("Google sign-in against a local OIDC provider", () => {
  let oidc: FakeOidc;
  let worker: TestWorker;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    oidc = await startFakeOidc();
    worker = await startTestWorker({
      vars: { GOOGLE_CLIENT_ID: oidc.clientId, GOOGLE_CLIENT_SECRET: oidc.clientSecret, GOOGLE_ISSUER: oidc.issuer },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await worker?.dispose();
    await oidc?.close();
  });

  async function continueWithGoogle(): Promise<Page> {
    const context = await browser.newContext({ extraHTTPHeaders: { "cf-connecting-ip": uniqueIp() } });
    contexts.push(context);
    const page = await context.newPage();
    await gotoHydrated(page, `${worker.url}/sign-in`);
    await page.getByRole("button", { name: "Continue with Google" }).click();
    return page;
  }

  it("signs up a new user with a verified Google email, using PKCE and state", async () => {
    const email = uniqueEmail("google");
    oidc.user = { sub: `sub-${crypto.randomUUID()}`, email, email_verified: true, name: "Gia Google" };
    const page = await continueWithGoogle();
    await page.waitForURL(/\/agents$/);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    expect(await page.getByTestId("user-menu").textContent()).toContain("Gia Google");
    expect(await page.getByTestId("verify-email-banner").count()).toBe(0);
    await screenshot(page, "auth-google-signed-in");

    const request = oidc.authorizeRequests.at(-1)!;
    expect(request.codeChallengeMethod).toBe("S256");
    expect(request.state).toBeTruthy();
    expect(request.redirectUri).toBe(`${worker.url}/api/auth/callback/google`);
    expect(request.scope?.split(" ")).toEqual(expect.arrayContaining(["openid", "email", "profile"]));
    expect(oidc.tokenErrors).toEqual([]);
  });

  it("links Google to an existing account with the same verified email", async () => {
    const existing = await signUp(worker.url, { name: "Original Name" });
    await verifyEmail(worker.url, existing);
    oidc.user = { sub: `sub-${crypto.randomUUID()}`, email: existing.email, email_verified: true, name: "Name At Google" };
    const page = await continueWithGoogle();
    await page.waitForURL(/\/agents$/);
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    expect(await page.getByTestId("user-menu").textContent()).toContain("Original Name");
    // The password still works too: one user, two ways in.
    const again = await worker.fetch("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: worker.url, "cf-connecting-ip": uniqueIp() },
      body: JSON.stringify({ email: existing.email, password: existing.password }),
    });
    expect(again.status).toBe(200);
  });

  it("does not link to an existing account whose email was never verified", async () => {
    const existing = await signUp(worker.url, { name: "Unverified Owner" });
    oidc.user = { sub: `sub-${crypto.randomUUID()}`, email: existing.email, email_verified: true, name: "Someone At Google" };
    const page = await continueWithGoogle();
    await page.waitForURL(/\/sign-in\?error=/);
    expect(new URL(page.url()).searchParams.get("error")).toBe("account_not_linked");
    expect(await page.getByRole("alert").first().textContent()).toContain("An account with this email already exists");
    const owner = (await (await worker.fetch("/api/me", { headers: existing.headers })).json()) as { user: { name: string } };
    expect(owner.user.name).toBe("Unverified Owner");
  });

  it("shows the Google button only when Google is configured", async () => {
    const plain = await browser.newContext();
    contexts.push(plain);
    const page = await plain.newPage();
    await gotoHydrated(page, `${worker.url}/sign-up`);
    expect(await page.getByRole("button", { name: "Continue with Google" }).isVisible()).toBe(true);
    // The shared test Worker has no GOOGLE_CLIENT_ID.
    await gotoHydrated(page, `${inject("workerUrl")}/sign-in`);
    expect(await page.getByRole("button", { name: "Sign in with a passkey" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Continue with Google" }).count()).toBe(0);
  });
});
