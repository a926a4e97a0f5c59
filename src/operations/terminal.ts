import type { Env } from "../env.ts";
import { assertSameOriginWebSocket, requireUser } from "../lib/auth/caller.ts";
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
  if (request.headers.get("upgrade")?.toLowerCase() === "websocket") return workspace.terminalFetch(request, terminalId);
  const session: TerminalSession | undefined = (await workspace.listTerminals()).find((t) => t.id === terminalId);
  if (!session) throw new NotFound("No such terminal session (it may have been closed)");
  return Response.json(session);
}

export function assertTerminalId(terminalId: string): void {
  if (!TERMINAL_ID.test(terminalId)) throw new Invalid("A terminal id looks like term_<letters and digits>");
}
