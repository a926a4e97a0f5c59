import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { ExposedPort, Workspace } from "../../../src/sandbox/types.ts";
import { removeDataDir, type SandboxdProcess, startSandboxd, uniqueId, waitFor } from "../../support/sandboxd.ts";

const MiB = 1024 * 1024;
const started: SandboxdProcess[] = [];
const clients: Socket[] = [];

// A server in the workspace that answers every request but /ping and /hold (read the head, then never read or answer)
// with a 512 MiB body, written as fast as the connection takes it, and keeps a count of bytes sent and connections open in /workspace/sent.json.
const bigServer = (port: number) => [
  "/usr/bin/python3",
  "-c",
  `import json, os, socket, threading, time
SIZE = 512 << 20
CHUNK = b"x" * 65536
state = {"open": 0, "connections": 0, "sent": 0}
lock = threading.Lock()
def handle(c):
    try:
        head = c.recv(65536)
        if head.startswith(b"GET /ping"):
            c.sendall(b"HTTP/1.1 200 OK\\r\\ncontent-length: 4\\r\\nconnection: close\\r\\n\\r\\npong")
            return
        if head.startswith(b"POST /hold"):
            # Until the relay goes away: TCP_INFO's first byte is the state, 1 while established.
            while c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] == 1:
                time.sleep(0.05)
            return
        c.sendall(b"HTTP/1.1 200 OK\\r\\ncontent-type: application/octet-stream\\r\\ncontent-length: %d\\r\\nconnection: close\\r\\n\\r\\n" % SIZE)
        left = SIZE
        while left > 0:
            n = c.send(CHUNK[:min(left, len(CHUNK))])
            left -= n
            with lock:
                state["sent"] += n
    except OSError:
        pass
    finally:
        c.close()
        with lock:
            state["open"] -= 1
def report():
    while True:
        with lock:
            text = json.dumps(state)
        with open("/workspace/sent.json.tmp", "w") as f:
            f.write(text)
        os.replace("/workspace/sent.json.tmp", "/workspace/sent.json")
        time.sleep(0.05)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", ${port}))
s.listen(64)
threading.Thread(target=report, daemon=True).start()
while True:
    c, _ = s.accept()
    with lock:
        state["open"] += 1
        state["connections"] += 1
    threading.Thread(target=handle, args=(c,), daemon=True).start()`,
];

type ServerState = { open: number; connections: number; sent: number };

afterAll(async () => {
  for (const client of clients) client.destroy();
  for (const sandboxd of started) {
    await sandboxd.stop();
    removeDataDir(sandboxd.dataDir);
  }
});

async function setUp(env: Record<string, string> = {}) {
  const sandboxd = await startSandboxd({ env });
  started.push(sandboxd);
  const ws = await sandboxd.client.workspace(uniqueId("bulk"));
  const exposed = await ws.exposePort(4300);
  await ws.startProcess(bigServer(4300));
  await waitFor(async () => {
    const response = await preview(sandboxd, ws, exposed, "/ping");
    return response.status === 200 && (await response.text()) === "pong";
  }, 20_000);
  return { sandboxd, ws, exposed };
}

function preview(sandboxd: SandboxdProcess, ws: Workspace, exposed: ExposedPort, path: string): Promise<Response> {
  const request = new Request(`http://${exposed.port}-${ws.id}-${exposed.token}.localhost${path}`);
  return sandboxd.client.previewFetch(request, { port: exposed.port, sandboxId: ws.id, token: exposed.token });
}

/** A client that sends a preview request and never reads the answer. */
function nonReadingClient(sandboxd: SandboxdProcess, ws: Workspace, exposed: ExposedPort): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(sandboxd.port, "127.0.0.1", () => {
      socket.pause();
      socket.write(
        `GET /v1/workspaces/${ws.id}/ports/${exposed.port}/relay/big HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${sandboxd.secret}\r\nx-preview-token: ${exposed.token}\r\n\r\n`,
      );
      resolve(socket);
    });
    socket.on("error", reject);
    clients.push(socket);
  });
}

const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;

async function serverState(ws: Workspace): Promise<ServerState> {
  return JSON.parse(await ws.readFile("sent.json")) as ServerState;
}

describe("preview relay flow control", () => {
  it("keeps sandboxd's memory bounded with 20 clients that do not read a 512 MiB answer, and frees it when they go", async () => {
    const { sandboxd, ws, exposed } = await setUp();
    const baseline = rss(sandboxd.pid);
    let peak = baseline;
    const sockets = await Promise.all(Array.from({ length: 20 }, () => nonReadingClient(sandboxd, ws, exposed)));
    // Until the server is stalled (every connection open and no byte sent between two looks), sandboxd stays bounded.
    let last = -1;
    let unchanged = 0;
    await waitFor(async () => {
      peak = Math.max(peak, rss(sandboxd.pid));
      expect(peak - baseline).toBeLessThan(128 * MiB);
      const state = await serverState(ws);
      unchanged = state.connections >= 21 && state.sent === last ? unchanged + 1 : 0;
      last = state.sent;
      return unchanged >= 10;
    }, 60_000);
    // Far less than the 20 x 512 MiB asked for went out: the server was held back, not drained into sandboxd.
    expect(last).toBeLessThan(20 * 512 * MiB);
    for (const socket of sockets) socket.destroy();
    // Every relay connection into the workspace is closed once its client is gone.
    await waitFor(async () => (await serverState(ws)).open === 0, 30_000);
    const after = await waitFor(() => {
      const now = rss(sandboxd.pid);
      return now < baseline + 48 * MiB && now;
    }, 30_000);
    expect(after - baseline).toBeLessThan(48 * MiB);
  });

  it("holds back a client that uploads faster than the workspace's server reads", async () => {
    // sandboxd is not reading a held-back client, so it learns that the client left only at the idle timeout.
    const { sandboxd, ws, exposed } = await setUp({ SANDBOXD_PREVIEW_IDLE_MS: "3000" });
    const baseline = rss(sandboxd.pid);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(sandboxd.port, "127.0.0.1", () => resolve(s));
      s.on("error", reject);
      clients.push(s);
    });
    // The server reads the head only and never answers; the 256 MiB body is queued at once on the client's side.
    socket.write(
      `POST /v1/workspaces/${ws.id}/ports/${exposed.port}/relay/hold HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${sandboxd.secret}\r\nx-preview-token: ${exposed.token}\r\ncontent-length: ${256 * MiB}\r\n\r\n`,
    );
    const chunk = Buffer.alloc(MiB, 120);
    for (let i = 0; i < 256; i++) socket.write(chunk);
    // Unsent bytes stop draining from the client: sandboxd takes no more than it can pass on.
    let last = -1;
    let unchanged = 0;
    await waitFor(() => {
      expect(rss(sandboxd.pid) - baseline).toBeLessThan(128 * MiB);
      unchanged = socket.writableLength === last ? unchanged + 1 : 0;
      last = socket.writableLength;
      return unchanged >= 20;
    }, 60_000);
    expect(last).toBeGreaterThan(128 * MiB);
    socket.destroy();
    await waitFor(async () => (await serverState(ws)).open === 0, 30_000);
  });

  it("answers 429 past the per-workspace cap on concurrent preview connections", async () => {
    const { sandboxd, ws, exposed } = await setUp({ SANDBOXD_PREVIEW_MAX_CONNECTIONS: "3" });
    const sockets = await Promise.all(Array.from({ length: 3 }, () => nonReadingClient(sandboxd, ws, exposed)));
    await waitFor(async () => (await serverState(ws)).open === 3, 20_000);
    const over = await preview(sandboxd, ws, exposed, "/ping");
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({ error: { code: "too_many_preview_connections" } });
    for (const socket of sockets) socket.destroy();
    await waitFor(async () => (await serverState(ws)).open === 0, 20_000);
    // Freed slots are usable again.
    const again = await preview(sandboxd, ws, exposed, "/ping");
    expect(await again.text()).toBe("pong");
  });

  it("closes a preview connection that moved no byte for the idle timeout", async () => {
    const { sandboxd, ws, exposed } = await setUp({ SANDBOXD_PREVIEW_IDLE_MS: "1500" });
    await nonReadingClient(sandboxd, ws, exposed);
    await waitFor(async () => (await serverState(ws)).connections === 2, 20_000);
    // The client still holds its socket; sandboxd ends the relay, which the workspace's server sees.
    await waitFor(async () => (await serverState(ws)).open === 0, 20_000);
  });
});
