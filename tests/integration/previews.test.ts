import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { rawRequest, WEBSOCKET_UPGRADE_HEADERS } from "../support/http.ts";
import { waitFor } from "../support/sandboxd.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { type ApiInit, apiRequest } from "../support/http.ts";

let stack: AgentStack;
let alice: TestUser;
let bob: TestUser;
let aliceAgent: string;
let bobAgent: string;

function api<T = Record<string, unknown>>(user: TestUser, path: string, init: ApiInit = {}) {
  return apiRequest<T>(stack.worker.url, user, path, init);
}

// A server for the workspace (node, no packages): its text on every path; a real WebSocket handshake on upgrade.
const server = (port: number, bind: string, text: string) =>
  `cat > /tmp/server-${port}.js <<'JS'
const http = require("http"), crypto = require("crypto");
const s = http.createServer((req, res) => { res.setHeader("content-type", "text/html"); res.end(${JSON.stringify(text)} + " " + req.url); });
s.on("upgrade", (req, socket) => {
  const accept = crypto.createHash("sha1").update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  socket.write("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: " + accept + "\\r\\n\\r\\n");
});
s.listen(${port}, ${JSON.stringify(bind)});
JS
exec node /tmp/server-${port}.js`;

async function startServer(user: TestUser, agent: string, port: number, bind: string, text: string) {
  const { status } = await api(user, `/api/agent/${agent}/processes`, {
    method: "POST",
    body: JSON.stringify({ command: server(port, bind, text) }),
  });
  expect(status).toBe(201);
}

async function expose(user: TestUser, agent: string, port: number): Promise<URL> {
  const { status, body } = await api<{ url: string; port: number }>(user, `/api/agent/${agent}/ports`, {
    method: "POST",
    body: JSON.stringify({ port }),
  });
  expect(status).toBe(201);
  expect(body.port).toBe(port);
  return new URL(body.url);
}

/** A request to the Worker for a preview host (fetch cannot set Host). */
const viaHost = (host: string, path = "/", headers: Record<string, string> = {}) =>
  rawRequest(`${stack.worker.url}${path}`, { headers: { host, ...headers } });

async function waitForPage(host: string, path = "/") {
  return waitFor(async () => {
    const page = await viaHost(host, path);
    return page.status === 502 ? null : page;
  }, 20_000);
}

beforeAll(async () => {
  stack = await startAgentStack();
  [alice, bob] = await Promise.all([signUpVerifiedUser(stack.worker.url), signUpVerifiedUser(stack.worker.url)]);
  aliceAgent = (await api<{ agents: { id: string }[] }>(alice, "/api/agent")).body.agents[0]!.id;
  bobAgent = (await api<{ agents: { id: string }[] }>(bob, "/api/agent")).body.agents[0]!.id;
}, 180_000);
afterAll(() => stack?.dispose());

describe("live previews through the Worker", () => {
  it("answers a preview URL on *.localhost whose single host label stays within 63 characters", async () => {
    const url = await expose(alice, aliceAgent, 3000);
    const label = url.hostname.split(".")[0]!;
    expect(url.hostname).toBe(`${label}.localhost`);
    expect(url.port).toBe(new URL(stack.worker.url).port);
    expect(label).toMatch(new RegExp(`^3000-${aliceAgent}-[a-z0-9]{24}$`));
    expect(label.length).toBeLessThanOrEqual(63);
    const { body } = await api<{ ports: { port: number; url: string }[] }>(alice, `/api/agent/${aliceAgent}/ports`);
    expect(body.ports).toEqual([expect.objectContaining({ port: 3000, url: url.href })]);
  });

  it("shows each of two users' servers on port 3000 at its own preview URL", async () => {
    const [a, b] = await Promise.all([expose(alice, aliceAgent, 3000), expose(bob, bobAgent, 3000)]);
    await Promise.all([
      startServer(alice, aliceAgent, 3000, "127.0.0.1", "alice's page"),
      startServer(bob, bobAgent, 3000, "0.0.0.0", "bob's page"),
    ]);
    const [pageA, pageB] = await Promise.all([waitForPage(a.host, "/about?x=1"), waitForPage(b.host)]);
    expect(pageA).toMatchObject({ status: 200, body: "alice's page /about?x=1" });
    expect(pageB).toMatchObject({ status: 200, body: "bob's page /" });
  });

  it("passes WebSocket upgrades through to the workspace server", async () => {
    const url = await expose(alice, aliceAgent, 3000);
    await waitForPage(url.host);
    const upgrade = await viaHost(url.host, "/hmr", WEBSOCKET_UPGRADE_HEADERS);
    expect(upgrade.status).toBe(101);
  });

  it("answers a clear 404 page for a wrong token, a missing token, another user's sandbox and an unexposed port", async () => {
    const a = await expose(alice, aliceAgent, 3000);
    const b = await expose(bob, bobAgent, 3000);
    const port = new URL(stack.worker.url).port;
    const bobToken = b.hostname.split(".")[0]!.split("-")[2]!;
    const hosts = [
      `3000-${aliceAgent}-${"0".repeat(24)}.localhost:${port}`,
      `3000-${aliceAgent}.localhost:${port}`,
      `3000-${aliceAgent}-${bobToken}.localhost:${port}`,
      a.host.replace(/^3000-/, "3999-"),
    ];
    for (const host of hosts) {
      const page = await viaHost(host);
      expect(page.status, host).toBe(404);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.body).toContain("Preview not found");
      expect(page.body).not.toMatch(/alice's page|bob's page/);
    }
  });

  it("answers a clear 502 page for an exposed port that nothing listens on", async () => {
    const url = await expose(alice, aliceAgent, 4999);
    const page = await viaHost(url.host);
    expect(page.status).toBe(502);
    expect(page.body).toContain("Nothing is answering on this port");
    // A dev server starting or restarting comes back on its own: the page reloads itself until it answers.
    expect(page.headers.refresh).toBe("3");
  });

  it("stops previewing a port once it is deleted", async () => {
    const url = await expose(alice, aliceAgent, 4998);
    const response = await fetch(`${stack.worker.url}/api/agent/${aliceAgent}/ports/4998`, { method: "DELETE", headers: alice.headers() });
    expect(response.status).toBe(204);
    expect((await viaHost(url.host)).status).toBe(404);
  });

  it("keeps another user's agent ports private: listing and exposing answer 404", async () => {
    expect((await api(bob, `/api/agent/${aliceAgent}/ports`)).status).toBe(404);
    expect((await api(bob, `/api/agent/${aliceAgent}/ports`, { method: "POST", body: JSON.stringify({ port: 3000 }) })).status).toBe(404);
  });
});

// A workspace server that tries to set cookies for the app, on its pages and on a WebSocket handshake.
const cookieServer = (port: number) =>
  `cat > /tmp/cookies-${port}.js <<'JS'
const http = require("http"), crypto = require("crypto");
const cookies = [
  "theme=dark; Path=/",
  "planted=1; Domain=localhost; Path=/",
  "netm8.session_token=attacker.c2lnbmVk; Path=/api",
  "__Host-netm8.session_token=attacker.c2lnbmVk; Path=/; Secure",
  "__Secure-netm8.session_token=attacker.c2lnbmVk; Path=/; Secure",
];
const s = http.createServer((req, res) => { res.setHeader("set-cookie", cookies); res.end("cookies"); });
s.on("upgrade", (req, socket) => {
  const accept = crypto.createHash("sha1").update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  socket.write("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: " + accept + "\\r\\n" + cookies.map((c) => "Set-Cookie: " + c + "\\r\\n").join("") + "\\r\\n");
});
s.listen(${port}, "0.0.0.0");
JS
exec node /tmp/cookies-${port}.js`;

describe("cookies from a preview", () => {
  it("lets a workspace server set host-only cookies of its preview host, never ones for a parent domain or named like the app's", async () => {
    const url = await expose(alice, aliceAgent, 4100);
    const { status } = await api(alice, `/api/agent/${aliceAgent}/processes`, {
      method: "POST",
      body: JSON.stringify({ command: cookieServer(4100) }),
    });
    expect(status).toBe(201);
    const page = await waitForPage(url.host);
    expect(page.body).toBe("cookies");
    const upgrade = await viaHost(url.host, "/hmr", WEBSOCKET_UPGRADE_HEADERS);
    expect(upgrade.status).toBe(101);
    for (const [label, answer] of [
      ["page", page],
      ["WebSocket handshake", upgrade],
    ] as const)
      expect([answer.headers["set-cookie"] ?? []].flat(), label).toEqual(["theme=dark; Path=/"]);
  });
});

describe("the expose_port tool", () => {
  it("exposes a port for the agent and gives the model a preview URL that the Worker serves", async () => {
    const thread = (await api<{ id: string }>(alice, `/api/agent/${aliceAgent}/threads`, { method: "POST" })).body.id;
    const turn = await fetch(`${stack.worker.url}/api/agent/${aliceAgent}/threads/${thread}/messages`, {
      method: "POST",
      headers: alice.headers({ "content-type": "application/json", accept: "application/json" }),
      body: JSON.stringify({ text: 'Show me port 4321 [[tool:expose_port:{"port":4321}]]' }),
    });
    expect(turn.status).toBe(200);
    await turn.text();
    const toolMessage = stack.model.requests
      .flatMap((r) => (r.body?.messages ?? []) as { role: string; content: unknown }[])
      .find((m) => m.role === "tool" && JSON.stringify(m.content).includes("4321"));
    const url = new RegExp(`http://4321-${aliceAgent}-[a-z0-9]{24}\\.localhost:\\d+/`).exec(JSON.stringify(toolMessage?.content))?.[0];
    expect(url, JSON.stringify(toolMessage)).toBeDefined();
    const { body } = await api<{ ports: { port: number; url: string }[] }>(alice, `/api/agent/${aliceAgent}/ports`);
    expect(body.ports).toContainEqual(expect.objectContaining({ port: 4321, url }));
    expect((await viaHost(new URL(url!).host)).status).toBe(502);
  });
});

describe("templates API", () => {
  it("lists the Next.js, React and Vue starters with their dev command and port", async () => {
    const { status, body } = await api<{ templates: { name: string; port: number; dev: string; files: string[] }[] }>(
      alice,
      "/api/templates",
    );
    expect(status).toBe(200);
    expect(body.templates.map((t) => t.name)).toEqual(["nextjs", "react-vite", "vue-vite"]);
    for (const t of body.templates) {
      expect(t).toMatchObject({ port: 8080, dev: "npm run dev" });
      expect(t.files).toContain("package.json");
    }
  });

  it("refuses an unknown template and a dir that leaves the workspace", async () => {
    for (const body of [{ template: "angular" }, { template: "vue-vite", dir: "../x" }]) {
      const { status } = await api(alice, `/api/agent/${aliceAgent}/template`, { method: "POST", body: JSON.stringify(body) });
      expect(status).toBe(400);
    }
  });
});
