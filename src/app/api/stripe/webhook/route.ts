import { stripeClient } from "@/lib/billing/stripe-client.ts";
import { processStripeEvent, verifyStripeEvent } from "@/lib/billing/stripe-webhook.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";
import { getDb } from "@/db/client.ts";
import { recordIfTeam } from "@/lib/teams/audit.ts";

export const dynamic = "force-dynamic";

/** Stripe's webhook: the only way purchased credits arrive. A bad or missing signature is a 400 and changes nothing. */
export const POST = handle(async (request) => {
  const env = getEnv();
  const stripe = stripeClient(env, { forOperator: true });
  const event = await verifyStripeEvent(stripe, await request.text(), request.headers.get("stripe-signature"), env.STRIPE_WEBHOOK_SECRET!);
  const { outcome, accountId } = await processStripeEvent(env.DB, stripe, event, requestTime(request, env));
  if (accountId && (outcome === "granted" || outcome === "refunded")) {
    await recordIfTeam(getDb(env.DB), accountId, null, outcome === "granted" ? "purchase.completed" : "purchase.refunded", {
      stripeEventId: event.id,
    });
  }
  return Response.json({ received: true, outcome });
});
