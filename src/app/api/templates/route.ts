import { requireUser } from "@/lib/auth/caller.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";
import { listTemplates } from "@/lib/templates/catalog.ts";

export const dynamic = "force-dynamic";

/** The project starters an agent's workspace can start from. */
export const GET = handle(async (request) => {
  await requireUser(request, getEnv());
  return Response.json({ templates: listTemplates() });
});
