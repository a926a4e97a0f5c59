// Previews: HTTP requests and WebSocket upgrades relayed to a port inside a workspace's network namespace through
// its executor, so a server started at any time, bound to 127.0.0.1 or 0.0.0.0, is reachable.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { HttpError } from "./errors.ts";
import { RELAY_WINDOW } from "./executor.ts";
import type { Workspace } from "./workspace.ts";

/** `/v1/workspaces/<id>/ports/<port>/relay<path the preview was asked for>` */
export const RELAY_PATH = /^\/v1\/workspaces\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})\/ports\/(\d{1,5})\/relay(\/[\s\S]*)?$/;
export const TOKEN_HEADER = "x-preview-token";
/** The preview's own Host, which dev servers check and use to build their URLs. */
export const HOST_HEADER = "x-forwarded-host";
/** A preview's own Authorization header travels here, since sandboxd's secret takes the real one. */
export const AUTHORIZATION_HEADER = "x-preview-authorization";

export type RelayTarget = { workspace: Workspace; port: number; path: string };

/** Checks the request's preview token against the workspace's exposed ports: a wrong or missing one is a 404. */
export function relayTarget(req: IncomingMessage, lookup: (id: string) => Workspace): RelayTarget | null {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  const match = RELAY_PATH.exec(query < 0 ? url : url.slice(0, query));
  if (!match) return null;
  const port = Number(match[2]);
  const workspace = lookup(match[1]!);
  const token = String(req.headers[TOKEN_HEADER] ?? "");
  if (port < 1 || port > 65535 || !workspace.ports.allows(port, token)) {
    throw new HttpError(404, "preview_not_found", "no preview with this port and token in this workspace");
  }
  return { workspace, port, path: (match[3] ?? "/") + (query < 0 ? "" : url.slice(query)) };
}

/** Limits on preview traffic, from SANDBOXD_PREVIEW_MAX_CONNECTIONS and SANDBOXD_PREVIEW_IDLE_MS. */
export type PreviewSettings = { maxConnections: number; idleMs: number };

export const defaultPreviewSettings: PreviewSettings = { maxConnections: 64, idleMs: 120_000 };

export function previewSettings(env: NodeJS.ProcessEnv): PreviewSettings {
  const positive = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not "${raw}"`);
    return value;
  };
  return {
    maxConnections: positive("SANDBOXD_PREVIEW_MAX_CONNECTIONS", defaultPreviewSettings.maxConnections),
    idleMs: positive("SANDBOXD_PREVIEW_IDLE_MS", defaultPreviewSettings.idleMs),
  };
}

const openConnections = new WeakMap<Workspace, number>();

/** Takes one of the workspace's preview connection slots; the returned function gives it back (once). */
function claimSlot(workspace: Workspace, settings: PreviewSettings): () => void {
  const open = openConnections.get(workspace) ?? 0;
  if (open >= settings.maxConnections) {
    throw new HttpError(
      429,
      "too_many_preview_connections",
      `this workspace already has ${open} open preview connections, the most it may have; try again when some have closed`,
    );
  }
  openConnections.set(workspace, open + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    openConnections.set(workspace, (openConnections.get(workspace) ?? 1) - 1);
  };
}

/**
 * A Duplex over one relay connection into the workspace, with flow control both ways: the server's bytes are
 * acknowledged to the executor only once this stream's reader has taken them (so a reader that stops holds back
 * the server, not memory here), and a write completes only while less than a window awaits the server. `onActivity`
 * runs whenever bytes move.
 */
export async function connectRelay(workspace: Workspace, port: number, onActivity: () => void = () => {}): Promise<Duplex> {
  let connection: Awaited<ReturnType<Workspace["openRelay"]>> | undefined;
  let received = 0;
  let acked = 0;
  let unsent = 0;
  let blockedWrite: (() => void) | null = null;
  const acknowledge = () => {
    const taken = received - stream.readableLength;
    if (connection && taken > acked) {
      connection.ack(taken - acked);
      acked = taken;
    }
  };
  const stream = new Duplex({
    read() {
      acknowledge();
    },
    write(chunk: Buffer, _encoding, callback) {
      onActivity();
      connection?.write(chunk);
      unsent += chunk.length;
      if (unsent < RELAY_WINDOW) callback();
      else blockedWrite = callback;
    },
    final(callback) {
      connection?.end();
      callback();
    },
    destroy(error, callback) {
      connection?.close();
      blockedWrite = null;
      callback(error);
    },
  });
  connection = await workspace.openRelay(port, {
    onData: (data) => {
      onActivity();
      received += data.length;
      // The executor keeps to its window; one that does not is cut off rather than buffered.
      if (received - acked > 2 * RELAY_WINDOW) return void stream.destroy(new Error("relay window exceeded"));
      stream.push(data);
    },
    onEnd: () => stream.push(null),
    onSent: (bytes) => {
      onActivity();
      unsent = Math.max(0, unsent - bytes);
      if (blockedWrite && unsent < RELAY_WINDOW) {
        const callback = blockedWrite;
        blockedWrite = null;
        callback();
      }
    },
  });
  acknowledge();
  return stream;
}

/** A timer that runs `onIdle` once no byte has moved for `idleMs`; `touch` restarts it, `clear` ends it. */
function idleTimer(idleMs: number, onIdle: () => void): { touch: () => void; clear: () => void } {
  const timer = setTimeout(onIdle, idleMs);
  return { touch: () => timer.refresh(), clear: () => clearTimeout(timer) };
}

function forwardedHeaders(req: IncomingMessage, port: number): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === "authorization" || name === TOKEN_HEADER || name === HOST_HEADER || name === AUTHORIZATION_HEADER)
      continue;
    headers[name] = value;
  }
  headers.host = String(req.headers[HOST_HEADER] ?? `localhost:${port}`);
  const authorization = req.headers[AUTHORIZATION_HEADER];
  if (authorization) headers.authorization = String(authorization);
  return headers;
}

/** Relays one HTTP request; the workspace server's answer goes back as it is, streamed, at the client's pace. */
export async function relayHttp(target: RelayTarget, req: IncomingMessage, res: ServerResponse, settings: PreviewSettings): Promise<void> {
  const release = claimSlot(target.workspace, settings);
  let upstream: Duplex | undefined;
  const idle = idleTimer(settings.idleMs, () => {
    upstream?.destroy();
    res.destroy();
  });
  res.on("close", () => {
    idle.clear();
    upstream?.destroy();
    release();
  });
  try {
    upstream = await connectRelay(target.workspace, target.port, idle.touch);
  } catch (error) {
    idle.clear();
    release();
    throw error;
  }
  if (res.destroyed) return void upstream.destroy();
  const connected = upstream;
  await new Promise<void>((resolve) => {
    const outgoing = httpRequest({
      createConnection: () => connected as unknown as Socket,
      method: req.method,
      path: target.path,
      headers: forwardedHeaders(req, target.port),
      setHost: false,
    });
    outgoing.on("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      answer.pipe(res);
      answer.on("end", resolve);
      answer.on("error", () => {
        res.destroy();
        resolve();
      });
    });
    outgoing.on("error", (error) => {
      if (!res.headersSent) {
        const body = JSON.stringify({
          error: { code: "bad_gateway", message: `the server on port ${target.port} failed: ${error.message}` },
        });
        res.writeHead(502, { "content-type": "application/json", "x-sandboxd-error": "bad_gateway" }).end(body);
      } else res.destroy();
      resolve();
    });
    res.on("close", () => resolve());
    req.pipe(outgoing);
  });
}

/** Relays a WebSocket (or any) upgrade: the request head is written as is, then bytes flow both ways. */
export async function relayUpgrade(
  target: RelayTarget,
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  settings: PreviewSettings,
): Promise<void> {
  const release = claimSlot(target.workspace, settings);
  let upstream: Duplex | undefined;
  const idle = idleTimer(settings.idleMs, () => {
    upstream?.destroy();
    socket.destroy();
  });
  socket.on("close", () => {
    idle.clear();
    upstream?.destroy();
    release();
  });
  try {
    upstream = await connectRelay(target.workspace, target.port, idle.touch);
  } catch (error) {
    idle.clear();
    release();
    throw error;
  }
  if (socket.destroyed) return void upstream.destroy();
  const lines = [`${req.method} ${target.path} HTTP/1.1`];
  for (const [name, value] of Object.entries(forwardedHeaders(req, target.port))) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
  if (head.length) upstream.write(head);
  upstream.pipe(socket);
  socket.pipe(upstream);
  const connected = upstream;
  const end = () => {
    connected.destroy();
    socket.destroy();
  };
  upstream.on("error", end);
  socket.on("error", end);
  upstream.on("close", end);
}

/** Answers a failed upgrade on the raw socket. */
export function rejectUpgrade(socket: Socket, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reasons: Record<number, string> = { 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests", 502: "Bad Gateway" };
  const reason = reasons[status] ?? "Error";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-sandboxd-error: ${code}\r\nconnection: close\r\n\r\n${body}`,
  );
}
