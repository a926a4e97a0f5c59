"use client";

import { useCallback, useEffect, useState } from "react";
import { apiFetch } from "@/components/auth/auth-client.ts";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Label } from "@/components/ui/label.tsx";
import { credits, day } from "./format.ts";
import { LEDGER_KIND_LABELS, ledgerBucketLabel } from "./ledger-labels.ts";
import { shownAmount, transactionsForView } from "./transaction-view.ts";
import type { Transaction } from "@/lib/billing/transactions.ts";

const KINDS: { value: string; label: string }[] = [
  { value: "", label: "All" },
  { value: "usage", label: "Usage" },
  { value: "purchase", label: "Purchases" },
  { value: "refund", label: "Refunds" },
  { value: "monthly_grant", label: "Monthly free credits" },
  { value: "monthly_expiry", label: "Expired free credits" },
  { value: "adjustment", label: "Admin adjustments" },
  { value: "loop_refund", label: "Loop refunds" },
];
const PAGE_SIZE = 25;

export function TransactionList() {
  const [kind, setKind] = useState("");
  // Cursors of the pages seen so far: the last one is the page on screen.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<{ transactions: Transaction[]; nextCursor: string | null } | null>(null);
  const [error, setError] = useState<string>();
  const cursor = cursors.at(-1) ?? null;

  const load = useCallback(async () => {
    setPage(null);
    setError(undefined);
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (kind) params.set("kind", kind);
    if (cursor) params.set("cursor", cursor);
    try {
      setPage(await apiFetch(`/api/credits/transactions?${params}`));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [kind, cursor]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-end gap-2">
        <div className="grid gap-1">
          <Label htmlFor="kind-filter">Kind</Label>
          <select
            id="kind-filter"
            className="h-9 rounded-md border bg-background px-3 text-sm"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setCursors([null]);
            }}
          >
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {error && (
        <Alert variant="destructive">
          Could not load transactions: {error}{" "}
          <Button size="sm" variant="outline" onClick={load}>
            Try again
          </Button>
        </Alert>
      )}
      {!page && !error && <p className="text-sm text-muted-foreground">Loading transactions…</p>}
      {page && page.transactions.length === 0 && (
        <p className="rounded-md border border-dashed p-6 text-center text-sm text-muted-foreground">
          No transactions{kind ? " of this kind" : ""} yet.
        </p>
      )}
      {page && page.transactions.length > 0 && (
        <div className="overflow-x-auto rounded-md border">
          <table className="w-full text-sm" aria-label="Transactions">
            <thead className="bg-muted/50 text-left text-muted-foreground">
              <tr>
                {/* A phone shows the date and details under the kind, so Credits and Balance fit beside it. */}
                <th className="hidden px-3 py-2 font-medium sm:table-cell">Date</th>
                <th className="px-3 py-2 font-medium">Kind</th>
                <th className="hidden px-3 py-2 font-medium sm:table-cell">Details</th>
                <th className="px-3 py-2 text-right font-medium">Credits</th>
                <th className="px-3 py-2 text-right font-medium">Balance after</th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {transactionsForView(page.transactions).map((t) => (
                <tr key={t.id} data-testid="transaction-row" data-kind={t.kind} data-count={t.count}>
                  <td className="hidden whitespace-nowrap px-3 py-2 sm:table-cell">{day(t.createdAt)}</td>
                  <td className="px-3 py-2 sm:whitespace-nowrap">
                    {LEDGER_KIND_LABELS[t.kind] ?? t.kind}
                    <span className="block text-xs text-muted-foreground">{ledgerBucketLabel(t.kind, t.bucket)}</span>
                    <span className="block text-xs text-muted-foreground sm:hidden">
                      {day(t.createdAt)} · {t.reason}
                    </span>
                  </td>
                  <td className="hidden px-3 py-2 sm:table-cell">
                    {t.reason}
                    {t.inputTokens !== null && (
                      <span className="block text-xs text-muted-foreground">
                        {t.model} · {t.inputTokens.toLocaleString("en-US")} in / {(t.outputTokens ?? 0).toLocaleString("en-US")} out tokens
                      </span>
                    )}
                  </td>
                  <td className={`px-3 py-2 text-right tabular-nums ${t.amount > 0 ? "text-emerald-700 dark:text-emerald-400" : ""}`}>
                    {shownAmount(t.amount, credits)}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{credits(t.balanceAfter)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="flex gap-2">
        <Button variant="outline" size="sm" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </Button>
        <Button
          variant="outline"
          size="sm"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor])}
        >
          Older
        </Button>
      </div>
    </div>
  );
}
