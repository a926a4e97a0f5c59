"use client";

import { ExternalLink, Loader2 } from "lucide-react";
import { useState } from "react";
import { apiFetch } from "@/components/auth/auth-client.ts";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import type { PackageInfo, PurchaseInfo } from "./billing-api.ts";
import { credits, day, money } from "./format.ts";

export function PurchaseHistory({
  purchases,
  packages,
  portalEnabled,
}: {
  purchases: PurchaseInfo[];
  packages: PackageInfo[];
  portalEnabled: boolean;
}) {
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<string>();
  const nameOf = (id: string) => packages.find((p) => p.id === id)?.name ?? id;

  async function openPortal() {
    setOpening(true);
    setError(undefined);
    try {
      const { url } = await apiFetch<{ url: string }>("/api/credits/portal", { method: "POST" });
      window.location.assign(url);
    } catch (e) {
      setError((e as Error).message);
      setOpening(false);
    }
  }

  return (
    <section aria-labelledby="purchases-heading" className="grid gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="purchases-heading" className="text-lg font-semibold">
          Purchases
        </h2>
        {portalEnabled && purchases.length > 0 && (
          <Button variant="outline" size="sm" onClick={openPortal} disabled={opening}>
            {opening ? <Loader2 className="animate-spin" /> : <ExternalLink />}
            Invoices and payment methods
          </Button>
        )}
      </div>
      {error && <Alert variant="destructive">{error}</Alert>}
      {purchases.length === 0 ? (
        <p className="rounded-md border border-dashed p-6 text-center text-sm text-muted-foreground">No purchases yet.</p>
      ) : (
        <div className="overflow-x-auto rounded-md border">
          <table className="w-full text-sm" aria-label="Purchases">
            <thead className="bg-muted/50 text-left text-muted-foreground">
              <tr>
                <th className="px-3 py-2 font-medium">Date</th>
                <th className="px-3 py-2 font-medium">Package</th>
                <th className="px-3 py-2 text-right font-medium">Credits</th>
                <th className="px-3 py-2 text-right font-medium">Paid</th>
                <th className="px-3 py-2 font-medium">Receipt</th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {purchases.map((p) => (
                <tr key={p.stripeSessionId} data-testid="purchase-row">
                  <td className="whitespace-nowrap px-3 py-2">{day(p.createdAt)}</td>
                  <td className="px-3 py-2">{nameOf(p.packageId)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">
                    {credits(p.credits)}
                    {p.refundedCredits > 0 && (
                      <span className="block text-xs text-muted-foreground">−{credits(p.refundedCredits)} refunded</span>
                    )}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{money(p.amountCents, p.currency)}</td>
                  <td className="px-3 py-2">
                    {p.receiptUrl ? (
                      <a
                        className="text-primary underline-offset-4 hover:underline"
                        href={p.receiptUrl}
                        target="_blank"
                        rel="noreferrer noopener"
                      >
                        Receipt
                      </a>
                    ) : (
                      <span className="text-muted-foreground">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
