import { z } from "zod";
import { getDb } from "@/db/client.ts";
import { createApiKey, listApiKeys } from "@/lib/auth/api-keys.ts";
import { requireSessionUser } from "@/lib/auth/caller.ts";
import { enforceRateLimit } from "@/lib/ratelimit/enforce.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { isSafeName } from "@/lib/text/names.ts";

export const dynamic = "force-dynamic";

const NewKey = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Name the key")
    .max(100, "Key names have at most 100 characters")
    .refine(isSafeName, "Key names cannot contain control characters or text-direction overrides"),
});

export const GET = handle(async (request) => {
  const env = getEnv();
  const caller = await requireSessionUser(request, env);
  return Response.json({ keys: await listApiKeys(getDb(env.DB), caller.user.id) }, { headers: { "cache-control": "no-store" } });
});

/** Creates a key and returns its secret, the only time it is shown. */
export const POST = handle(async (request) => {
  const env = getEnv();
  const caller = await requireSessionUser(request, env);
  const { name } = await readJson(request, NewKey);
  await enforceRateLimit(env, "apiKeyCreateByUser", caller.user.id);
  const key = await createApiKey(getDb(env.DB), caller.user.id, name);
  return Response.json({ key }, { status: 201, headers: { "cache-control": "no-store" } });
});
