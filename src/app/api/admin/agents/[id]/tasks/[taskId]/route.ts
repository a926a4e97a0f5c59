import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { stopAgentTask } from "@/operations/admin-agents.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; taskId: string }> };

/** Stops a running task of any agent; answers the task as it ended. */
export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  const { id, taskId } = await params;
  return Response.json(await stopAgentTask(env, getDb(env.DB), admin, id, taskId));
});
