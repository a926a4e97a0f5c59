import { callerAccount, requireUser } from "@/lib/auth/caller.ts";
import { creditsView, getBalance } from "@/lib/billing/ledger.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

/** The acting account's balance in credits: the ledger sum split by bucket, and what open reservations hold. */
export const GET = handle(async (request) => {
  const env = getEnv();
  const caller = await requireUser(request, env);
  const acting = await callerAccount(request, env, caller, "billing.view");
  const balance = await getBalance(env.DB, acting.id, requestTime(request, env));
  return Response.json(creditsView(acting.id, balance), { headers: { "cache-control": "no-store" } });
});
