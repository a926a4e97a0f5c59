import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { launchBrowser } from "../support/browser.ts";
import { waitFor } from "../support/sandboxd.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

/*
 * The production layout in Chromium: the app on `app.test` and previews on its subdomains, both resolved to the local
 * Worker. An attacker's preview answers Set-Cookie for the app's domain with the attacker's own session (on /api, so
 * the browser sends it before the victim's); the victim who opens that preview must still call the API as themselves.
 */
let stack: AgentStack;
let browser: Browser;
let victim: TestUser;
let attacker: TestUser;

const call = (user: TestUser, path: string, init: RequestInit = {}) =>
  fetch(`${stack.worker.url}${path}`, { ...init, headers: user.headers({ "content-type": "application/json" }) });

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startAgentStack(),
    launchBrowser(["--host-resolver-rules=MAP *.app.test 127.0.0.1, MAP app.test 127.0.0.1"]),
  ]);
  [victim, attacker] = await Promise.all([signUpVerifiedUser(stack.worker.url), signUpVerifiedUser(stack.worker.url)]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

describe("a preview that plants a session cookie for the app's domain", () => {
  it("leaves the victim's API calls in the victim's own account", async () => {
    const appOrigin = `http://app.test:${stack.worker.port}`;
    const agentId = ((await (await call(attacker, "/api/agent")).json()) as { agents: { id: string }[] }).agents[0]!.id;
    const attackerValue = attacker.cookie.slice(attacker.cookie.indexOf("=") + 1);
    const planted = ["netm8.session_token", "__Host-netm8.session_token", "__Secure-netm8.session_token"].map(
      (name) => `${name}=${attackerValue}; Domain=app.test; Path=/api`,
    );
    const server = `node -e 'require("http").createServer((q, s) => { s.setHeader("set-cookie", ${JSON.stringify(planted)}); s.setHeader("content-type", "text/html"); s.end("<h1>Free stuff</h1>"); }).listen(4300, "0.0.0.0")'`;
    expect(
      (await call(attacker, `/api/agent/${agentId}/processes`, { method: "POST", body: JSON.stringify({ command: server }) })).status,
    ).toBe(201);
    const exposed = (await (
      await call(attacker, `/api/agent/${agentId}/ports`, { method: "POST", body: JSON.stringify({ port: 4300 }) })
    ).json()) as {
      url: string;
    };
    const previewUrl = `http://${new URL(exposed.url).hostname.split(".")[0]}.app.test:${stack.worker.port}/`;

    const context = await browser.newContext();
    const [name, value] = [victim.cookie.slice(0, victim.cookie.indexOf("=")), victim.cookie.slice(victim.cookie.indexOf("=") + 1)];
    await context.addCookies([{ name, value, url: appOrigin, httpOnly: true, sameSite: "Lax" }]);
    const page = await context.newPage();
    const me = async () => {
      await page.goto(`${appOrigin}/sign-in`, { waitUntil: "load" });
      return page.evaluate(async () => (await (await fetch("/api/me")).json()) as { user?: { email?: string }; email?: string });
    };
    const before = await me();
    expect(JSON.stringify(before)).toContain(victim.email);

    await waitFor(async () => {
      const response = await page.goto(previewUrl, { waitUntil: "load" });
      return response?.status() === 200 ? response : null;
    }, 20_000);
    await page.getByRole("heading", { name: "Free stuff" }).waitFor();

    const after = await me();
    expect(JSON.stringify(after)).toContain(victim.email);
    expect(JSON.stringify(after)).not.toContain(attacker.email);
    const cookies = await context.cookies(`${appOrigin}/api/me`);
    expect(cookies.filter((c) => c.value === attackerValue)).toEqual([]);
    await context.close();
  });
});
