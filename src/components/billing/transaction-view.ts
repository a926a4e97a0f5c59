import type { Transaction } from "@/lib/billing/transactions.ts";

/** A row of the transactions table: one ledger row, or several small sandbox charges shown as one. */
export interface TransactionView extends Transaction {
  /** How many ledger rows this row stands for (1 unless sandbox charges were grouped). */
  count: number;
}

/** Amounts the table shows with two decimals: a charge below half a hundredth reads as "-0". */
const SHOWN_PRECISION = 0.005;
const MINUTE_MS = 60_000;

const isSandboxCharge = (t: Transaction) => t.kind === "usage" && t.sandboxMs !== null && t.inputTokens === null;

/** What sandbox charges share to be shown as one row: the chat turn's thread, or else the agent and the minute. */
function groupKey(t: Transaction): string {
  if (t.threadId) return `thread:${t.threadId}`;
  return `agent:${t.agentId ?? ""}:${Math.floor(Date.parse(t.createdAt) / MINUTE_MS)}`;
}

/**
 * The transactions as the table shows them (newest first, as the API returns them): rows of zero credits are left
 * out, and neighbouring sandbox charges too small to show on their own are summed into one row per thread (or per
 * agent and minute). Display only: the ledger keeps one row per charge.
 */
export function transactionsForView(transactions: Transaction[]): TransactionView[] {
  const rows: (TransactionView & { mergeable: boolean })[] = [];
  for (const t of transactions) {
    if (t.amount === 0) continue;
    const previous = rows.at(-1);
    const small = isSandboxCharge(t) && Math.abs(t.amount) < SHOWN_PRECISION;
    if (small && previous?.mergeable && groupKey(previous) === groupKey(t)) {
      previous.amount += t.amount;
      previous.sandboxMs = (previous.sandboxMs ?? 0) + (t.sandboxMs ?? 0);
      previous.count += 1;
      // The balance after the group is the newest row's, which is already there; the group is as old as its oldest.
      previous.createdAt = t.createdAt;
      continue;
    }
    rows.push({ ...t, count: 1, mergeable: small });
  }
  return rows.map(({ mergeable: _mergeable, ...row }) => ({
    ...row,
    amount: Math.round(row.amount * 1000) / 1000,
    reason: row.count > 1 ? `${row.reason} (${row.count} charges)` : row.reason,
  }));
}

/** A row's credits for the table: two decimals, and a charge too small for them said as such instead of "-0". */
export function shownAmount(amount: number, format: (value: number) => string): string {
  if (amount !== 0 && Math.abs(amount) < SHOWN_PRECISION) return amount < 0 ? "−<0.01" : "+<0.01";
  return `${amount > 0 ? "+" : ""}${format(amount)}`;
}
