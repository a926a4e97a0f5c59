import { z } from "zod";
import { getDb } from "@/db/client.ts";
import { account } from "@/db/schema.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { assertTestEnvironment } from "@/lib/http/dev-only.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

const Body = z.object({ kind: z.enum(["personal", "team"]), name: z.string().min(1).max(100) });

/** Test hook: a bare billing account (no user), so ledger tests do not depend on sign-up. */
export const POST = handle(async (request) => {
  const env = getEnv();
  assertTestEnvironment(env);
  const { kind, name } = await readJson(request, Body);
  const id = crypto.randomUUID();
  await getDb(env.DB).insert(account).values({ id, kind, name });
  return Response.json({ id }, { status: 201 });
});
