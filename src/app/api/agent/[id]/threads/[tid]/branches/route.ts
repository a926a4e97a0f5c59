import { threadForRequest } from "@/operations/agent-access.ts";
import { SwitchBranchBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { switchBranch } from "@/operations/branches.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string }> };

/** Makes another version of a fork the active one; answers the history as GET messages does. */
export const POST = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const access = await threadForRequest(request, env, id, tid);
  const body = await readJson(request, SwitchBranchBody);
  return Response.json(await switchBranch(env, access, tid, body));
});
