import { getDb } from "@/db/client.ts";
import { callerAccount, requireUser } from "@/lib/auth/caller.ts";
import { requestOrigin } from "@/lib/auth/config.ts";
import { createPortalSession } from "@/lib/billing/checkout.ts";
import { stripeClient } from "@/lib/billing/stripe-client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

/** A Stripe customer portal session (invoices, payment methods) for the acting account; the browser goes to `url`. */
export const POST = handle(async (request) => {
  const env = getEnv();
  const caller = await requireUser(request, env);
  const acting = await callerAccount(request, env, caller, "billing.purchase");
  const portal = await createPortalSession(
    getDb(env.DB),
    stripeClient(env, { forOperator: caller.user.role === "admin" }),
    acting.id,
    `${requestOrigin(request, env)}/billing`,
  );
  return Response.json(portal, { headers: { "cache-control": "no-store" } });
});
