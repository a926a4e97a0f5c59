import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { z } from "zod";
import { allModels, createModel, ModelChangesBody, NewModelBody, updateModel } from "@/lib/admin/models.ts";
import { handle, parseWith, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

export const GET = handle(async (request) => {
  const env = getEnv();
  await requireAdminCaller(request, env);
  return Response.json({ models: await allModels(getDb(env.DB)) }, { headers: { "cache-control": "no-store" } });
});

export const POST = handle(async (request) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  const input = await readJson(request, NewModelBody);
  return Response.json(await createModel(getDb(env.DB), admin, input), { status: 201 });
});

// Model ids hold ":" and "/" (gpt-oss:20b, @cf/...), so the id travels in the body rather than the path.
const ModelEdit = z.object({ id: z.string().min(1).max(200), changes: ModelChangesBody });

/** Edits a model's label, provider, rates, context window or enabled flag. */
export const PATCH = handle(async (request) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  const { id, changes } = await readJson(request, ModelEdit);
  return Response.json(await updateModel(getDb(env.DB), admin, id, parseWith(ModelChangesBody, changes)));
});
