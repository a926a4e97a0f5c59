import { agentHub } from "@/operations/agent-access.ts";
import { agentForRequest } from "@/operations/agent-access.ts";
import { NoteBody } from "@/lib/agents/schemas.ts";
import { NotFound } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; noteId: string }> };

export const PATCH = handle(async (request, { params }: Params) => {
  const { id, noteId } = await params;
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, id);
  const { text } = await readJson(request, NoteBody);
  const note = await (await agentHub(env, agent.id)).updateNote(noteId, text);
  if (!note) throw new NotFound("No such note");
  return Response.json(note);
});

export const DELETE = handle(async (request, { params }: Params) => {
  const { id, noteId } = await params;
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, id);
  if (!(await (await agentHub(env, agent.id)).deleteNote(noteId))) throw new NotFound("No such note");
  return new Response(null, { status: 204 });
});
