import {
  Client,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { mailLink, rebase, uniqueIp } from "../support/auth.ts";
import { launchBrowser, screenshot, VIEWPORTS } from "../support/browser.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

/*
 * An MCP client signs a user in with OAuth 2.1, as Claude Desktop or the MCP Inspector would: the official MCP SDK
 * client discovers the authorization server from /mcp's 401, registers itself (dynamic client registration) and
 * sends the user's browser (real Chromium) to sign in and allow it; with the code and its PKCE verifier it gets a
 * token and uses the user's agent through /mcp.
 */

/** The MCP SDK's OAuth client provider, keeping what a desktop client would store in memory. */
class MemoryOAuthProvider implements OAuthClientProvider {
  client?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier?: string;
  discovery?: OAuthDiscoveryState;
  readonly expectedState = crypto.randomUUID();
  authorizationUrl?: URL;
  constructor(readonly redirectUrl: string) {}
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "Test MCP client",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  state() {
    return this.expectedState;
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
  codeVerifier() {
    if (!this.verifier) throw new Error("no code verifier saved");
    return this.verifier;
  }
}

describe("an MCP client signing in with OAuth", () => {
  let stack: AgentStack;
  let browser: Browser;
  let context: BrowserContext;
  let user: TestUser;
  let agentId: string;
  /** What the first test's client was granted, for the password-reset test. */
  let granted: { tokens: OAuthTokens; clientId: string } | undefined;
  const base = () => stack.worker.url;

  beforeAll(async () => {
    stack = await startAgentStack();
    browser = await launchBrowser();
    user = await signUpVerifiedUser(base());
    const agents = await fetch(`${base()}/api/agent`, { headers: user.headers() });
    agentId = ((await agents.json()) as { agents: { id: string }[] }).agents[0]!.id;
    context = await browser.newContext({ viewport: VIEWPORTS.desktop, extraHTTPHeaders: { "cf-connecting-ip": uniqueIp() } });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.dispose();
  });

  it("registers, signs the user in and gets their consent in the browser, then uses their agent with the token", async () => {
    const redirectUrl = "http://127.0.0.1:53682/oauth/callback";
    const provider = new MemoryOAuthProvider(redirectUrl);
    const endpoint = new URL(`${base()}/mcp`);
    const transport = new StreamableHTTPClientTransport(endpoint, { authProvider: provider });
    const first = new Client({ name: "netm8-oauth-test", version: "1.0.0" });
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.client?.client_id).toBeTruthy();
    const authorizationUrl = provider.authorizationUrl!;
    expect(authorizationUrl.href.startsWith(`${base()}/api/auth/oauth2/authorize?`)).toBe(true);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizationUrl.searchParams.get("resource")).toBe(`${base()}/mcp`);

    // The redirect back to the client is caught in the browser, as a desktop client's loopback listener would.
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    let callback: URL | undefined;
    await page.route(`${redirectUrl}**`, async (route) => {
      callback = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: "text/plain", body: "You can close this window." });
    });

    await page.goto(authorizationUrl.href);
    await page.waitForURL((url) => url.pathname === "/sign-in");
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();

    await page.waitForURL((url) => url.pathname === "/oauth/consent");
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    expect(await page.getByRole("heading", { name: "Allow Test MCP client to use netM8?" }).isVisible()).toBe(true);
    expect(await page.getByText(`Signed in as ${user.email}`).isVisible()).toBe(true);
    await screenshot(page, "mcp-oauth-consent");
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL((url) => url.href.startsWith(redirectUrl));
    expect(errors).toEqual([]);

    expect(callback!.searchParams.get("state")).toBe(provider.expectedState);
    expect(callback!.searchParams.get("code")).toBeTruthy();
    await transport.finishAuth(callback!.searchParams);
    expect(provider.saved?.access_token).toMatch(/^nm8oauth_/);
    granted = { tokens: provider.saved!, clientId: provider.client!.client_id };

    const mcp = new Client({ name: "netm8-oauth-test", version: "1.0.0" });
    await mcp.connect(new StreamableHTTPClientTransport(endpoint, { authProvider: provider }));
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name)).toContain("send_message");
    const result = await mcp.callTool(
      { name: "send_message", arguments: { agent_id: agentId, text: "hello with oauth" } },
      { timeout: 120_000 },
    );
    expect(result.isError ?? false).toBe(false);
    expect(result.structuredContent).toMatchObject({ text: "Echo: hello with oauth" });
    expect((result.structuredContent as { credits: number }).credits).toBeGreaterThan(0);
    await mcp.close();

    // The token is for /mcp only: the REST and OpenAI-compatible APIs refuse it.
    const bearer = { authorization: `Bearer ${provider.saved!.access_token}` };
    expect((await fetch(`${base()}/api/agent`, { headers: bearer })).status).toBe(401);
    expect((await fetch(`${base()}/v1/models`, { headers: bearer })).status).toBe(401);
  }, 180_000);

  it("sends the client back with access_denied when the user denies it, and issues no code", async () => {
    const redirectUrl = "http://127.0.0.1:53683/oauth/callback";
    const provider = new MemoryOAuthProvider(redirectUrl);
    const transport = new StreamableHTTPClientTransport(new URL(`${base()}/mcp`), { authProvider: provider });
    await expect(new Client({ name: "denied", version: "1.0.0" }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    const page = await context.newPage();
    let callback: URL | undefined;
    await page.route(`${redirectUrl}**`, async (route) => {
      callback = new URL(route.request().url());
      await route.fulfill({ status: 200, body: "closed" });
    });
    // Still signed in from the first test: straight to the consent page.
    await page.goto(provider.authorizationUrl!.href);
    await page.waitForURL((url) => url.pathname === "/oauth/consent");
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.getByRole("button", { name: "Deny" }).click();
    await page.waitForURL((url) => url.href.startsWith(redirectUrl));
    expect(callback!.searchParams.get("error")).toBe("access_denied");
    expect(callback!.searchParams.get("code")).toBeNull();
  }, 120_000);

  it("revokes every OAuth grant when the password is reset: the token and its refresh token stop working", async () => {
    expect(granted?.tokens.refresh_token).toBeTruthy();
    const mcpStatus = async () =>
      (
        await fetch(`${base()}/mcp`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${granted!.tokens.access_token}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
        })
      ).status;
    expect(await mcpStatus()).toBe(200);

    const json = { "content-type": "application/json", "cf-connecting-ip": uniqueIp() };
    const request = await fetch(`${base()}/api/auth/request-password-reset`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: user.email, redirectTo: "/reset-password" }),
    });
    expect(request.status).toBe(200);
    const link = rebase(await mailLink(base(), user.email, /reset/i, /reset-password/), base());
    const location = new URL((await fetch(link, { redirect: "manual" })).headers.get("location")!, base());
    const reset = await fetch(`${base()}/api/auth/reset-password`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token: location.searchParams.get("token"), newPassword: "a brand new secret" }),
    });
    expect(reset.status).toBe(200);

    expect(await mcpStatus()).toBe(401);
    const refreshed = await fetch(`${base()}/api/auth/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: granted!.tokens.refresh_token!,
        client_id: granted!.clientId,
      }),
    });
    expect(refreshed.status).toBeGreaterThanOrEqual(400);
    expect(refreshed.status).toBeLessThan(500);
  }, 120_000);
});
