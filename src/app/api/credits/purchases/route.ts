import { getDb } from "@/db/client.ts";
import { callerAccount, requireUser } from "@/lib/auth/caller.ts";
import { CREDIT_PACKAGES } from "@/lib/billing/packages.ts";
import { listPurchases } from "@/lib/billing/purchases.ts";
import { stripeConfigured } from "@/lib/billing/stripe-client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

/** The packages on sale, whether purchases are set up, and the acting account's purchases, newest first. */
export const GET = handle(async (request) => {
  const env = getEnv();
  const caller = await requireUser(request, env);
  const acting = await callerAccount(request, env, caller, "billing.view");
  return Response.json(
    { purchasesEnabled: stripeConfigured(env), packages: CREDIT_PACKAGES, purchases: await listPurchases(getDb(env.DB), acting.id) },
    { headers: { "cache-control": "no-store" } },
  );
});
