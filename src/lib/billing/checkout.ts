import type Stripe from "stripe";
import type { Db } from "../../db/client.ts";
import { NotFound, ServiceUnavailable } from "../errors.ts";
import type { CreditPackage } from "./packages.ts";
import { stripeCustomerOf } from "./purchases.ts";

export interface CheckoutRequest {
  accountId: string;
  pkg: CreditPackage;
  /** Where Stripe sends the buyer back: this site's origin. */
  origin: string;
  email: string;
}

/**
 * A Stripe Checkout session for one package, for one billing account. Account and package travel in the metadata;
 * credits arrive only through the signed webhook, never from the buyer's return to the success page.
 */
export async function createCheckoutSession(db: Db, stripe: Stripe, input: CheckoutRequest): Promise<{ id: string; url: string }> {
  const customer = await stripeCustomerOf(db, input.accountId);
  const metadata = { accountId: input.accountId, packageId: input.pkg.id };
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: input.pkg.currency,
          unit_amount: input.pkg.priceCents,
          product_data: { name: `${input.pkg.credits.toLocaleString("en-US")} netM8 credits (${input.pkg.name})` },
        },
      },
    ],
    ...(customer ? { customer } : { customer_creation: "always" as const, customer_email: input.email }),
    client_reference_id: input.accountId,
    metadata,
    payment_intent_data: { metadata },
    invoice_creation: { enabled: true },
    success_url: `${input.origin}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${input.origin}/billing?canceled=1`,
  });
  if (!session.url) throw new ServiceUnavailable("Stripe did not return a checkout page; try again");
  return { id: session.id, url: session.url };
}

/** A Stripe customer portal session (invoices, payment methods) for an account that has bought before. */
export async function createPortalSession(db: Db, stripe: Stripe, accountId: string, returnUrl: string): Promise<{ url: string }> {
  const customer = await stripeCustomerOf(db, accountId);
  if (!customer) throw new NotFound("This account has no purchases yet, so there is nothing to show in the customer portal");
  const session = await stripe.billingPortal.sessions.create({ customer, return_url: returnUrl });
  return { url: session.url };
}
