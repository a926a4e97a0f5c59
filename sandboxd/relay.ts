// Previews: HTTP requests and WebSocket upgrades relayed to a port inside a workspace's network namespace through
// its executor, so a server started at any time, bound to 127.0.0.1 or 0.0.0.0, is reachable.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { HttpError } from "./errors.ts";
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

/** A Duplex over one relay connection into the workspace. */
export async function connectRelay(workspace: Workspace, port: number): Promise<Duplex> {
  let connection: Awaited<ReturnType<Workspace["openRelay"]>> | undefined;
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      connection?.write(chunk);
      callback();
    },
    final(callback) {
      connection?.end();
      callback();
    },
    destroy(error, callback) {
      connection?.close();
      callback(error);
    },
  });
  connection = await workspace.openRelay(port, { onData: (data) => stream.push(data), onEnd: () => stream.push(null) });
  return stream;
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

/** Relays one HTTP request; the workspace server's answer goes back as it is, streamed. */
export async function relayHttp(target: RelayTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const upstream = await connectRelay(target.workspace, target.port);
  await new Promise<void>((resolve) => {
    const outgoing = httpRequest({
      createConnection: () => upstream as unknown as Socket,
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
    res.on("close", () => {
      upstream.destroy();
      resolve();
    });
    req.pipe(outgoing);
  });
}

/** Relays a WebSocket (or any) upgrade: the request head is written as is, then bytes flow both ways. */
export async function relayUpgrade(target: RelayTarget, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
  const upstream = await connectRelay(target.workspace, target.port);
  const lines = [`${req.method} ${target.path} HTTP/1.1`];
  for (const [name, value] of Object.entries(forwardedHeaders(req, target.port))) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
  if (head.length) upstream.write(head);
  upstream.pipe(socket);
  socket.pipe(upstream);
  const end = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on("error", end);
  socket.on("error", end);
  upstream.on("close", end);
  socket.on("close", end);
}

/** Answers a failed upgrade on the raw socket. */
export function rejectUpgrade(socket: Socket, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = status === 404 ? "Not Found" : status === 401 ? "Unauthorized" : status === 502 ? "Bad Gateway" : "Error";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-sandboxd-error: ${code}\r\nconnection: close\r\n\r\n${body}`,
  );
}
