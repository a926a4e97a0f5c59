import { MILLICREDITS_PER_CREDIT } from "./rules.ts";

/** A credit package sold through Stripe Checkout. Larger packages carry bonus credits. */
export interface CreditPackage {
  id: "starter" | "standard" | "pro";
  name: string;
  credits: number;
  priceCents: number;
  currency: "usd";
}

export const CREDIT_PACKAGES: readonly CreditPackage[] = [
  { id: "starter", name: "Starter", credits: 500, priceCents: 500, currency: "usd" },
  { id: "standard", name: "Standard", credits: 1200, priceCents: 1000, currency: "usd" },
  { id: "pro", name: "Pro", credits: 3000, priceCents: 2000, currency: "usd" },
];

export const PACKAGE_IDS = CREDIT_PACKAGES.map((p) => p.id) as [CreditPackage["id"], ...CreditPackage["id"][]];

export function findPackage(id: string): CreditPackage | undefined {
  return CREDIT_PACKAGES.find((p) => p.id === id);
}

export function packageMillicredits(pkg: CreditPackage): number {
  return pkg.credits * MILLICREDITS_PER_CREDIT;
}

/** "$10.00" */
export function formatPrice(cents: number, currency = "usd"): string {
  return (cents / 100).toLocaleString("en-US", { style: "currency", currency: currency.toUpperCase() });
}
