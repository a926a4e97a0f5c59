import { createServer, connect, type Server, type Socket } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { launchBrowser, addSessionCookie, openThreadPage, screenshotOnFailure } from "../support/browser.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { type ApiInit, apiOk } from "../support/http.ts";

/*
 * The browser's network drops while an answer streams in. The browser reaches the Worker through a TCP relay that the
 * test can cut (every open connection reset, new ones refused) and Chromium is put offline at the same time, as a
 * lost Wi-Fi would. When the network returns the page must show the whole answer exactly once.
 */

/** A TCP relay to the Worker: `cut()` resets every connection through it and refuses new ones until `restore()`. */
interface Relay {
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function startRelay(port: number, targetPort: number): Promise<Relay> {
  const open = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) return void client.resetAndDestroy();
    const upstream = connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    cut() {
      down = true;
      for (const socket of open) socket.resetAndDestroy();
    },
    restore() {
      down = false;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let stack: AgentStack;
let relay: Relay;
let browser: Browser;
let user: TestUser;
let agentId: string;
let context: BrowserContext | undefined;
const base = () => relay.url;

function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  return apiOk<T>(base(), user, path, init);
}

async function openChat(): Promise<Page> {
  const threadId = (await api<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST", body: "{}" })).id;
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await addSessionCookie(context, user.cookie, base());
  const page = await context.newPage();
  await openThreadPage(page, `${base()}/agents/${agentId}/threads/${threadId}`);
  return page;
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel("Message", { exact: true });
  await composer.fill(text);
  await composer.press("Enter");
}

const answerText = async (page: Page) => ((await page.getByTestId("assistant-message").last().textContent()) ?? "").replace(/\s+/g, " ");

async function cutNetwork(): Promise<void> {
  relay.cut();
  await context!.setOffline(true);
}

async function restoreNetwork(): Promise<void> {
  relay.restore();
  await context!.setOffline(false);
}

/** The whole answer, once, in one assistant message, and the composer ready again. */
async function expectCompleteAnswerOnce(page: Page, answer: string): Promise<void> {
  await page.getByText("THE END.").waitFor({ timeout: 60_000 });
  await page.getByRole("button", { name: "Send" }).waitFor();
  await page.locator('form[data-connected="true"]').waitFor();
  expect(await page.getByTestId("assistant-message").count()).toBe(1);
  expect((await answerText(page)).trim()).toContain(answer);
  const all = (await page.getByTestId("chat-scroller").textContent()) ?? "";
  for (const word of ["BEGIN", "word17", "word42", "THE END."]) expect(all.split(word).length - 1, word).toBe(1);
  expect(
    await page
      .getByRole("status")
      .filter({ hasText: /offline|Reconnecting/ })
      .count(),
  ).toBe(0);
}

beforeAll(async () => {
  const relayPort = await freePort();
  // The app's own URL is the relay's, so the browser's Origin and the verification links match it.
  stack = await startAgentStack({ vars: { APP_URL: `http://127.0.0.1:${relayPort}` } });
  relay = await startRelay(relayPort, stack.worker.port);
  browser = await launchBrowser();
  user = await signUpVerifiedUser(base(), { name: "Network Dropper" });
  agentId = (await api<{ agents: { id: string }[] }>("/api/agent")).agents[0]!.id;
}, 180_000);

beforeEach((test) => {
  stack?.model.reset();
  relay?.restore();
  screenshotOnFailure(test, () => context?.pages() ?? []);
});

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await relay?.close();
  await stack?.dispose();
});

const slowAnswer = () => `BEGIN ${Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ")} THE END.`;

describe("the browser's network drops while an answer streams", () => {
  it("resumes mid-stream when the network returns and shows the whole answer exactly once", async () => {
    const answer = slowAnswer();
    // About 13 s of streaming: the outage below starts and ends inside it.
    stack.model.enqueue({ text: answer, chunkSize: 4, delayMsBetweenChunks: 80 });
    const page = await openChat();
    await send(page, "Answer slowly, please");
    await page.getByTestId("assistant-message").last().getByText("BEGIN").waitFor({ timeout: 20_000 });

    await cutNetwork();
    await page.getByRole("status").filter({ hasText: "You are offline" }).waitFor();
    await page.locator('form[data-connected="false"]').waitFor();
    // Nothing arrives while the network is down: the connection really is cut.
    const frozen = await answerText(page);
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      expect(await answerText(page)).toBe(frozen);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(frozen).not.toContain("THE END.");
    const request = stack.model.requests.at(-1)!;
    expect(request.completed).toBe(false);

    await restoreNetwork();
    await expectCompleteAnswerOnce(page, answer);
    await context!.close();
    context = undefined;
  });

  it("shows the whole answer exactly once when the network returns after the answer has finished", async () => {
    const answer = slowAnswer();
    stack.model.enqueue({ text: answer, chunkSize: 8, delayMsBetweenChunks: 40 });
    const page = await openChat();
    await send(page, "Answer, I may drop off");
    await page.getByTestId("assistant-message").last().getByText("BEGIN").waitFor({ timeout: 20_000 });

    await cutNetwork();
    await page.getByRole("status").filter({ hasText: "You are offline" }).waitFor();
    // The turn belongs to the server: it finishes while the browser is away.
    await stack.model.waitFor(() => stack.model.requests.at(-1)!.completed, 30_000, "the answer to finish on the server");
    expect(await answerText(page)).not.toContain("THE END.");

    await restoreNetwork();
    await expectCompleteAnswerOnce(page, answer);
    await context!.close();
    context = undefined;
  });
});
