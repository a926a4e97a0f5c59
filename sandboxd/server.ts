import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { WebSocketServer } from "ws";
import { z } from "zod";
import type { ExecEvent, ProtectionReport } from "../src/sandbox/types.ts";
import type { WorkspaceActivity } from "./activity.ts";
import { checkpointsOf } from "./checkpoints.ts";
import { HttpError, invalid } from "./errors.ts";
import { gitClone, gitCommit, gitDiff, gitPush, gitStatus } from "./git.ts";
import { workspacePath } from "./paths.ts";
import { defaultPreviewSettings, type PreviewSettings, RELAY_PATH, rejectUpgrade, relayHttp, relayTarget, relayUpgrade } from "./relay.ts";
import * as schema from "./schemas.ts";
import { defaultTerminalSettings, type TerminalSettings, terminalSize, terminalsOf } from "./terminals.ts";
import type { Workspace, WorkspaceStore } from "./workspace.ts";
import { streamArchive } from "./archive.ts";

type Context = {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
  signal: AbortSignal;
  body: <T extends z.ZodType>(schema: T) => Promise<z.infer<T>>;
};

type Handler = (ctx: Context) => Promise<unknown>;

type Route = { method: string; pattern: RegExp; handler: Handler };

export type ServerOptions = {
  store: WorkspaceStore;
  secret: string;
  report: ProtectionReport;
  log: (message: string) => void;
  /** Liveness, idle stops and the live-workspace cap per account. */
  activity: WorkspaceActivity;
  /** Preview connection cap and idle timeout; the defaults when not given. */
  preview?: PreviewSettings;
  /** Terminal idle time, grace period and cap; the defaults when not given. */
  terminals?: TerminalSettings;
};

/** `/v1/workspaces/<id>/terminals/<terminal id>`: a WebSocket upgrade attaches to that terminal session. */
const TERMINAL_PATH = /^\/v1\/workspaces\/([^/]+)\/terminals\/([^/?]+)$/;

const ws = "/v1/workspaces/([^/]+)";
const MAX_UNREAD_STREAM_BYTES = 64 * 1024 * 1024;
const codeRunners = { python: ["/usr/bin/python3", "-"], javascript: ["/usr/bin/node", "-"] } as const;

export function createSandboxServer(options: ServerOptions): Server {
  const { store, activity } = options;
  const preview = options.preview ?? defaultPreviewSettings;
  const terminalOptions = options.terminals ?? defaultTerminalSettings;
  const terminals = (target: Workspace) => terminalsOf(target, terminalOptions);
  // Frames from the Worker: keys and resizes, never large.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const workspace = (ctx: Context): Workspace => store.get(schema.workspaceId.parse(ctx.params[0]));
  const routes: Route[] = [];
  const route = (method: string, path: string, handler: Handler) => routes.push({ method, pattern: new RegExp(`^${path}$`), handler });

  route("GET", "/v1/status", async () => options.report);
  // Background processes' CPU time per workspace (counters that only grow), for the platform's billing.
  route("GET", "/v1/usage", async () => ({
    workspaces: store
      .all()
      .map((w) => w.usage())
      .filter((u) => u.backgroundCpuMs > 0 || u.commandCpuMs > 0 || u.runningProcesses > 0),
  }));

  const describe = async (target: Workspace) => ({ ...target.info(), ...activity.describe(target) });

  route("PUT", ws, async (ctx) => {
    const id = schema.workspaceId.parse(ctx.params[0]);
    const { group, ...options } = await ctx.body(schema.createWorkspace);
    const created = await store.getOrCreate(id, options);
    await activity.admit(created, group);
    return describe(created);
  });
  route("GET", ws, async (ctx) => describe(workspace(ctx)));
  route("PATCH", ws, async (ctx) => workspace(ctx).setNetwork((await ctx.body(schema.updateWorkspace)).network));
  route("DELETE", ws, async (ctx) => {
    const id = schema.workspaceId.parse(ctx.params[0]);
    const destroyed = await store.destroy(id);
    activity.forget(id);
    return { destroyed };
  });
  // Everything the workspace runs stops (files stay); with closePreviews its preview tokens go too. Used on a ban.
  route("POST", `${ws}/stop`, async (ctx) => {
    const input = await ctx.body(schema.stopWorkspace);
    const target = workspace(ctx);
    const ports = input.closePreviews ? target.ports.list().map((p) => p.port) : [];
    for (const port of ports) target.ports.unexpose(port);
    const processesStopped = target.processes.list().filter((p) => p.status === "running").length;
    await activity.stop(target, "stopped");
    return { processesStopped, previewsClosed: ports.length };
  });

  route("POST", `${ws}/exec`, async (ctx) => workspace(ctx).exec(await ctx.body(schema.exec), undefined, ctx.signal));
  route("POST", `${ws}/exec/stream`, async (ctx) => {
    const target = workspace(ctx);
    const input = await ctx.body(schema.exec);
    const { res } = ctx;
    res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
    const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
    const send = (event: ExecEvent) => res.write(`${JSON.stringify(event)}\n`);
    // A client that stops reading must not make sandboxd buffer a command's output without end.
    const tooSlow = new AbortController();
    try {
      const result = await target.exec(
        input,
        (stream, data) => {
          if (res.writableLength > MAX_UNREAD_STREAM_BYTES) return tooSlow.abort();
          const text = decoders[stream].decode(data, { stream: true });
          if (text) send({ type: stream, data: text });
        },
        AbortSignal.any([ctx.signal, tooSlow.signal]),
      );
      if (tooSlow.signal.aborted)
        throw new HttpError(
          503,
          "client_too_slow",
          `more than ${MAX_UNREAD_STREAM_BYTES} bytes of output were left unread; the command was killed`,
        );
      for (const stream of ["stdout", "stderr"] as const) {
        const rest = decoders[stream].decode();
        if (rest) send({ type: stream, data: rest });
      }
      const { stdout: _o, stderr: _e, ...exit } = result;
      send({ type: "exit", ...exit });
    } catch (error) {
      const e = toHttpError(error, options.log);
      res.write(`${JSON.stringify({ type: "error", error: { code: e.code, message: e.message } })}\n`);
    }
    res.end();
    return STREAMED;
  });
  route("POST", `${ws}/code`, async (ctx) => {
    const input = await ctx.body(schema.runCode);
    return workspace(ctx).exec(
      { command: [...codeRunners[input.language]], stdin: input.code, timeoutMs: input.timeoutMs },
      undefined,
      ctx.signal,
    );
  });

  route("POST", `${ws}/files/read`, async (ctx) => {
    const input = await ctx.body(schema.readFile);
    const result = await workspace(ctx).fileOp<{ data: string; size: number }>("read", {
      path: workspacePath(input.path),
      maxBytes: schema.MAX_FILE_BYTES,
    });
    const content = input.encoding === "base64" ? result.data : Buffer.from(result.data, "base64").toString("utf8");
    return { content, encoding: input.encoding, size: result.size };
  });
  route("POST", `${ws}/files/write`, async (ctx) => {
    const input = await ctx.body(schema.writeFile);
    const bytes = input.encoding === "base64" ? Buffer.from(input.content, "base64") : Buffer.from(input.content, "utf8");
    if (bytes.length > schema.MAX_FILE_BYTES) {
      throw new HttpError(413, "file_too_large", `file is ${bytes.length} bytes, more than the ${schema.MAX_FILE_BYTES} byte limit`);
    }
    return workspace(ctx).fileOp("write", { path: workspacePath(input.path), data: bytes.toString("base64") });
  });
  route("POST", `${ws}/files/list`, async (ctx) => {
    const input = await ctx.body(schema.listFiles);
    return workspace(ctx).fileOp("list", { path: workspacePath(input.path || "."), recursive: input.recursive ?? false });
  });
  route("POST", `${ws}/files/mkdir`, async (ctx) => {
    const input = await ctx.body(schema.mkdir);
    return workspace(ctx).fileOp("mkdir", { path: workspacePath(input.path), recursive: input.recursive ?? true });
  });
  route("POST", `${ws}/files/delete`, async (ctx) => {
    const input = await ctx.body(schema.deleteFile);
    if (input.recursive) await workspace(ctx).releaseDependencies(input.path);
    return workspace(ctx).fileOp("delete", { path: workspacePath(input.path), recursive: input.recursive ?? false });
  });
  route("POST", `${ws}/files/move`, async (ctx) => {
    const input = await ctx.body(schema.moveFile);
    return workspace(ctx).fileOp("move", {
      from: workspacePath(input.from),
      to: workspacePath(input.to),
      overwrite: input.overwrite ?? false,
    });
  });
  route("POST", `${ws}/files/exists`, async (ctx) => {
    const input = await ctx.body(schema.exists);
    return workspace(ctx).fileOp("exists", { path: workspacePath(input.path) });
  });

  route("POST", `${ws}/template-deps`, async (ctx) => {
    const input = await ctx.body(schema.templateDeps);
    return workspace(ctx).provideTemplateDependencies(input.template, input.dir);
  });

  route("POST", `${ws}/processes`, async (ctx) => {
    const input = await ctx.body(schema.startProcess);
    return workspace(ctx).startProcess(input.command, input.cwd, input.env);
  });
  route("GET", `${ws}/processes`, async (ctx) => ({ processes: workspace(ctx).processes.list() }));
  route("GET", `${ws}/processes/([^/]+)`, async (ctx) => workspace(ctx).processes.get(ctx.params[1]!));
  route("POST", `${ws}/processes/([^/]+)/stop`, async (ctx) => workspace(ctx).processes.stop(ctx.params[1]!));
  route("POST", `${ws}/processes/stop-all`, async (ctx) => {
    const { reason } = await ctx.body(schema.stopAllProcesses);
    await workspace(ctx).processes.stopAll(reason);
    return { processes: workspace(ctx).processes.list() };
  });
  route("POST", `${ws}/processes/([^/]+)/restart`, async (ctx) => workspace(ctx).restartProcess(ctx.params[1]!));
  route("GET", `${ws}/processes/([^/]+)/logs`, async (ctx) => {
    const target = workspace(ctx);
    const id = ctx.params[1]!;
    target.processes.get(id);
    // Logs live in the workspace's disk image, which after a restart is mounted on first use.
    await target.prepare();
    const table = target.processes;
    const follow = ["1", "true"].includes(ctx.query.get("follow") ?? "");
    ctx.res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    for await (const chunk of table.logs(id, follow, ctx.signal)) ctx.res.write(chunk);
    ctx.res.end();
    return STREAMED;
  });

  route("GET", `${ws}/ports`, async (ctx) => ({ ports: workspace(ctx).ports.list() }));
  route("GET", `${ws}/ports/listening`, async (ctx) => ({ ports: await workspace(ctx).listeningPorts() }));

  route("POST", `${ws}/terminals`, async (ctx) => terminals(workspace(ctx)).open(await ctx.body(terminalSize)));
  route("GET", `${ws}/terminals`, async (ctx) => ({ terminals: terminals(workspace(ctx)).list() }));
  route("DELETE", `${ws}/terminals/([^/]+)`, async (ctx) => {
    terminals(workspace(ctx)).close(ctx.params[1]!);
    return { closed: true };
  });

  route("GET", `${ws}/archive`, async (ctx) => {
    const input = schema.archive.parse(Object.fromEntries(ctx.query));
    await streamArchive(workspace(ctx), workspacePath(input.path), input.format, ctx.res, ctx.signal);
    return STREAMED;
  });
  route("POST", `${ws}/ports`, async (ctx) => workspace(ctx).ports.expose((await ctx.body(schema.exposePort)).port));
  route("DELETE", `${ws}/ports/(\\d{1,5})`, async (ctx) => ({ removed: workspace(ctx).ports.unexpose(Number(ctx.params[1])) }));

  route("POST", `${ws}/git/clone`, async (ctx) => gitClone(workspace(ctx), await ctx.body(schema.gitClone)));
  route("POST", `${ws}/git/status`, async (ctx) => gitStatus(workspace(ctx), (await ctx.body(schema.gitDir)).dir));
  route("POST", `${ws}/git/diff`, async (ctx) => {
    const input = await ctx.body(schema.gitDir);
    return { diff: await gitDiff(workspace(ctx), input.dir, input.staged ?? false) };
  });
  route("POST", `${ws}/git/commit`, async (ctx) => gitCommit(workspace(ctx), await ctx.body(schema.gitCommit)));
  route("POST", `${ws}/git/push`, async (ctx) => gitPush(workspace(ctx), await ctx.body(schema.gitPush)));

  const checkpoints = (ctx: Context) => checkpointsOf(workspace(ctx));
  route("POST", `${ws}/checkpoints`, async (ctx) => ({
    checkpoint: await checkpoints(ctx).create(await ctx.body(schema.createCheckpoint)),
  }));
  route("GET", `${ws}/checkpoints`, async (ctx) => checkpoints(ctx).list());
  route("GET", `${ws}/checkpoints/([^/]+)`, async (ctx) => checkpoints(ctx).get(schema.checkpointId.parse(ctx.params[1])));
  route("GET", `${ws}/checkpoints/([^/]+)/diff`, async (ctx) => {
    const to = schema.checkpointTarget.parse(ctx.query.get("to") ?? "now");
    return checkpoints(ctx).diff(schema.checkpointId.parse(ctx.params[1]), to);
  });
  route("POST", `${ws}/checkpoints/([^/]+)/restore`, async (ctx) => checkpoints(ctx).restore(schema.checkpointId.parse(ctx.params[1])));

  const expected = digest(options.secret);

  const server = createServer(async (req, res) => {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    try {
      if (!authorized(req, expected)) throw new HttpError(401, "unauthorized", "missing or wrong shared secret");
      const used = workspaceOf(req);
      if (used) res.on("close", await activity.enter(used));
      const relay = relayTarget(req, (id) => store.get(id));
      if (relay) return await relayHttp(relay, req, res, preview);
      const url = new URL(req.url ?? "/", "http://sandboxd");
      let methodAllowed = false;
      for (const r of routes) {
        const match = r.pattern.exec(url.pathname);
        if (!match) continue;
        methodAllowed = true;
        if (r.method !== req.method) continue;
        const ctx: Context = {
          req,
          res,
          params: match.slice(1).map(decodeURIComponent),
          query: url.searchParams,
          signal: controller.signal,
          body: (s) => readJson(req).then((value) => s.parse(value ?? {})),
        };
        const result = await r.handler(ctx);
        if (result !== STREAMED) sendJson(res, 200, result ?? {});
        return;
      }
      throw methodAllowed
        ? new HttpError(405, "method_not_allowed", `${req.method} is not allowed here`)
        : new HttpError(404, "not_found", `no route ${url.pathname}`);
    } catch (error) {
      const e = toHttpError(error, options.log);
      if (res.headersSent) res.end();
      else sendJson(res, e.status, { error: { code: e.code, message: e.message } }, { "x-sandboxd-error": e.code });
    }
  });
  server.on("upgrade", async (req, socket: Socket, head: Buffer) => {
    socket.on("error", () => {});
    try {
      if (!authorized(req, expected)) throw new HttpError(401, "unauthorized", "missing or wrong shared secret");
      const used = workspaceOf(req);
      if (used) socket.on("close", await activity.enter(used));
      const terminal = TERMINAL_PATH.exec((req.url ?? "").split("?")[0]!);
      if (terminal) {
        const target = store.get(schema.workspaceId.parse(terminal[1]));
        const table = terminals(target);
        table.check(terminal[2]!);
        // An attached terminal is use: the workspace is not stopped as idle while a client has it open.
        const done = await activity.enter(target.id);
        socket.on("close", done);
        return sockets.handleUpgrade(req, socket, head, (client) => {
          try {
            table.attach(terminal[2]!, client);
          } catch (error) {
            client.close(4404, (error as Error).message.slice(0, 120));
          }
        });
      }
      const relay = relayTarget(req, (id) => store.get(id));
      if (!relay) throw new HttpError(404, "not_found", "only preview relays and terminals accept upgrades");
      await relayUpgrade(relay, req, socket, head, preview);
    } catch (error) {
      const e = toHttpError(error, options.log);
      rejectUpgrade(socket, e.status, e.code, e.message);
    }
  });
  // With Node's default 5 s keepAliveTimeout the Worker can reuse a pooled socket just as we close it, and reports
  // "Network connection lost" (seen in the 200-user load bench). Idle sockets kept longer let the client close first.
  server.keepAliveTimeout = 65_000;
  return server;
}

const STREAMED = Symbol("streamed");

/**
 * The workspace a request uses, for the idle sweep: a valid id in `/v1/workspaces/<id>...`, else null. Looking (a GET:
 * info, processes, logs, ports) is not using, except through a preview relay.
 */
function workspaceOf(req: IncomingMessage): string | null {
  const url = req.url ?? "";
  if (req.method === "GET" && !RELAY_PATH.test(url.split("?")[0]!)) return null;
  const id = /^\/v1\/workspaces\/([^/?]+)/.exec(url)?.[1];
  return id && schema.workspaceId.safeParse(id).success ? id : null;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization ?? "";
  const token = header.startsWith("Bearer ") ? header.slice(7) : "";
  // Comparing fixed-length digests keeps the comparison constant-time whatever the token's length.
  return timingSafeEqual(digest(token), expected) && token.length > 0;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > schema.MAX_BODY_BYTES) {
        failed = true;
        reject(new HttpError(413, "body_too_large", `request body is larger than ${schema.MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString("utf8");
      if (!text) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(invalid("request body is not valid JSON"));
      }
    });
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  // x-sandboxd-error tells a preview's own error answers apart from sandboxd's (no such preview, nothing listening).
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...extra });
  res.end(text);
}

function toHttpError(error: unknown, log: (message: string) => void): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof URIError) return invalid("malformed percent-encoding in the path");
  if (error instanceof z.ZodError) {
    const message = error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    return invalid(message);
  }
  log(`internal error: ${(error as Error)?.stack ?? String(error)}`);
  return new HttpError(500, "internal", (error as Error)?.message ?? "internal error");
}
