import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { ledgerEntry } from "../../db/schema.ts";
import { Invalid } from "../errors.ts";
import { toCredits } from "./rules.ts";

export const LEDGER_KINDS = ["monthly_grant", "monthly_expiry", "purchase", "refund", "usage", "adjustment", "loop_refund"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface Transaction {
  id: string;
  kind: LedgerKind;
  bucket: "free" | "purchased";
  amount: number;
  balanceAfter: number;
  reason: string;
  agentId: string | null;
  threadId: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  sandboxMs: number | null;
  stripeSessionId: string | null;
  createdAt: string;
}

export interface TransactionPage {
  transactions: Transaction[];
  nextCursor: string | null;
}

function encodeCursor(createdAt: Date, id: string): string {
  return btoa(`${createdAt.getTime()}:${id}`);
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [ms, id] = atob(cursor).split(":");
    const createdAt = new Date(Number(ms));
    if (!id || Number.isNaN(createdAt.getTime())) throw new Error("bad cursor");
    return { createdAt, id };
  } catch {
    throw new Invalid("cursor: not a cursor this API returned");
  }
}

/** The account's ledger, newest first, a page at a time, optionally only one kind. */
export async function listTransactions(
  db: Db,
  accountId: string,
  options: { cursor?: string; kind?: LedgerKind; limit?: number } = {},
): Promise<TransactionPage> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const conditions: SQL[] = [eq(ledgerEntry.accountId, accountId)];
  if (options.kind) conditions.push(eq(ledgerEntry.kind, options.kind));
  if (options.cursor) {
    const { createdAt, id } = decodeCursor(options.cursor);
    conditions.push(or(lt(ledgerEntry.createdAt, createdAt), and(eq(ledgerEntry.createdAt, createdAt), lt(ledgerEntry.id, id)))!);
  }
  const rows = await db
    .select()
    .from(ledgerEntry)
    .where(and(...conditions))
    .orderBy(desc(ledgerEntry.createdAt), desc(ledgerEntry.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    transactions: page.map((row) => ({
      id: row.id,
      kind: row.kind,
      bucket: row.bucket,
      amount: toCredits(row.amountMillicredits),
      balanceAfter: toCredits(row.balanceAfterMillicredits),
      reason: row.reason,
      agentId: row.agentId,
      threadId: row.threadId,
      model: row.modelId,
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      sandboxMs: row.sandboxMs,
      stripeSessionId: row.stripeSessionId,
      createdAt: row.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}
