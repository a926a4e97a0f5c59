import { z } from "zod";
import { agentForRequest, agentHub } from "@/operations/agent-access.ts";
import { openWorkspace } from "@/operations/workspace.ts";
import { gitCredentials, redactValue, secretValues } from "@/lib/agents/secrets.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

const PushBody = z
  .object({ dir: z.string().max(1024).optional(), remote: z.string().max(200).optional(), branch: z.string().max(200).optional() })
  .strict();

/**
 * Pushes a repository of the workspace. The agent's git token (GIT_TOKEN, GITHUB_TOKEN or GH_TOKEN) goes only to the
 * hosts it is bound to; a push anywhere else goes without it and its output says so.
 */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const { dir, remote, branch } = await readJson(request, PushBody);
  const { workspace } = await openWorkspace(request, env, agent);
  const secrets = await (await agentHub(env, agent.id)).openSecrets();
  const result = await workspace.gitPush({ dir: dir ?? ".", remote, branch, credentials: gitCredentials(secrets) });
  return Response.json(redactValue(result, secretValues(secrets)));
});
