import { apiFetch } from "@/components/auth/auth-client.ts";

export interface CreditsResponse {
  accountId: string;
  balance: number;
  free: number;
  purchased: number;
  reserved: number;
  available: number;
}

export interface PackageInfo {
  id: string;
  name: string;
  credits: number;
  priceCents: number;
  currency: string;
}

export interface PurchaseInfo {
  stripeSessionId: string;
  packageId: string;
  credits: number;
  refundedCredits: number;
  amountCents: number;
  currency: string;
  receiptUrl: string | null;
  createdAt: string;
}

export interface PurchasesResponse {
  purchasesEnabled: boolean;
  packages: PackageInfo[];
  purchases: PurchaseInfo[];
}

export const fetchCredits = () => apiFetch<CreditsResponse>("/api/credits");
export const fetchPurchases = () => apiFetch<PurchasesResponse>("/api/credits/purchases");
