import type { Sandbox as SdkSandboxClass } from "@cloudflare/sandbox";
import { describe, expect, it } from "vitest";
import { CloudflareSandbox, shellCommand, workspacePath, type SdkSandbox } from "../../src/sandbox/cloudflare.ts";

// The adapter's view of the SDK must be what the SDK's real Sandbox class offers (checked by the typecheck test).
type RealSandboxFits = SdkSandboxClass extends SdkSandbox ? true : never;
const realSandboxFits: RealSandboxFits = true;
void realSandboxFits;

type Call = { method: string; args: unknown[] };

const sse = (events: unknown[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const event of events) controller.enqueue(new TextEncoder().encode(`data: ${JSON.stringify(event)}\n\n`));
      controller.close();
    },
  });

/**
 * A recorded stand-in of the SDK's sandbox object: answers shaped as @cloudflare/sandbox 0.12.10 answers them
 * (typed by the SDK's own declarations), and a log of every call the adapter made.
 */
function recordedSandbox(files: Record<string, string> = {}) {
  const calls: Call[] = [];
  const exposed = new Map<number, string>();
  const record = (method: string, ...args: unknown[]) => calls.push({ method, args });
  const now = "2026-11-25T00:00:00.000Z";
  const sdk: SdkSandbox = {
    async exec(command, options) {
      record("exec", command, options);
      if (command.startsWith("if [ -L"))
        return { success: true, exitCode: 0, stdout: "directory\n", stderr: "", command, duration: 3, timestamp: now };
      if (command.startsWith("git status")) {
        const stdout = "## main...origin/main\n M src/App.jsx\n?? new.txt\n";
        return { success: true, exitCode: 0, stdout, stderr: "", command, duration: 5, timestamp: now };
      }
      if (command.startsWith("cat /proc/net/tcp")) {
        const stdout = [
          "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
          "   0: 00000000:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1",
          "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2",
          "   2: 0100007F:1F91 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 3",
        ].join("\n");
        return { success: true, exitCode: 0, stdout, stderr: "", command, duration: 2, timestamp: now };
      }
      if (command.includes("sleep"))
        return { success: false, exitCode: 124, stdout: "", stderr: "", command, duration: 1200, timestamp: now };
      return { success: true, exitCode: 0, stdout: "hi\n", stderr: "", command, duration: 12, timestamp: now };
    },
    async execStream(command, options) {
      record("execStream", command, options);
      return sse([
        { type: "start", timestamp: now, command },
        { type: "stdout", timestamp: now, data: "added 30 packages\n" },
        { type: "stderr", timestamp: now, data: "warn\n" },
        {
          type: "complete",
          timestamp: now,
          exitCode: 0,
          result: { success: true, exitCode: 0, stdout: "", stderr: "", command, duration: 4321, timestamp: now },
        },
      ]);
    },
    async startProcess(command, options) {
      record("startProcess", command, options);
      return { id: "proc-1", pid: 42, command, status: "running", startTime: new Date(now) } as Awaited<
        ReturnType<SdkSandbox["startProcess"]>
      >;
    },
    async listProcesses() {
      return [
        { id: "proc-1", command: "npm run dev", status: "completed", startTime: new Date(now), endTime: new Date(now), exitCode: 0 },
      ] as Awaited<ReturnType<SdkSandbox["listProcesses"]>>;
    },
    async getProcess(id) {
      return id === "proc-1"
        ? ({ id, command: "npm run dev", status: "killed", startTime: new Date(now), endTime: new Date(now), exitCode: 137 } as Awaited<
            ReturnType<SdkSandbox["getProcess"]>
          >)
        : null;
    },
    async killProcess(id) {
      record("killProcess", id);
    },
    async killAllProcesses() {
      record("killAllProcesses");
      return 0;
    },
    async getProcessLogs(id) {
      return { stdout: "ready on 8080\n", stderr: "", processId: id };
    },
    async streamProcessLogs(id) {
      record("streamProcessLogs", id);
      return sse([
        { type: "stdout", timestamp: now, data: "line 1\n", processId: id },
        { type: "exit", timestamp: now, data: "", processId: id, exitCode: 0 },
      ]);
    },
    async writeFile(path, content, options) {
      record("writeFile", path, content, options);
      files[path] = String(content);
      return { success: true, path, timestamp: now } as Awaited<ReturnType<SdkSandbox["writeFile"]>>;
    },
    // One of the SDK's overloads (encoding "none" streams); the adapter uses the utf-8 and base64 ones.
    readFile: (async (path: string, options?: { encoding?: string }) => {
      record("readFile", path, options);
      const content = files[path] ?? "";
      return options?.encoding === "base64"
        ? { success: true, path, content: btoa(content), timestamp: now, encoding: "base64" as const }
        : { success: true, path, content, timestamp: now, encoding: "utf-8" as const };
    }) as SdkSandbox["readFile"],
    async mkdir(path, options) {
      record("mkdir", path, options);
      return { success: true, path, recursive: true, timestamp: now } as Awaited<ReturnType<SdkSandbox["mkdir"]>>;
    },
    async deleteFile(path) {
      record("deleteFile", path);
      return { success: true, path, timestamp: now } as Awaited<ReturnType<SdkSandbox["deleteFile"]>>;
    },
    async moveFile(from, to) {
      record("moveFile", from, to);
      return { success: true, path: from, newPath: to, timestamp: now } as Awaited<ReturnType<SdkSandbox["moveFile"]>>;
    },
    async listFiles(path, options) {
      record("listFiles", path, options);
      const info = { mode: "rw-r--r--", permissions: { readable: true, writable: true, executable: false } };
      return {
        success: true,
        path,
        count: 2,
        timestamp: now,
        files: [
          { name: "src", absolutePath: "/workspace/app/src", relativePath: "src", type: "directory", size: 4096, modifiedAt: now, ...info },
          {
            name: "package.json",
            absolutePath: "/workspace/app/package.json",
            relativePath: "package.json",
            type: "file",
            size: 321,
            modifiedAt: now,
            ...info,
          },
        ],
      };
    },
    async exists(path) {
      record("exists", path);
      return { success: true, path, exists: path in files, timestamp: now };
    },
    async gitCheckout(repoUrl, options) {
      record("gitCheckout", repoUrl, options);
      return { success: true, repoUrl, branch: options?.branch ?? "main", targetDir: options?.targetDir ?? "", timestamp: now };
    },
    async exposePort(port, options) {
      record("exposePort", port, options);
      exposed.set(port, options.token ?? "generatedtoken01");
      return { url: `https://${port}-agent-${exposed.get(port)}.${options.hostname}/`, port, name: options.name };
    },
    async unexposePort(port) {
      record("unexposePort", port);
      exposed.delete(port);
    },
    async getExposedPorts(hostname) {
      return [...exposed].map(([port, token]) => ({ url: `https://${port}-agent-${token}.${hostname}/`, port, status: "active" as const }));
    },
    async destroy() {
      record("destroy");
    },
    async createSession(options) {
      record("createSession", options);
      return {};
    },
    async deleteSession(id) {
      record("deleteSession", id);
      return {};
    },
    async restoreWorkspace() {
      record("restoreWorkspace");
      return { restored: true };
    },
    async createCheckpoint(options) {
      record("createCheckpoint", options);
      return { id: "ck-1-00000000", createdAt: now, kind: options.kind ?? "manual", threadId: null, messageId: null, files: 1, bytes: 2 };
    },
    async listCheckpoints() {
      record("listCheckpoints");
      return [{ id: "ck-1-00000000", createdAt: now, kind: "manual", threadId: null, messageId: null, files: 1, bytes: 2 }];
    },
    async restoreCheckpoint(id) {
      record("restoreCheckpoint", id);
      const checkpoint = { id, createdAt: now, kind: "manual" as const, threadId: null, messageId: null, files: 1, bytes: 2 };
      return { restored: checkpoint, undo: { ...checkpoint, id: "ck-2-00000000", kind: "before-restore" as const, restoring: id } };
    },
  };
  return { sdk, calls, files, methods: () => calls.map((c) => c.method) };
}

function backend(stand: ReturnType<typeof recordedSandbox>, proxied: Response | null = null, previewDomain?: string) {
  const requests: Request[] = [];
  const sandbox = new CloudflareSandbox({
    appOrigin: "https://netm8.example",
    ...(previewDomain && { previewDomain }),
    sdk: {
      getSandbox: (id) => {
        expect(id).toBe("abcdefghij0123456789");
        return stand.sdk;
      },
      proxyToSandbox: async (request) => {
        requests.push(request);
        return proxied;
      },
    },
  });
  return { sandbox, requests };
}

const ID = "abcdefghij0123456789";

describe("the Cloudflare sandbox adapter (@cloudflare/sandbox behind the Workspace interface)", () => {
  it("restores the last backup into a fresh container once, then marks the container as restored", async () => {
    const stand = recordedSandbox();
    const { sandbox } = backend(stand);
    await sandbox.workspace(ID);
    expect(stand.methods()).toEqual(["exists", "restoreWorkspace", "writeFile"]);
    expect(stand.calls[2]!.args[0]).toBe("/tmp/.netm8-restored");
    stand.calls.length = 0;
    await sandbox.workspace(ID);
    expect(stand.methods()).toEqual(["exists"]);
  });

  it("runs commands in /workspace with the cwd, env and timeout, quoting argv and feeding stdin from a file", async () => {
    const stand = recordedSandbox({ "/tmp/.netm8-restored": "x" });
    const ws = await backend(stand).sandbox.workspace(ID);
    expect(await ws.exec(["echo", "it's here"], { cwd: "app", env: { MODE: "dev" }, timeoutMs: 5000 })).toEqual({
      exitCode: 0,
      stdout: "hi\n",
      stderr: "",
      durationMs: 12,
    });
    expect(stand.calls.at(-1)).toEqual({
      method: "exec",
      args: ["echo 'it'\\''s here'", { cwd: "/workspace/app", env: { MODE: "dev" }, timeout: 5000 }],
    });
    await ws.runCode("python", "print(1)");
    const [write, exec] = stand.calls.slice(-2);
    expect(write!.method).toBe("writeFile");
    expect(write!.args[1]).toBe("print(1)");
    expect(exec!.args[0]).toBe(`(python3 -) < ${write!.args[0]}; status=$?; rm -f ${write!.args[0]}; exit $status`);
  });

  it("names a command that ran out its time with timeout_exceeded", async () => {
    const ws = await backend(recordedSandbox({ "/tmp/.netm8-restored": "x" })).sandbox.workspace(ID);
    const result = await ws.exec("sleep 10", { timeoutMs: 1000 });
    expect(result.error).toMatchObject({ code: "timeout_exceeded", limit: "timeout" });
  });

  it("streams a command's output from the SDK's server-sent events and ends with its exit", async () => {
    const ws = await backend(recordedSandbox({ "/tmp/.netm8-restored": "x" })).sandbox.workspace(ID);
    const events = [];
    for await (const event of ws.execStream("npm install", { cwd: "app" })) events.push(event);
    expect(events).toEqual([
      { type: "stdout", data: "added 30 packages\n" },
      { type: "stderr", data: "warn\n" },
      { type: "exit", exitCode: 0, durationMs: 4321 },
    ]);
  });

  it("maps files: relative paths under /workspace, parents made before writes, listings relative to the root", async () => {
    const stand = recordedSandbox({ "/tmp/.netm8-restored": "x", "/workspace/app/a.txt": "text" });
    const ws = await backend(stand).sandbox.workspace(ID);
    await ws.writeFile("app/src/new.txt", "hello");
    expect(stand.calls.slice(-2).map((c) => [c.method, c.args[0]])).toEqual([
      ["mkdir", "/workspace/app/src"],
      ["writeFile", "/workspace/app/src/new.txt"],
    ]);
    expect(await ws.readFile("app/a.txt")).toBe("text");
    expect(new TextDecoder().decode(await ws.readFileBytes("app/a.txt"))).toBe("text");
    expect((await ws.listFiles("app")).map((e) => [e.path, e.type])).toEqual([
      ["app/src", "directory"],
      ["app/package.json", "file"],
    ]);
    expect(await ws.exists("app")).toEqual({ exists: false });
    expect(await ws.exists("app/a.txt")).toEqual({ exists: true, type: "directory" });
    await expect(ws.moveFile("app/src/new.txt", "app/a.txt")).rejects.toMatchObject({ code: "already_exists", status: 409 });
  });

  it("refuses paths that leave the workspace, as sandboxd does", () => {
    expect(workspacePath(".")).toBe("/workspace");
    expect(workspacePath("./app//src/")).toBe("/workspace/app/src");
    expect(() => workspacePath("../etc/passwd")).toThrow(/may not contain/);
    expect(() => workspacePath("/etc/passwd")).toThrow(/outside the workspace/);
    expect(shellCommand(["ls", "-la", "my dir"])).toBe("ls -la 'my dir'");
  });

  it("maps processes to the interface's running/exited states", async () => {
    const stand = recordedSandbox({ "/tmp/.netm8-restored": "x" });
    const ws = await backend(stand).sandbox.workspace(ID);
    expect(await ws.startProcess("npm run dev", { cwd: "app" })).toMatchObject({
      id: "proc-1",
      status: "running",
      cwd: "/workspace/app",
      exitCode: null,
    });
    expect(await ws.listProcesses()).toEqual([expect.objectContaining({ status: "exited", exitCode: 0, reason: "exited" })]);
    expect(await ws.stopProcess("proc-1")).toMatchObject({ status: "exited", reason: "stopped", exitCode: 137 });
    await expect(ws.getProcess("nope")).rejects.toMatchObject({ status: 404 });
    let logs = "";
    for await (const chunk of ws.processLogs("proc-1", { follow: true })) logs += chunk;
    expect(logs).toBe("line 1\n");
  });

  it("reads git status from porcelain output", async () => {
    const ws = await backend(recordedSandbox({ "/tmp/.netm8-restored": "x" })).sandbox.workspace(ID);
    expect(await ws.gitStatus("app")).toEqual({
      branch: "main",
      clean: false,
      entries: [
        { status: " M", path: "src/App.jsx" },
        { status: "??", path: "new.txt" },
      ],
    });
  });

  it("exposes a port on the app's domain with a 16-character token that stays the same, and never port 3000", async () => {
    const stand = recordedSandbox({ "/tmp/.netm8-restored": "x" });
    const ws = await backend(stand).sandbox.workspace(ID);
    const first = await ws.exposePort(8080);
    expect(first.token).toMatch(/^[a-z0-9]{16}$/);
    expect(first.url).toBe(`https://8080-${ID}-${first.token}.netm8.example/`);
    expect(stand.calls.at(-1)).toEqual({ method: "exposePort", args: [8080, { hostname: "netm8.example", token: first.token }] });
    expect((await ws.exposePort(8080)).token).toBe(first.token);
    expect((await ws.exposedPorts()).map((p) => p.port)).toEqual([8080]);
    await ws.unexposePort(8080);
    expect(await ws.exposedPorts()).toEqual([]);
    await expect(ws.exposePort(3000)).rejects.toMatchObject({ code: "invalid_port" });
  });

  it("exposes a port on PREVIEW_DOMAIN when previews have a domain of their own", async () => {
    const stand = recordedSandbox({ "/tmp/.netm8-restored": "x" });
    const ws = await backend(stand, null, "netm8preview.example").sandbox.workspace(ID);
    const exposed = await ws.exposePort(8080);
    expect(exposed.url).toBe(`https://8080-${ID}-${exposed.token}.netm8preview.example/`);
    expect(stand.calls.at(-1)).toEqual({ method: "exposePort", args: [8080, { hostname: "netm8preview.example", token: exposed.token }] });
    expect((await ws.exposedPorts()).map((p) => p.url)).toEqual([exposed.url]);
  });

  it("marks the SDK's own preview refusals so the Worker shows its 404/502 pages, and passes the app's answers through", async () => {
    const target = { port: 8080, sandboxId: ID, token: "abcdefgh12345678" };
    const request = new Request(`https://8080-${ID}-abcdefgh12345678.netm8.example/`);
    const cases: [Response | null, number, string | null][] = [
      [null, 404, "preview_not_found"],
      [
        Response.json({ error: "Access denied: Invalid token or port not exposed", code: "INVALID_TOKEN" }, { status: 404 }),
        404,
        "preview_not_found",
      ],
      [
        Response.json(
          { error: "Preview URL is stale because the sandbox runtime is not active", code: "STALE_PREVIEW_URL" },
          { status: 410 },
        ),
        502,
        "port_not_listening",
      ],
      [new Response("Proxy routing error", { status: 500 }), 502, "port_not_listening"],
      [new Response("the app's own 404 page", { status: 404 }), 404, null],
      [new Response("<h1>app</h1>", { status: 200 }), 200, null],
    ];
    for (const [proxied, status, code] of cases) {
      const { sandbox, requests } = backend(recordedSandbox(), proxied);
      const response = await sandbox.previewFetch(request, target);
      expect(response.status).toBe(status);
      expect(response.headers.get("x-sandboxd-error")).toBe(code);
      expect(requests[0]).toBe(request);
    }
  });

  it("keeps checkpoints as the sandbox object's backups, refuses unknown ones with a 404 and has no diff", async () => {
    const stand = recordedSandbox();
    const ws = await backend(stand).sandbox.workspace(ID);
    stand.calls.length = 0;
    expect((await ws.createCheckpoint({ kind: "before-turn" })).kind).toBe("before-turn");
    expect((await ws.listCheckpoints()).checkpoints.map((c) => c.id)).toEqual(["ck-1-00000000"]);
    expect((await ws.restoreCheckpoint("ck-1-00000000")).undo.restoring).toBe("ck-1-00000000");
    await expect(ws.restoreCheckpoint("ck-9-00000000")).rejects.toMatchObject({ status: 404, code: "checkpoint_not_found" });
    await expect(ws.diffCheckpoint("ck-1-00000000", "now")).rejects.toMatchObject({ code: "not_supported" });
    expect(stand.methods()).toEqual(["createCheckpoint", "listCheckpoints", "listCheckpoints", "restoreCheckpoint", "listCheckpoints"]);
  });

  it("lists the ports something listens on from the container's socket table, leaving out its control port 3000", async () => {
    const workspace = await backend(recordedSandbox()).sandbox.workspace(ID);
    expect(await workspace.listeningPorts()).toEqual([{ port: 8080, addresses: ["127.0.0.1"] }]);
  });

  it("makes tar.gz archives only, refusing zip with a 501 that says why, and paths outside with a 403", async () => {
    const workspace = await backend(recordedSandbox()).sandbox.workspace(ID);
    await expect(workspace.archive(".", "zip")).rejects.toMatchObject({ status: 501, code: "not_supported" });
    await expect(workspace.archive("/etc", "tar.gz")).rejects.toMatchObject({ status: 403, code: "path_outside_workspace" });
  });

  it("attaches terminals through the SDK's proxyTerminal with the session id, and answers 501 without it", async () => {
    const stand = recordedSandbox();
    const plain = await backend(stand).sandbox.workspace(ID);
    await expect(plain.openTerminal({ cols: 80, rows: 24 })).rejects.toMatchObject({ status: 501, code: "not_supported" });
    const proxied: unknown[][] = [];
    const sandbox = new CloudflareSandbox({
      sdk: {
        getSandbox: () => stand.sdk,
        proxyToSandbox: async () => null,
        proxyTerminal: async (...args) => {
          proxied.push(args);
          return new Response("attached");
        },
      },
    });
    const workspace = await sandbox.workspace(ID);
    const session = await workspace.openTerminal({ cols: 120, rows: 40 });
    expect(session).toMatchObject({ id: expect.stringMatching(/^term_[a-z0-9]{16}$/), cols: 120, rows: 40 });
    const request = new Request(`https://netm8.example/api/agent/${ID}/terminals/${session.id}?cols=120&rows=40`, {
      headers: { upgrade: "websocket" },
    });
    expect(await (await workspace.terminalFetch(request, session.id)).text()).toBe("attached");
    expect(proxied[0]![0]).toBe(stand.sdk);
    expect(proxied[0]![1]).toBe(session.id);
    expect(proxied[0]![3]).toEqual({ cols: 120, rows: 40 });
    await workspace.closeTerminal(session.id);
    const sessions = stand.calls.filter((c) => c.method.endsWith("Session"));
    expect(sessions).toEqual([
      { method: "createSession", args: [{ id: session.id, cwd: "/workspace", env: { TERM: "xterm-256color" } }] },
      { method: "deleteSession", args: [session.id] },
    ]);
  });

  it("destroys the container with its workspace", async () => {
    const stand = recordedSandbox();
    await backend(stand).sandbox.destroy(ID);
    expect(stand.methods()).toEqual(["destroy"]);
  });
});
