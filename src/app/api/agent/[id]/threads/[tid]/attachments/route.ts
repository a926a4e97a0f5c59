import { threadForRequest } from "@/operations/agent-access.ts";
import { readUpload, saveAttachments } from "@/operations/attachments.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string }> };

/** Saves a message's attachments (multipart `file` fields) under uploads/<tid>/ in the agent's workspace. */
export const POST = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const { agent } = await threadForRequest(request, env, id, tid);
  const files = await readUpload(request);
  return Response.json({ attachments: await saveAttachments(request, env, agent, tid, files) }, { status: 201 });
});
