/** What each ledger kind is called on screen, in the user's transactions and in the admin's ledger alike. */
export const LEDGER_KIND_LABELS: Record<string, string> = {
  usage: "Usage",
  purchase: "Purchase",
  refund: "Refund",
  monthly_grant: "Monthly free credits",
  monthly_expiry: "Expired free credits",
  adjustment: "Admin adjustment",
  loop_refund: "Loop refund",
};

export function ledgerKindLabel(kind: string): string {
  return LEDGER_KIND_LABELS[kind] ?? kind.replaceAll("_", " ");
}

/**
 * Which credits a row touches, said in words; an admin adjustment's bucket is bookkeeping (it lands with purchased
 * credits so it does not expire), so it is not labelled as a purchase.
 */
export function ledgerBucketLabel(kind: string, bucket: string): string | null {
  if (kind === "adjustment") return null;
  return bucket === "free" ? "free credits" : "purchased credits";
}
