import { z } from "zod";
import { readProbe, writeProbe } from "@/operations/health.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { assertDevelopment } from "@/lib/http/dev-only.ts";
import { handle, parseWith, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

const Key = z.string().regex(/^[a-z0-9-]{1,64}$/, "key must be 1-64 lowercase letters, digits or dashes");
const WriteBody = z.object({ key: Key, value: z.string().max(1000) });

export const GET = handle(async (request) => {
  const env = getEnv();
  assertDevelopment(env);
  const key = parseWith(Key, new URL(request.url).searchParams.get("key"));
  return Response.json(await readProbe(env, key));
});

export const POST = handle(async (request) => {
  const env = getEnv();
  assertDevelopment(env);
  const { key, value } = await readJson(request, WriteBody);
  await writeProbe(env, key, value);
  return Response.json(await readProbe(env, key));
});
