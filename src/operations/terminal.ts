import type { Env } from "../env.ts";
import { assertSameOriginWebSocket, requireUser } from "../lib/auth/caller.ts";
import { credentialIsActive, credentialOf } from "../lib/auth/live-credential.ts";
import { Invalid, NotFound } from "../lib/errors.ts";
import type { TerminalSession } from "../sandbox/types.ts";
import { authorizeAgent } from "./agent-access.ts";
import { openWorkspace } from "./workspace.ts";

const TERMINAL_ID = /^term_[a-z0-9]{8,32}$/;

/**
 * A terminal session of an accessible agent: with `Upgrade: websocket` the 101 answer that attaches the client to it
 * (a cookie-authenticated handshake must come from our origin), otherwise the session as JSON. Unknown: 404.
 */
export async function terminalRequest(request: Request, env: Env, agentId: string, terminalId: string): Promise<Response> {
  const caller = await requireUser(request, env);
  assertSameOriginWebSocket(request, env, caller);
  const { agent } = await authorizeAgent(env, caller, agentId);
  if (!TERMINAL_ID.test(terminalId)) throw new NotFound("No such terminal session");
  const { workspace } = await openWorkspace(request, env, agent);
  if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
    const upstream = await workspace.terminalFetch(request, terminalId);
    const credential = credentialOf(caller);
    return upstream.webSocket && credential ? relayWhileSignedIn(upstream.webSocket, env, credential) : upstream;
  }
  const session: TerminalSession | undefined = (await workspace.listTerminals()).find((t) => t.id === terminalId);
  if (!session) throw new NotFound("No such terminal session (it may have been closed)");
  return Response.json(session);
}

/** How often an open terminal re-checks that its caller is still signed in (also at a key pressed after this long). */
const RECHECK_MS = 10_000;
/** Close codes a WebSocket may not send itself: they only report how a connection ended. */
const RESERVED_CLOSE_CODES = new Set([1005, 1006, 1015]);

/**
 * Relays the terminal's frames through the Worker, so that a session signed out or revoked, a deleted API key or a
 * ban closes an open terminal (4401) within RECHECK_MS, as the agent's own sockets re-check their credential.
 */
function relayWhileSignedIn(upstream: WebSocket, env: Env, credential: string): Response {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  upstream.accept();
  server.accept();
  // Binary frames (keys, output) as ArrayBuffers, which send() passes on as binary; a Blob would go out as text.
  upstream.binaryType = "arraybuffer";
  server.binaryType = "arraybuffer";
  let lastCheck = Date.now();
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    const sendable = RESERVED_CLOSE_CODES.has(code) ? 1000 : code;
    for (const socket of [server, upstream]) {
      try {
        socket.close(sendable, reason);
      } catch {
        // Already closed.
      }
    }
  };
  const stillSignedIn = async () => {
    lastCheck = Date.now();
    if (await credentialIsActive(env.DB, credential).catch(() => true)) return true;
    close(4401, "signed out");
    return false;
  };
  const timer = setInterval(() => void stillSignedIn(), RECHECK_MS);
  server.addEventListener("message", (event) => {
    // In order: keys wait behind a due check, never overtake each other.
    queue = queue.then(async () => {
      if (closed || (Date.now() - lastCheck >= RECHECK_MS && !(await stillSignedIn()))) return;
      upstream.send(event.data);
    });
  });
  upstream.addEventListener("message", (event) => {
    if (!closed) server.send(event.data);
  });
  server.addEventListener("close", (event) => close(event.code, event.reason));
  upstream.addEventListener("close", (event) => close(event.code, event.reason));
  server.addEventListener("error", () => close(1011, "client error"));
  upstream.addEventListener("error", () => close(1011, "terminal error"));
  return new Response(null, { status: 101, webSocket: client });
}

export function assertTerminalId(terminalId: string): void {
  if (!TERMINAL_ID.test(terminalId)) throw new Invalid("A terminal id looks like term_<letters and digits>");
}
