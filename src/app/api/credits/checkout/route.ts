import { z } from "zod";
import { getDb } from "@/db/client.ts";
import { callerAccount, requireUser } from "@/lib/auth/caller.ts";
import { requestOrigin } from "@/lib/auth/config.ts";
import { createCheckoutSession } from "@/lib/billing/checkout.ts";
import { PACKAGE_IDS, findPackage } from "@/lib/billing/packages.ts";
import { stripeClient } from "@/lib/billing/stripe-client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { recordAudit } from "@/lib/teams/audit.ts";

export const dynamic = "force-dynamic";

const Body = z.object({ package: z.enum(PACKAGE_IDS) });

/** Starts a Stripe Checkout for a credit package for the acting account; the browser goes to `url`. */
export const POST = handle(async (request) => {
  const env = getEnv();
  const caller = await requireUser(request, env);
  const acting = await callerAccount(request, env, caller, "billing.purchase");
  const { package: packageId } = await readJson(request, Body);
  const session = await createCheckoutSession(getDb(env.DB), stripeClient(env, { forOperator: caller.user.role === "admin" }), {
    accountId: acting.id,
    pkg: findPackage(packageId)!,
    origin: requestOrigin(request, env),
    email: caller.user.email,
  });
  if (acting.kind === "team") await recordAudit(getDb(env.DB), acting.id, caller.user.id, "purchase.started", { package: packageId });
  return Response.json(session, { headers: { "cache-control": "no-store" } });
});
