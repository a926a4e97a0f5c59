import { z } from "zod";
import { agentHub } from "@/operations/agent-access.ts";
import { agentForRequest } from "@/operations/agent-access.ts";
import { ThreadTitle } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** The agent's threads, newest first; `?q=` searches titles and message text. */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const q = parseWith(z.string().max(200).optional(), new URL(request.url).searchParams.get("q") ?? undefined);
  return Response.json({ threads: await (await agentHub(env, agent.id)).listThreads(q) });
});

export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const text = await request.text();
  const { title } = text.trim() ? parseWith(z.object({ title: ThreadTitle.optional() }), safeJson(text)) : { title: undefined };
  return Response.json(await (await agentHub(env, agent.id)).createThread(title), { status: 201 });
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return Symbol("invalid");
  }
}
