import { z } from "zod";
import { workspaceForRequest } from "@/operations/workspace.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

export const GET = handle(async (request, { params }: Params) => {
  const { workspace } = await workspaceForRequest(request, getEnv(), (await params).id);
  const dir = parseWith(z.string().max(1024).default("."), new URL(request.url).searchParams.get("dir") ?? undefined);
  return Response.json(await workspace.gitStatus(dir));
});
