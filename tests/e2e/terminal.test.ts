import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { gotoHydrated, launchBrowser, screenshot, addSessionCookie } from "../support/browser.ts";
import { type ApiInit, apiOk, rawRequest, WEBSOCKET_UPGRADE_HEADERS } from "../support/http.ts";
import { waitFor } from "../support/sandboxd.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

let stack: AgentStack;
let browser: Browser;
let user: TestUser;
let other: TestUser;
let agentId: string;
let downloads: string;
const contexts: BrowserContext[] = [];
const base = () => stack.worker.url;

function api<T>(pathname: string, init: ApiInit = {}): Promise<T> {
  return apiOk<T>(base(), user, pathname, init);
}

const call = (who: TestUser, pathname: string, init: RequestInit = {}) =>
  fetch(`${base()}${pathname}`, {
    ...init,
    headers: who.headers({ "content-type": "application/json", ...(init.headers as Record<string, string>) }),
  });

beforeAll(async () => {
  const started = await Promise.allSettled([startAgentStack().then((s) => (stack = s)), launchBrowser().then((b) => (browser = b))]);
  for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
  [user, other] = await Promise.all([signUpVerifiedUser(base()), signUpVerifiedUser(base())]);
  agentId = (await api<{ agents: { id: string }[] }>("/api/agent")).agents[0]!.id;
  downloads = mkdtempSync(path.join(tmpdir(), "terminal-e2e-"));
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await stack?.dispose();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
});

async function openWorkspace(): Promise<{ page: Page; workspace: Locator }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  contexts.push(context);
  await addSessionCookie(context, user.cookie, base());
  const page = await context.newPage();
  const { id: threadId } = await api<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST", body: "{}" });
  await gotoHydrated(page, `${base()}/agents/${agentId}/threads/${threadId}`);
  return { page, workspace: page.getByRole("region", { name: "Workspace" }) };
}

/** Types a line into the focused terminal and waits for `expected` to show on its screen. */
async function typeLine(page: Page, screen: Locator, line: string, expected: string): Promise<void> {
  await page.keyboard.type(`${line}\n`);
  await screen.getByText(expected).first().waitFor({ timeout: 20_000 });
}

describe("the Terminal tab in Chromium", () => {
  it("runs a persistent shell per tab: cd persists, output streams while running, Ctrl+C stops a loop", async () => {
    await api(`/api/agent/${agentId}/files/mkdir`, { method: "POST", body: JSON.stringify({ path: "sub-dir" }) });
    const { page, workspace } = await openWorkspace();
    await workspace.getByRole("tab", { name: "Terminal", exact: true }).click();
    const first = workspace.locator('[data-testid="terminal-session"]:not([hidden])');
    await first.and(page.locator('[data-state="connected"]')).waitFor({ timeout: 30_000 });
    const screen = first.getByTestId("terminal-screen");
    await screen.click();

    await typeLine(page, screen, "cd sub-dir", "~/sub-dir$");
    await typeLine(page, screen, "echo at-$(pwd | tr / :)", "at-:workspace:sub-dir");

    // Streaming: the first lines show while the loop still runs (its last line is not there yet).
    await page.keyboard.type("for i in 1 2 3 4 5 6 7 8; do echo step-$((i*11)); sleep 1; done\n");
    await screen.getByText("step-22").waitFor({ timeout: 20_000 });
    expect(await screen.getByText("step-88").count()).toBe(0);
    await screen.getByText("step-88").waitFor({ timeout: 20_000 });

    await page.keyboard.type("while true; do echo loop-$((n=n+1)); sleep 0.2; done\n");
    await screen.getByText("loop-3").first().waitFor({ timeout: 20_000 });
    await page.keyboard.press("Control+C");
    await typeLine(page, screen, "echo stopped-$((3*3))", "stopped-9");
    await typeLine(page, screen, "echo again-$((2*2))", "again-4");
    const rows = await screen.locator(".xterm-rows > div").allTextContents();
    const after = rows.slice(rows.findIndex((r) => r.includes("stopped-9")));
    expect(after.join("\n")).not.toContain("loop-");
    await screenshot(page, "terminal-session");

    // A second tab is a shell of its own; the first keeps its directory.
    await workspace.getByRole("button", { name: "New terminal" }).click();
    await workspace.getByRole("tab", { name: "Terminal 2" }).waitFor();
    const second = workspace.locator('[data-testid="terminal-session"]:not([hidden])');
    await second.getByRole("group", { name: "Terminal 2" }).waitFor();
    await second.and(page.locator('[data-state="connected"]')).waitFor({ timeout: 30_000 });
    await second.getByTestId("terminal-screen").click();
    await typeLine(page, second.getByTestId("terminal-screen"), "echo two-$(pwd | tr / :)", "two-:workspace");
    expect((await api<{ terminals: unknown[] }>(`/api/agent/${agentId}/terminals`)).terminals.length).toBeGreaterThanOrEqual(2);
    await workspace.getByRole("tab", { name: "Terminal 1" }).click();
    await screen.click();
    await typeLine(page, screen, "echo still-$(pwd | tr / :)", "still-:workspace:sub-dir");

    // Closing a tab closes its shell.
    const before = (await api<{ terminals: { id: string }[] }>(`/api/agent/${agentId}/terminals`)).terminals.length;
    await workspace.getByRole("button", { name: "Close terminal 2" }).click();
    await waitFor(async () => (await api<{ terminals: unknown[] }>(`/api/agent/${agentId}/terminals`)).terminals.length === before - 1);
  }, 180_000);
});

describe("ports found listening in the workspace, in the Preview tab", () => {
  it("offers a port a process starts listening on and previews it with one click", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    await api(`/api/agent/${agentId}/files?path=site/index.html`, { method: "PUT", body: "<h1>Detected server</h1>" });
    await api(`/api/agent/${agentId}/processes`, {
      method: "POST",
      body: JSON.stringify({ command: `python3 -m http.server ${port} --bind 127.0.0.1`, cwd: "site" }),
    });
    await waitFor(async () =>
      (await api<{ ports: { port: number }[] }>(`/api/agent/${agentId}/ports/listening`)).ports.some((p) => p.port === port),
    );
    const { page, workspace } = await openWorkspace();
    await workspace.getByRole("tab", { name: "Preview" }).click();
    const offer = workspace.getByRole("button", { name: `Open preview of port ${port}` });
    await offer.waitFor({ timeout: 20_000 });
    await screenshot(page, "preview-detected-port");
    await offer.click();
    const frame = page.frameLocator(`iframe[title="Preview of port ${port}"]`);
    await frame.getByRole("heading", { name: "Detected server" }).waitFor({ timeout: 30_000 });
    expect((await api<{ ports: { port: number }[] }>(`/api/agent/${agentId}/ports`)).ports.map((p) => p.port)).toContain(port);
  }, 120_000);
});

describe("downloads from the Files tab", () => {
  it("downloads the workspace as a tar.gz and a folder as a zip that unpack to its files", async () => {
    await api(`/api/agent/${agentId}/files?path=proj/src/main.py`, { method: "PUT", body: "print('hi')\n" });
    await api(`/api/agent/${agentId}/files?path=proj/notes.txt`, { method: "PUT", body: "notes\n" });
    const { page, workspace } = await openWorkspace();
    const files = workspace.getByRole("list", { name: "Workspace files" });
    await files.getByRole("button", { name: "Folder proj" }).waitFor();

    const [whole] = await Promise.all([
      page.waitForEvent("download"),
      workspace.getByRole("link", { name: "Download workspace as tar.gz" }).click(),
    ]);
    const tarFile = path.join(downloads, "workspace.tar.gz");
    await whole.saveAs(tarFile);
    const tar = spawnSync("tar", ["-tzf", tarFile], { encoding: "utf8" });
    expect(tar.status, tar.stderr).toBe(0);
    expect(tar.stdout.split("\n")).toEqual(expect.arrayContaining(["workspace/proj/src/main.py", "workspace/proj/notes.txt"]));

    await files.getByRole("button", { name: "Folder proj" }).hover();
    const [folder] = await Promise.all([page.waitForEvent("download"), files.getByRole("link", { name: "Download proj" }).click()]);
    const zipFile = path.join(downloads, "proj.zip");
    await folder.saveAs(zipFile);
    const zip = spawnSync("unzip", ["-l", zipFile], { encoding: "utf8" });
    expect(zip.status, zip.stderr).toBe(0);
    expect(zip.stdout).toContain("proj/src/main.py");
    expect(zip.stdout).toContain("proj/notes.txt");
    const content = spawnSync("unzip", ["-p", zipFile, "proj/src/main.py"], { encoding: "utf8" });
    expect(content.stdout).toBe("print('hi')\n");
  }, 120_000);
});

describe("terminal, port and archive routes refuse bad input and other users", () => {
  it("answers a clear 4xx for a bad size, an unknown session, a path outside and another user's agent", async () => {
    const badSize = await call(user, `/api/agent/${agentId}/terminals`, { method: "POST", body: JSON.stringify({ cols: 0, rows: 24 }) });
    expect(badSize.status).toBe(400);
    expect(((await badSize.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
    const unknown = await call(user, `/api/agent/${agentId}/terminals/term_0000000000000000`, { method: "DELETE" });
    expect(unknown.status).toBe(404);
    expect((await call(user, `/api/agent/${agentId}/terminals/term_0000000000000000`)).status).toBe(404);
    expect((await call(user, `/api/agent/${agentId}/terminals/not-a-terminal`, { method: "DELETE" })).status).toBe(400);
    const outside = await call(user, `/api/agent/${agentId}/files/archive?path=/etc`);
    expect(outside.status).toBe(403);
    expect(((await outside.json()) as { error: { code: string } }).error.code).toBe("path_outside_workspace");
    expect((await call(user, `/api/agent/${agentId}/files/archive?path=../x`)).status).toBe(400);
    expect((await call(user, `/api/agent/${agentId}/files/archive?format=rar`)).status).toBe(400);
    expect((await call(user, `/api/agent/${agentId}/files/archive?path=missing-dir`)).status).toBe(404);
    // Someone else's agent does not exist for them.
    expect((await call(other, `/api/agent/${agentId}/terminals`)).status).toBe(404);
    expect((await call(other, `/api/agent/${agentId}/ports/listening`)).status).toBe(404);
    expect((await call(other, `/api/agent/${agentId}/files/archive`)).status).toBe(404);
  });

  it("attaches a WebSocket only from our origin, and only for the agent's own sessions", async () => {
    const { id } = await api<{ id: string }>(`/api/agent/${agentId}/terminals`, {
      method: "POST",
      body: JSON.stringify({ cols: 80, rows: 24 }),
    });
    const url = `${base()}/api/agent/${agentId}/terminals/${id}`;
    const upgrade = (who: TestUser, origin: string) =>
      rawRequest(url, { headers: { ...WEBSOCKET_UPGRADE_HEADERS, cookie: who.cookie, origin } });
    expect((await upgrade(user, "https://evil.example")).status).toBe(403);
    expect((await upgrade(other, base())).status).toBe(404);
    expect((await upgrade(user, base())).status).toBe(101);
    await api(`/api/agent/${agentId}/terminals/${id}`, { method: "DELETE" });
  });

  it("closes an open terminal once its session is signed out", async () => {
    const carol = await signUpVerifiedUser(base());
    const carolAgent = ((await (await call(carol, "/api/agent")).json()) as { agents: { id: string }[] }).agents[0]!.id;
    const opened = await call(carol, `/api/agent/${carolAgent}/terminals`, {
      method: "POST",
      body: JSON.stringify({ cols: 80, rows: 24 }),
    });
    const { id } = (await opened.json()) as { id: string };
    const socket = new WebSocket(`${base().replace(/^http/, "ws")}/api/agent/${carolAgent}/terminals/${id}`, {
      headers: { cookie: carol.cookie, origin: base() },
    });
    let output = "";
    let closedWith: number | null = null;
    socket.on("message", (data, binary) => {
      if (binary) output += String(data);
    });
    socket.on("close", (code) => (closedWith = code));
    await waitFor(() => socket.readyState === WebSocket.OPEN);
    socket.send(Buffer.from("echo before-$((5*5))\r"));
    await waitFor(() => output.includes("before-25"));
    const out = await call(carol, "/api/auth/sign-out", { method: "POST", headers: { origin: base() }, body: "{}" });
    expect(out.status).toBe(200);
    // The next key after the re-check interval finds the session gone and closes the terminal.
    await waitFor(() => {
      if (closedWith === null && socket.readyState === WebSocket.OPEN) socket.send(Buffer.from(" "));
      return closedWith !== null;
    }, 30_000);
    expect(closedWith).toBe(4401);
  }, 60_000);
});
