import { agentHub } from "@/operations/agent-access.ts";
import { agentForRequest } from "@/operations/agent-access.ts";
import { PutSecretsBody, SecretName } from "@/lib/agents/secrets.ts";
import { NotFound } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/**
 * The agent's secrets: names, when they were set and their length; never the values. Listing, setting and deleting
 * need secrets.manage (owners and admins by default): using an agent does not (its commands may print what they get).
 */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id, "secrets.manage");
  return Response.json({ secrets: await (await agentHub(env, agent.id)).listSecrets() });
});

/** Sets secrets (`{secrets: {NAME: value}}`), encrypted at rest; existing names are replaced. */
export const PUT = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id, "secrets.manage");
  const { secrets } = await readJson(request, PutSecretsBody);
  return Response.json({ secrets: await (await agentHub(env, agent.id)).putSecrets(secrets) });
});

/** Deletes one secret: `?name=NAME`. */
export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id, "secrets.manage");
  const name = parseWith(SecretName, new URL(request.url).searchParams.get("name") ?? undefined);
  if (!(await (await agentHub(env, agent.id)).deleteSecret(name))) throw new NotFound("No such secret");
  return new Response(null, { status: 204 });
});
