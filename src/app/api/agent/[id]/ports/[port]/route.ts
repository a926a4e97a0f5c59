import { z } from "zod";
import { workspaceForRequest } from "@/operations/workspace.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; port: string }> };

/** Stops previewing a port: its URL answers 404 from now on. */
export const DELETE = handle(async (request, { params }: Params) => {
  const { id, port } = await params;
  const { workspace } = await workspaceForRequest(request, getEnv(), id);
  await workspace.unexposePort(parseWith(z.coerce.number().int().min(1).max(65535), port));
  return new Response(null, { status: 204 });
});
