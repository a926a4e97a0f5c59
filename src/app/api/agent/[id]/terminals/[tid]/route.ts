import { workspaceForRequest } from "@/operations/workspace.ts";
import { assertTerminalId, terminalRequest } from "@/operations/terminal.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string }> };

/** With `Upgrade: websocket`: attaches to the terminal (see docs/api.md for the frames); otherwise the session. */
export const GET = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  return terminalRequest(request, getEnv(), id, tid);
});

/** Closes the terminal: its shell and everything it runs end. */
export const DELETE = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const { workspace } = await workspaceForRequest(request, getEnv(), id);
  assertTerminalId(tid);
  await workspace.closeTerminal(tid);
  return new Response(null, { status: 204 });
});
