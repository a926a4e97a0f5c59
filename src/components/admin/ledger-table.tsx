import type { AdminLedgerRow } from "@/lib/admin/accounts.ts";
import { ledgerBucketLabel, ledgerKindLabel } from "@/components/billing/ledger-labels.ts";
import { formatDateTime, formatNumber } from "./format.ts";

/** An account's newest ledger rows, with who caused each adjustment. */
export function LedgerTable({ ledger }: { ledger: AdminLedgerRow[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="admin-ledger">
        <thead className="text-left text-muted-foreground">
          <tr>
            <th className="py-1 pr-3 font-medium">When</th>
            <th className="py-1 pr-3 font-medium">Kind</th>
            <th className="py-1 pr-3 text-right font-medium">Credits</th>
            <th className="py-1 pr-3 text-right font-medium">Balance</th>
            <th className="py-1 font-medium">Reason</th>
          </tr>
        </thead>
        <tbody>
          {ledger.map((l) => (
            <tr key={l.id} className="border-t">
              <td className="py-1 pr-3 whitespace-nowrap">{formatDateTime(l.createdAt)}</td>
              <td className="py-1 pr-3" data-kind={l.kind}>
                {ledgerKindLabel(l.kind)}
                {ledgerBucketLabel(l.kind, l.bucket) && (
                  <span className="block text-xs text-muted-foreground">{ledgerBucketLabel(l.kind, l.bucket)}</span>
                )}
              </td>
              <td className="py-1 pr-3 text-right tabular-nums">{formatNumber(l.credits, 3)}</td>
              <td className="py-1 pr-3 text-right tabular-nums">{formatNumber(l.balanceAfterCredits, 3)}</td>
              <td className="py-1">
                {l.reason}
                {l.actorEmail && <span className="block text-xs text-muted-foreground">by {l.actorEmail}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
