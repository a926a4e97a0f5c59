import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { creditPurchase } from "../../db/schema.ts";
import { toCredits } from "./rules.ts";

export interface PurchaseRecord {
  stripeSessionId: string;
  accountId: string;
  packageId: string;
  creditsMillicredits: number;
  amountCents: number;
  currency: string;
  stripePaymentIntentId: string | null;
  stripeCustomerId: string | null;
  receiptUrl: string | null;
}

/** Records a paid Checkout session; a repeat fills in what an earlier attempt did not know (receipt, customer). */
export async function recordPurchase(db: Db, purchase: PurchaseRecord, now = new Date()): Promise<void> {
  await db
    .insert(creditPurchase)
    .values({ ...purchase, createdAt: now })
    .onConflictDoUpdate({
      target: creditPurchase.stripeSessionId,
      set: {
        receiptUrl: purchase.receiptUrl ?? undefined,
        stripeCustomerId: purchase.stripeCustomerId ?? undefined,
        stripePaymentIntentId: purchase.stripePaymentIntentId ?? undefined,
      },
    });
}

export async function purchaseBySession(db: Db, sessionId: string) {
  return db.select().from(creditPurchase).where(eq(creditPurchase.stripeSessionId, sessionId)).get();
}

export async function purchaseByPaymentIntent(db: Db, paymentIntentId: string) {
  return db.select().from(creditPurchase).where(eq(creditPurchase.stripePaymentIntentId, paymentIntentId)).get();
}

/** The Stripe customer of the account's latest purchase: reused for new checkouts and opens the customer portal. */
export async function stripeCustomerOf(db: Db, accountId: string): Promise<string | null> {
  const row = await db
    .select({ customer: creditPurchase.stripeCustomerId })
    .from(creditPurchase)
    .where(and(eq(creditPurchase.accountId, accountId), isNotNull(creditPurchase.stripeCustomerId)))
    .orderBy(desc(creditPurchase.createdAt))
    .get();
  return row?.customer ?? null;
}

export interface Purchase {
  stripeSessionId: string;
  packageId: string;
  credits: number;
  refundedCredits: number;
  amountCents: number;
  currency: string;
  receiptUrl: string | null;
  createdAt: string;
}

/** The account's purchases, newest first. */
export async function listPurchases(db: Db, accountId: string, limit = 100): Promise<Purchase[]> {
  const rows = await db
    .select()
    .from(creditPurchase)
    .where(eq(creditPurchase.accountId, accountId))
    .orderBy(desc(creditPurchase.createdAt))
    .limit(limit);
  return rows.map((row) => ({
    stripeSessionId: row.stripeSessionId,
    packageId: row.packageId,
    credits: toCredits(row.creditsMillicredits),
    refundedCredits: toCredits(row.refundedMillicredits),
    amountCents: row.amountCents,
    currency: row.currency,
    receiptUrl: row.receiptUrl,
    createdAt: row.createdAt.toISOString(),
  }));
}
