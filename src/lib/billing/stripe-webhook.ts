import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { getDb, type Db } from "../../db/client.ts";
import { stripeEvent } from "../../db/schema.ts";
import { Invalid, NotFound } from "../errors.ts";
import { grant, removeRefundedCredits } from "./ledger.ts";
import { findPackage, packageMillicredits } from "./packages.ts";
import { purchaseByPaymentIntent, purchaseBySession, recordPurchase } from "./purchases.ts";
import { webCrypto } from "./stripe-client.ts";

export type EventOutcome = "granted" | "duplicate" | "refunded" | "ignored";

/** The event, if the Stripe-Signature header proves Stripe sent exactly this body (HMAC checked with Web Crypto). */
export async function verifyStripeEvent(stripe: Stripe, payload: string, signature: string | null, secret: string): Promise<Stripe.Event> {
  if (!signature) throw new Invalid("Missing Stripe-Signature header");
  try {
    return await stripe.webhooks.constructEventAsync(payload, signature, secret, undefined, webCrypto);
  } catch {
    throw new Invalid("The Stripe signature does not match this payload");
  }
}

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === "string" ? value : (value?.id ?? null);

/**
 * Applies one verified event and records it. Every step is idempotent (the grant by its idempotency key, the
 * purchase row by its session id, refunds by their cumulative target), so any retry, order or concurrency of
 * deliveries ends in the same state; a failure answers 500 and Stripe retries.
 */
export async function processStripeEvent(
  d1: D1Database,
  stripe: Stripe,
  event: Stripe.Event,
  now = new Date(),
): Promise<{ outcome: EventOutcome; accountId: string | null }> {
  let result: { outcome: EventOutcome; accountId: string | null } = { outcome: "ignored", accountId: null };
  if (event.type === "checkout.session.completed" || event.type === "checkout.session.async_payment_succeeded") {
    result = await completeCheckout(d1, stripe, event.data.object, event.id, now);
  } else if (event.type === "charge.refunded") {
    result = await refundCharge(d1, stripe, event.data.object, event.id, now);
  }
  await getDb(d1)
    .insert(stripeEvent)
    .values({ id: event.id, type: event.type, accountId: result.accountId, outcome: result.outcome, receivedAt: now })
    .onConflictDoNothing();
  return result;
}

async function completeCheckout(d1: D1Database, stripe: Stripe, session: Stripe.Checkout.Session, eventId: string, now: Date) {
  const accountId = session.metadata?.accountId;
  const pkg = findPackage(session.metadata?.packageId ?? "");
  // Not one of our credit checkouts, or not paid yet (an async payment completes with its own event).
  if (!accountId || !pkg || session.payment_status !== "paid") return { outcome: "ignored" as const, accountId: accountId ?? null };
  let granted: boolean;
  try {
    ({ granted } = await grant(
      d1,
      accountId,
      {
        kind: "purchase",
        amountMillicredits: packageMillicredits(pkg),
        reason: `Bought ${pkg.credits.toLocaleString("en-US")} credits (${pkg.name})`,
        idempotencyKey: `stripe:checkout:${session.id}`,
        stripeSessionId: session.id,
        stripeEventId: eventId,
      },
      now,
    ));
  } catch (error) {
    // The account was deleted after paying: nothing to credit; the operator refunds in Stripe.
    if (error instanceof NotFound) return { outcome: "ignored" as const, accountId };
    throw error;
  }
  const db = getDb(d1);
  const known = await purchaseBySession(db, session.id);
  if (!granted && known?.receiptUrl) return { outcome: "duplicate" as const, accountId };
  await recordPurchase(
    db,
    {
      stripeSessionId: session.id,
      accountId,
      packageId: pkg.id,
      creditsMillicredits: packageMillicredits(pkg),
      amountCents: session.amount_total ?? pkg.priceCents,
      currency: session.currency ?? pkg.currency,
      stripePaymentIntentId: idOf(session.payment_intent),
      stripeCustomerId: idOf(session.customer),
      receiptUrl: await receiptUrl(stripe, session.id),
    },
    now,
  );
  return { outcome: granted ? ("granted" as const) : ("duplicate" as const), accountId };
}

/** The charge's receipt page; best effort, since the credits must not wait for it. */
async function receiptUrl(stripe: Stripe, sessionId: string): Promise<string | null> {
  try {
    const session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ["payment_intent.latest_charge"] });
    const intent = session.payment_intent;
    const charge = typeof intent === "object" && intent ? intent.latest_charge : null;
    return typeof charge === "object" && charge ? (charge.receipt_url ?? null) : null;
  } catch (error) {
    console.warn("Could not fetch the receipt of checkout session", sessionId, error);
    return null;
  }
}

async function refundCharge(d1: D1Database, stripe: Stripe, charge: Stripe.Charge, eventId: string, now: Date) {
  const db = getDb(d1);
  const intentId = idOf(charge.payment_intent);
  let purchase = intentId ? await purchaseByPaymentIntent(db, intentId) : undefined;
  if (!purchase && intentId) {
    // The refund overtook its checkout's own event (Stripe does not order deliveries): complete the checkout first.
    const { data } = await stripe.checkout.sessions.list({ payment_intent: intentId, limit: 1 });
    if (data[0]) {
      await completeCheckout(d1, stripe, data[0], eventId, now);
      purchase = await purchaseByPaymentIntent(db, intentId);
    }
  }
  if (!purchase || charge.amount <= 0) return { outcome: "ignored" as const, accountId: null };
  const target = Math.floor((purchase.creditsMillicredits * Math.min(charge.amount_refunded, charge.amount)) / charge.amount);
  const { applied } = await removeRefundedCredits(
    d1,
    {
      stripeSessionId: purchase.stripeSessionId,
      targetMillicredits: target,
      stripeEventId: eventId,
      reason: "Refund of a credit purchase",
    },
    now,
  );
  return { outcome: applied ? ("refunded" as const) : ("duplicate" as const), accountId: purchase.accountId };
}

/** What we recorded for a Stripe event, or null if it was never processed. */
export async function recordedStripeEvent(db: Db, id: string) {
  return (await db.select().from(stripeEvent).where(eq(stripeEvent.id, id)).get()) ?? null;
}
