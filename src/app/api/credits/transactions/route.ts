import { z } from "zod";
import { getDb } from "@/db/client.ts";
import { callerAccount, requireUser } from "@/lib/auth/caller.ts";
import { LEDGER_KINDS, listTransactions } from "@/lib/billing/transactions.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

const Query = z.object({
  cursor: z.string().max(200).optional(),
  kind: z.enum(LEDGER_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

/** The acting account's ledger, newest first; `nextCursor` fetches the next page. */
export const GET = handle(async (request) => {
  const env = getEnv();
  const caller = await requireUser(request, env);
  const acting = await callerAccount(request, env, caller, "billing.view");
  const params = new URL(request.url).searchParams;
  const query = parseWith(Query, {
    cursor: params.get("cursor") ?? undefined,
    kind: params.get("kind") ?? undefined,
    limit: params.get("limit") ?? undefined,
  });
  return Response.json(await listTransactions(getDb(env.DB), acting.id, query), { headers: { "cache-control": "no-store" } });
});
