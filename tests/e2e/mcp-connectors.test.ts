import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeMcpServer, startMcpServer } from "../../fakes/mcp-server.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { gotoHydrated, launchBrowser, VIEWPORTS, addSessionCookie, screenshotOnFailure } from "../support/browser.ts";
import { type ApiInit, apiOk } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

// MCP connectors in Chromium (src/components/AgentChat/connectors-section.tsx): add a connector to a server that
// asks for OAuth, sign in on the server's own page, see its tools, and watch a turn call one in the chat.

let stack: AgentStack;
let mcp: FakeMcpServer;
let browser: Browser;
let user: TestUser;
let agentId: string;
let context: BrowserContext | undefined;
const base = () => stack.worker.url;

function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  return apiOk<T>(base(), user, path, init);
}

async function newPage(): Promise<Page> {
  context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  await addSessionCookie(context, user.cookie, base());
  return context.newPage();
}

beforeAll(async () => {
  [stack, mcp, browser] = await Promise.all([
    startAgentStack(),
    startMcpServer({ auth: "oauth", oauthUser: "browser-user" }),
    launchBrowser(),
  ]);
  user = await signUpVerifiedUser(base(), { name: "Connector Tester" });
  agentId = (await api<{ agents: { id: string }[] }>("/api/agent")).agents[0]!.id;
}, 180_000);

beforeEach((test) => {
  screenshotOnFailure(test, () => context?.pages() ?? []);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
  await mcp?.close();
});

describe("MCP connectors in the browser", () => {
  it("adds a connector that asks for OAuth, signs in on the server's page, lists its tools, and an approved call runs in the chat", async () => {
    const page = await newPage();
    const thread = (await api<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST", body: "{}" })).id;
    await gotoHydrated(page, `${base()}/agents/${agentId}/threads/${thread}`);
    const workspace = page.getByRole("region", { name: "Workspace" });
    await workspace.getByRole("tab", { name: "Connectors" }).click();

    const connectors = workspace.getByRole("region", { name: "Connectors" });
    await connectors.getByLabel("Connector name").fill("fake");
    await connectors.getByLabel("MCP server URL").fill(mcp.mcpUrl);
    await connectors.getByLabel("Sign-in").selectOption("oauth");
    await connectors.getByRole("button", { name: "Add connector" }).click();
    const row = connectors.getByRole("listitem", { name: "Connector fake" });
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain("Connect to use");

    // The server's own sign-in page (dynamic client registration and PKCE happened on the way), then back to the agent.
    await row.getByRole("button", { name: "Connect fake" }).click();
    await page.waitForURL((url) => url.origin === mcp.url && url.pathname === "/authorize", { timeout: 15_000 });
    expect(new URL(page.url()).searchParams.get("code_challenge_method")).toBe("S256");
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.waitForURL((url) => url.origin === base() && url.pathname.startsWith(`/agents/${agentId}/threads/`), { timeout: 20_000 });
    expect(mcp.issuedTokens()).toHaveLength(1);

    const back = page.getByRole("region", { name: "Workspace" }).getByRole("region", { name: "Connectors" });
    await expect.poll(() => back.getByRole("status").first().textContent(), { timeout: 15_000 }).toContain("Connected fake");
    const tools = back.getByRole("list", { name: "Tools of fake" });
    await expect.poll(() => tools.textContent(), { timeout: 15_000 }).toContain("fake__echo");
    expect(await tools.textContent()).toContain("fake__add");
    expect(await back.getByRole("listitem", { name: "Connector fake" }).textContent()).toContain("Connected");
    // The token never reaches the page.
    expect(await page.content()).not.toContain(mcp.issuedTokens()[0]!);

    // The connector's tools follow the approval policy: Ask makes the call wait for a person in the chat.
    await back.getByLabel("Approval for fake__echo").selectOption("ask");
    await expect
      .poll(async () => (await api<{ toolPolicy: Record<string, string> }>(`/api/agent/${agentId}`)).toolPolicy, { timeout: 10_000 })
      .toEqual({ fake__echo: "ask" });

    stack.model.reset();
    stack.model.enqueue({ toolCalls: [{ name: "fake__echo", arguments: { text: "from the browser" } }] });
    const composer = page.getByLabel("Message", { exact: true });
    await page.locator('form[data-connected="true"]').waitFor();
    await composer.fill("echo through the connector");
    await composer.press("Enter");
    const card = page.getByTestId("assistant-message").getByRole("button", { name: /fake__echo/ });
    await card.waitFor({ timeout: 30_000 });
    await card.getByLabel("Waiting for approval").waitFor({ timeout: 30_000 });
    expect(mcp.calls).toEqual([]);
    await page.getByRole("button", { name: "Allow once" }).click();
    await card.getByLabel("Succeeded").waitFor({ timeout: 30_000 });
    await card.click();
    await expect
      .poll(() => page.getByTestId("assistant-message").last().textContent(), { timeout: 15_000 })
      .toContain("echo: from the browser (for browser-user)");
    expect(mcp.calls).toEqual([{ tool: "echo", user: "browser-user" }]);
    await page.context().close();
  }, 150_000);
});
