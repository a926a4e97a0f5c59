import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExposedPort, Workspace } from "../../../src/sandbox/types.ts";
import { removeDataDir, type SandboxdProcess, startSandboxd, uniqueId, waitFor } from "../../support/sandboxd.ts";

let sandboxd: SandboxdProcess;
let first: Workspace;
let second: Workspace;

// A tiny server (node inside the sandbox): answers with its text and the Host it saw; echoes bytes after an upgrade.
const server = (port: number, bind: string, text: string) => [
  "/usr/bin/node",
  "-e",
  `const http = require("http");
   const s = http.createServer((req, res) => res.end(${JSON.stringify(text)} + " " + req.method + " " + req.url + " host=" + req.headers.host));
   s.on("upgrade", (req, socket) => { socket.write("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n"); socket.pipe(socket); });
   s.listen(${port}, ${JSON.stringify(bind)});`,
];

beforeAll(async () => {
  sandboxd = await startSandboxd();
  [first, second] = await Promise.all([sandboxd.client.workspace(uniqueId("prev")), sandboxd.client.workspace(uniqueId("prev"))]);
});

afterAll(async () => {
  await sandboxd?.stop();
  if (sandboxd) removeDataDir(sandboxd.dataDir);
});

function preview(ws: Workspace, exposed: Pick<ExposedPort, "port" | "token">, path = "/", init: RequestInit = {}) {
  const request = new Request(`http://${exposed.port}-${ws.id}-${exposed.token}.localhost${path}`, init);
  return sandboxd.client.previewFetch(request, { port: exposed.port, sandboxId: ws.id, token: exposed.token });
}

async function waitForServer(ws: Workspace, exposed: ExposedPort): Promise<Response> {
  return waitFor(async () => {
    const response = await preview(ws, exposed);
    if (response.status !== 502) return response;
    await response.body?.cancel();
    return null;
  }, 20_000);
}

describe("preview relay", () => {
  it("reaches a server started after the port was exposed, bound to 127.0.0.1, with the preview's Host", async () => {
    const exposed = await first.exposePort(4100);
    expect(exposed.token).toMatch(/^[a-z0-9]{24}$/);
    const proc = await first.startProcess(server(4100, "127.0.0.1", "loopback server"));
    const response = await waitForServer(first, exposed);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`loopback server GET / host=4100-${first.id}-${exposed.token}.localhost`);
    const post = await preview(first, exposed, "/submit?x=1", { method: "POST", body: "data" });
    expect(await post.text()).toMatch(/^loopback server POST \/submit\?x=1 /);
    await first.stopProcess(proc.id);
  });

  it("reaches a server bound to 0.0.0.0", async () => {
    const exposed = await first.exposePort(4101);
    const proc = await first.startProcess(server(4101, "0.0.0.0", "any-address server"));
    expect(await (await waitForServer(first, exposed)).text()).toMatch(/^any-address server GET \//);
    await first.stopProcess(proc.id);
  });

  it("lets two workspaces serve the same port, each preview showing its own server", async () => {
    const [a, b] = await Promise.all([first.exposePort(3000), second.exposePort(3000)]);
    const procs = await Promise.all([
      first.startProcess(server(3000, "0.0.0.0", "first")),
      second.startProcess(server(3000, "0.0.0.0", "second")),
    ]);
    expect(await (await waitForServer(first, a)).text()).toMatch(/^first /);
    expect(await (await waitForServer(second, b)).text()).toMatch(/^second /);
    // Each token belongs to its own workspace: the other's token is refused, never served.
    expect((await preview(first, { port: 3000, token: b.token })).status).toBe(404);
    await Promise.all([first.stopProcess(procs[0].id), second.stopProcess(procs[1].id)]);
  });

  it("keeps a port's token when it is exposed again and lists exposed ports", async () => {
    const once = await second.exposePort(5173);
    expect((await second.exposePort(5173)).token).toBe(once.token);
    expect((await second.exposedPorts()).map((p) => p.port)).toContain(5173);
    await second.unexposePort(5173);
    expect((await second.exposedPorts()).map((p) => p.port)).not.toContain(5173);
    const response = await preview(second, once);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("preview_not_found");
  });

  it("answers 404 for a wrong or missing token, an unexposed port and an unknown workspace", async () => {
    const exposed = await first.exposePort(4102);
    for (const response of [
      await preview(first, { port: 4102, token: "x".repeat(24) }),
      await preview(first, { port: 4102, token: "" }),
      await preview(first, { port: 4103, token: exposed.token }),
      await sandboxd.client.previewFetch(new Request("http://x.localhost/"), {
        port: 4102,
        sandboxId: "nosuchworkspace",
        token: exposed.token,
      }),
    ]) {
      expect(response.status).toBe(404);
      await response.body?.cancel();
    }
  });

  it("answers 502 port_not_listening when nothing listens on an exposed port", async () => {
    const exposed = await first.exposePort(4104);
    const response = await preview(first, exposed);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("port_not_listening");
  });

  it("passes upgrades through in both directions", async () => {
    const exposed = await first.exposePort(4105);
    const proc = await first.startProcess(server(4105, "127.0.0.1", "upgrade server"));
    await waitForServer(first, exposed);
    const socket = connect(sandboxd.port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk));
    socket.write(
      `GET /ws/v1/workspaces/x HTTP/1.1\r\n`.replace("/ws/v1/workspaces/x", `/v1/workspaces/${first.id}/ports/4105/relay/hmr`) +
        `Host: 127.0.0.1\r\nAuthorization: Bearer ${sandboxd.secret}\r\nx-preview-token: ${exposed.token}\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n`,
    );
    await waitFor(() => received.includes("\r\n\r\n"));
    expect(received).toMatch(/^HTTP\/1.1 101 /);
    received = "";
    socket.write("ping through the relay");
    await waitFor(() => received === "ping through the relay");
    socket.destroy();
    await first.stopProcess(proc.id);
  });

  it("refuses an upgrade without the right token", async () => {
    const socket = connect(sandboxd.port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk));
    socket.write(
      `GET /v1/workspaces/${first.id}/ports/4105/relay/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${sandboxd.secret}\r\nx-preview-token: wrong\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n`,
    );
    await waitFor(() => received.includes("\r\n\r\n"));
    expect(received).toMatch(/^HTTP\/1.1 404 /);
    socket.destroy();
  });
});
