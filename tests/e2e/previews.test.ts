import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { launchBrowser, screenshot } from "../support/browser.ts";
import { waitFor } from "../support/sandboxd.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

type Progress = { type: string; step?: string; status?: string; url?: string; message?: string; data?: string };

let stack: AgentStack;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;
let aliceAgent: string;
let bobAgent: string;
let reactUrl: string;

const call = (user: TestUser, path: string, init: RequestInit = {}) =>
  fetch(`${stack.worker.url}${path}`, {
    ...init,
    headers: user.headers({ "content-type": "application/json", ...(init.headers as Record<string, string>) }),
  });

async function applyTemplate(user: TestUser, agent: string, template: string): Promise<Progress[]> {
  const response = await call(user, `/api/agent/${agent}/template`, { method: "POST", body: JSON.stringify({ template }) });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => JSON.parse(block.slice(6)) as Progress);
}

async function openPage(url: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const response = await page.goto(url, { waitUntil: "load" });
  return { context, page, errors, status: response?.status() };
}

beforeAll(async () => {
  // Each is kept as soon as it starts, so afterAll stops it even when the other one fails to start.
  const started = await Promise.allSettled([startAgentStack().then((s) => (stack = s)), launchBrowser().then((b) => (browser = b))]);
  for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
  [alice, bob] = await Promise.all([signUpVerifiedUser(stack.worker.url), signUpVerifiedUser(stack.worker.url)]);
  aliceAgent = ((await (await call(alice, "/api/agent")).json()) as { agents: { id: string }[] }).agents[0]!.id;
  bobAgent = ((await (await call(bob, "/api/agent")).json()) as { agents: { id: string }[] }).agents[0]!.id;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

describe("a React (Vite) template previewed in Chromium", () => {
  it("is copied, given its packages and started, with progress streamed in order", async () => {
    const events = await applyTemplate(alice, aliceAgent, "react-vite");
    const steps = events.filter((e) => e.type === "step").map((e) => `${e.step}:${e.status}`);
    expect(steps, JSON.stringify(events.filter((e) => e.type !== "output")).slice(0, 2000)).toEqual([
      "copy:started",
      "copy:done",
      "install:started",
      "install:done",
      "start:started",
      "start:done",
    ]);
    const ready = events.at(-1)!;
    expect(ready.type).toBe("ready");
    expect(ready.url).toMatch(new RegExp(`^http://8080-${aliceAgent}-[a-z0-9]{24}\\.localhost:\\d+/$`));
    reactUrl = ready.url!;
  }, 300_000);

  it("loads the app through the preview URL and runs its JavaScript", async () => {
    const { context, page, errors, status } = await openPage(reactUrl);
    expect(status).toBe(200);
    await page.getByRole("heading", { name: "Hello from React" }).waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Clicked 0 times" }).click();
    await page.getByRole("button", { name: "Clicked 1 times" }).waitFor();
    expect(errors).toEqual([]);
    await screenshot(page, "preview-react-vite");
    await context.close();
  });

  it("shows an edit to a workspace file after a reload", async () => {
    const path = "react-vite/src/App.jsx";
    const source = await (await call(alice, `/api/agent/${aliceAgent}/files?path=${path}`)).text();
    const edited = source.replace("Hello from React", "Edited in the workspace");
    const put = await call(alice, `/api/agent/${aliceAgent}/files?path=${path}`, {
      method: "PUT",
      body: edited,
      headers: { "content-type": "application/octet-stream" },
    });
    expect(put.status).toBe(201);
    const { context, page } = await openPage(reactUrl);
    await waitFor(async () => {
      await page.reload({ waitUntil: "load" });
      return page
        .getByRole("heading", { name: "Edited in the workspace" })
        .isVisible({ timeout: 2000 })
        .catch(() => false);
    }, 30_000);
    await screenshot(page, "preview-react-vite-edited");
    await context.close();
  });

  it("shows another user's own server on the same port (8080, the template's) at their own preview URL", async () => {
    const command = `node -e 'require("http").createServer((q, s) => { s.setHeader("content-type", "text/html"); s.end("<h1>Bob server</h1>"); }).listen(8080, "0.0.0.0")'`;
    expect((await call(bob, `/api/agent/${bobAgent}/processes`, { method: "POST", body: JSON.stringify({ command }) })).status).toBe(201);
    const exposed = (await (
      await call(bob, `/api/agent/${bobAgent}/ports`, { method: "POST", body: JSON.stringify({ port: 8080 }) })
    ).json()) as { url: string };
    expect(exposed.url).not.toBe(reactUrl);
    const bobPage = await openPage(exposed.url);
    await waitFor(async () => {
      await bobPage.page.reload({ waitUntil: "load" });
      return bobPage.page.getByRole("heading", { name: "Bob server" }).isVisible();
    }, 20_000);
    const alicePage = await openPage(reactUrl);
    await alicePage.page.getByRole("heading", { name: "Edited in the workspace" }).waitFor({ timeout: 30_000 });
    expect(await alicePage.page.content()).not.toContain("Bob server");
    await Promise.all([bobPage.context.close(), alicePage.context.close()]);
  });

  it("shows a clear not-found page for a wrong token, never the app", async () => {
    const wrong = reactUrl.replace(/-[a-z0-9]{24}\./, `-${"z".repeat(24)}.`);
    const { context, page, status } = await openPage(wrong);
    expect(status).toBe(404);
    await page.getByRole("heading", { name: "Preview not found" }).waitFor();
    expect(await page.content()).not.toContain("Hello from React");
    await screenshot(page, "preview-not-found");
    await context.close();
  });
});
