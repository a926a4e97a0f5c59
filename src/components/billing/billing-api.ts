import { apiFetch } from "@/components/auth/auth-client.ts";
import type { creditsView } from "@/lib/billing/ledger.ts";
import type { CreditPackage } from "@/lib/billing/packages.ts";
import type { Purchase } from "@/lib/billing/purchases.ts";

export type CreditsResponse = ReturnType<typeof creditsView>;
export type PackageInfo = CreditPackage;
export type PurchaseInfo = Purchase;

export interface PurchasesResponse {
  purchasesEnabled: boolean;
  packages: PackageInfo[];
  purchases: PurchaseInfo[];
}

export const fetchCredits = () => apiFetch<CreditsResponse>("/api/credits");
export const fetchPurchases = () => apiFetch<PurchasesResponse>("/api/credits/purchases");
