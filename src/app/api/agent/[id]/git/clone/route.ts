import { agentForRequest, agentHub } from "@/operations/agent-access.ts";
import { openWorkspace } from "@/operations/workspace.ts";
import { CloneBody } from "@/lib/agents/schemas.ts";
import { gitCredentials, redactValue, secretValues } from "@/lib/agents/secrets.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** Clones a repository into the workspace; the agent's git token goes along only to the hosts it is bound to. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const body = await readJson(request, CloneBody);
  const { workspace } = await openWorkspace(request, env, agent);
  const secrets = await (await agentHub(env, agent.id)).openSecrets();
  const result = await workspace.gitClone({ ...body, depth: body.depth ?? 1, credentials: gitCredentials(secrets) });
  return Response.json(redactValue(result, secretValues(secrets)));
});
