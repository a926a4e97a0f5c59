import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../fakes/model-server.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { launchBrowser, screenshot, addSessionCookie, openThreadPage, screenshotOnFailure } from "../support/browser.ts";
import { type ApiInit, apiOk } from "../support/http.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";

const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;
// A 1x1 PNG, red.
const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

let stack: AgentStack;
let browser: Browser;
let user: TestUser;
let agentId: string;
let context: BrowserContext | undefined;
const base = () => stack.worker.url;

function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  return apiOk<T>(base(), user, path, init);
}

beforeAll(async () => {
  stack = await startAgentStack({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } });
  browser = await launchBrowser();
  user = await signUpVerifiedUser(base(), { name: "Attachment Tester" });
  agentId = (await api<{ agents: { id: string }[] }>("/api/agent")).agents[0]!.id;
  // The agent's model reads images, so the pasted image must reach it as an image part.
  const admin = await signUpUser(base(), { email: ADMIN_EMAIL });
  const marked = await fetch(`${base()}/api/admin/models`, {
    method: "PATCH",
    headers: admin.headers({ "content-type": "application/json" }),
    body: JSON.stringify({ id: "gpt-oss:20b", changes: { vision: true } }),
  });
  if (marked.status !== 200) throw new Error(`marking the model as vision-capable answered ${marked.status}`);
}, 180_000);

beforeEach((test) => {
  stack?.model.reset();
  screenshotOnFailure(test, () => context?.pages() ?? []);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.dispose();
});

describe("attachments in the composer, in Chromium", () => {
  it("attaches a text file with the paperclip and a pasted image, shows upload progress, sends both to the model, and shows them after a reload", async () => {
    const threadId = (await api<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST", body: "{}" })).id;
    context = await browser.newContext();
    await addSessionCookie(context, user.cookie, base());
    const page = await context.newPage();
    await openThreadPage(page, `${base()}/agents/${agentId}/threads/${threadId}`);

    // A slow uplink keeps the upload going long enough to see its progress bar.
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 16 * 1024 });

    const marker = `marker-${randomUUID()}`;
    const text = `# Notes\n${marker}\n${"lorem ipsum dolor sit amet\n".repeat(1500)}`;
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.getByRole("button", { name: "Attach files" }).click()]);
    await chooser.setFiles({ name: "notes.md", mimeType: "text/markdown", buffer: Buffer.from(text) });
    const progress = page.getByRole("progressbar", { name: "Uploading notes.md" });
    await progress.waitFor({ timeout: 10_000 });
    await expect
      .poll(async () => Number(await progress.getAttribute("aria-valuenow", { timeout: 500 }).catch(() => "100")), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    await page.locator('[data-testid="pending-attachment"][data-state="saved"]').first().waitFor({ timeout: 30_000 });
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    await page.getByLabel("Message", { exact: true }).evaluate((textarea, png) => {
      const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], "pixel.png", { type: "image/png" }));
      textarea.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    }, PNG_BASE64);
    await page.getByRole("listitem", { name: "pixel.png" }).and(page.locator('[data-state="saved"]')).waitFor({ timeout: 15_000 });

    stack.model.enqueue({ text: "A note and a red pixel." });
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("What did I attach?");
    await composer.press("Enter");
    await page.getByTestId("assistant-message").getByText("A note and a red pixel.").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("pending-attachment").count()).toBe(0);

    const request = stack.model.requests.find((r) => r.lastUserMessage.includes("What did I attach?"));
    const content = request?.body?.messages.findLast((m: ChatMessage) => m.role === "user")?.content as {
      type: string;
      text?: string;
      image_url?: { url: string };
    }[];
    const inline = content.map((p) => p.text ?? "").join("\n");
    expect(inline).toContain(`uploads/${threadId}/notes.md`);
    expect(inline).toContain(marker);
    expect(content.find((p) => p.type === "image_url")?.image_url?.url).toBe(`data:image/png;base64,${PNG_BASE64}`);

    await page.reload();
    await page.locator('form[data-connected="true"]').waitFor();
    const chips = page.getByTestId("attachment-chip");
    await chips.nth(1).waitFor();
    expect(await chips.count()).toBe(2);
    const attached = page.getByTestId("message-attachments");
    await attached.getByRole("link", { name: "notes.md", exact: true }).waitFor();
    const thumbnail = attached.getByRole("img", { name: "pixel.png" });
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBe(1);
    await screenshot(page, "attachments-after-reload");
  });

  it("refuses a file of another type in the composer with a clear message, and Remove takes it away", async () => {
    const threadId = (await api<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST", body: "{}" })).id;
    context ??= await browser.newContext();
    const page = await context.newPage();
    await openThreadPage(page, `${base()}/agents/${agentId}/threads/${threadId}`);
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.getByRole("button", { name: "Attach files" }).click()]);
    await chooser.setFiles({ name: "setup.exe", mimeType: "application/octet-stream", buffer: Buffer.from("MZ") });
    const item = page.getByRole("listitem", { name: "setup.exe" });
    await item.getByRole("alert").getByText("cannot be attached").waitFor();
    await page.getByRole("button", { name: "Remove setup.exe" }).click();
    await item.waitFor({ state: "detached" });
    await page.close();
  });
});
