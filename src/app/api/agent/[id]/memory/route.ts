import { agentHub } from "@/operations/agent-access.ts";
import { agentForRequest } from "@/operations/agent-access.ts";
import { NoteBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** The agent's memory notes, newest first (the newest ones go into every thread's system prompt). */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  return Response.json({ notes: await (await agentHub(env, agent.id)).listNotes() });
});

export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const { text } = await readJson(request, NoteBody);
  return Response.json(await (await agentHub(env, agent.id)).addNote(text), { status: 201 });
});
