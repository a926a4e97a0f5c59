import { describe, expect, it } from "vitest";
import { shownAmount, transactionsForView } from "../../src/components/billing/transaction-view.ts";
import type { Transaction } from "../../src/lib/billing/transactions.ts";

let n = 0;
function row(over: Partial<Transaction>): Transaction {
  n += 1;
  return {
    id: `t${n}`,
    kind: "usage",
    bucket: "free",
    amount: -0.001,
    balanceAfter: 40,
    reason: "Sandbox time",
    agentId: "a1",
    threadId: "th1",
    model: null,
    inputTokens: null,
    outputTokens: null,
    sandboxMs: 100,
    stripeSessionId: null,
    createdAt: "2026-12-05T10:00:30.000Z",
    ...over,
  };
}

describe("transactions as the table shows them", () => {
  it("sums neighbouring sandbox charges too small to show into one row per thread, keeping the newest balance", () => {
    const rows = transactionsForView([
      row({ balanceAfter: 39.997, createdAt: "2026-12-05T10:00:03.000Z" }),
      row({ balanceAfter: 39.998, createdAt: "2026-12-05T10:00:02.000Z" }),
      row({ balanceAfter: 39.999, createdAt: "2026-12-05T10:00:01.000Z" }),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ amount: -0.003, balanceAfter: 39.997, count: 3, sandboxMs: 300, reason: "Sandbox time (3 charges)" });
    expect(rows[0]!.createdAt).toBe("2026-12-05T10:00:01.000Z");
  });

  it("keeps charges of different threads, model steps and charges large enough to show as rows of their own", () => {
    const rows = transactionsForView([
      row({ threadId: "th1" }),
      row({ threadId: "th2" }),
      row({ threadId: "th2", amount: -0.5 }),
      row({ threadId: "th2", sandboxMs: null, model: "gpt-oss:20b", inputTokens: 100, outputTokens: 10, reason: "Model step" }),
      row({ threadId: "th2" }),
    ]);
    expect(rows.map((r) => r.count)).toEqual([1, 1, 1, 1, 1]);
  });

  it("groups sandbox charges without a thread by agent and minute", () => {
    const rows = transactionsForView([
      row({ threadId: null, createdAt: "2026-12-05T10:01:10.000Z" }),
      row({ threadId: null, createdAt: "2026-12-05T10:01:05.000Z" }),
      row({ threadId: null, createdAt: "2026-12-05T10:00:59.000Z" }),
    ]);
    expect(rows.map((r) => r.count)).toEqual([2, 1]);
  });

  it("leaves out rows of zero credits", () => {
    const rows = transactionsForView([row({ amount: 0 }), row({ kind: "purchase", amount: 500, sandboxMs: null, threadId: null })]);
    expect(rows.map((r) => r.kind)).toEqual(["purchase"]);
  });

  it("says a charge below two decimals is less than 0.01, never -0", () => {
    const format = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 2 });
    expect(shownAmount(-0.003, format)).toBe("−<0.01");
    expect(shownAmount(-1.5, format)).toBe("-1.5");
    expect(shownAmount(12, format)).toBe("+12");
  });
});
