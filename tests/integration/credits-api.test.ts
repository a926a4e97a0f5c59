import { describe, expect, inject, it } from "vitest";
import { signUpUser } from "../support/users.ts";

const base = () => inject("workerUrl");

async function testLedger(body: object) {
  const response = await fetch(`${base()}/api/test/ledger`, { method: "POST", body: JSON.stringify(body) });
  return response.json();
}

describe("the credits API", () => {
  it("shows a new user 50 free credits in their personal account", async () => {
    const user = await signUpUser(base());
    const response = await fetch(`${base()}/api/credits`, { headers: user.headers() });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ balance: 50, free: 50, purchased: 0, reserved: 0, available: 50 });
  });

  it("pages the caller's transactions newest first, filters by kind, and shows usage with its tokens", async () => {
    const user = await signUpUser(base());
    const { accountId } = (await (await fetch(`${base()}/api/credits`, { headers: user.headers() })).json()) as { accountId: string };
    for (let i = 0; i < 3; i++) await testLedger({ action: "spend", accountId, maxCost: 1500, actualCost: 1234 });

    const first = await fetch(`${base()}/api/credits/transactions?limit=2`, { headers: user.headers() });
    const page1 = (await first.json()) as { transactions: { kind: string; amount: number; inputTokens: number }[]; nextCursor: string };
    expect(page1.transactions).toHaveLength(2);
    expect(page1.transactions[0]).toMatchObject({ kind: "usage", amount: -1.234, inputTokens: 1000 });
    const second = await fetch(`${base()}/api/credits/transactions?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`, {
      headers: user.headers(),
    });
    const page2 = (await second.json()) as { transactions: { kind: string }[]; nextCursor: string | null };
    expect(page2.transactions.map((t) => t.kind)).toEqual(["usage", "monthly_grant"]);
    expect(page2.nextCursor).toBeNull();

    const grants = await fetch(`${base()}/api/credits/transactions?kind=monthly_grant`, { headers: user.headers() });
    expect(((await grants.json()) as { transactions: unknown[] }).transactions).toHaveLength(1);
    const credits = (await (await fetch(`${base()}/api/credits`, { headers: user.headers() })).json()) as { balance: number };
    expect(credits.balance).toBe(46.298);
  });

  it("answers 401 without a session, 404 for an account the caller does not belong to, and 400 for bad queries", async () => {
    expect((await fetch(`${base()}/api/credits`)).status).toBe(401);
    const owner = await signUpUser(base());
    const stranger = await signUpUser(base());
    const { accountId } = (await (await fetch(`${base()}/api/credits`, { headers: owner.headers() })).json()) as { accountId: string };
    const foreign = await fetch(`${base()}/api/credits`, { headers: stranger.headers({ "x-account": accountId }) });
    expect(foreign.status).toBe(404);
    const foreignTx = await fetch(`${base()}/api/credits/transactions`, { headers: stranger.headers({ "x-account": accountId }) });
    expect(foreignTx.status).toBe(404);
    const badKind = await fetch(`${base()}/api/credits/transactions?kind=free-money`, { headers: owner.headers() });
    expect(badKind.status).toBe(400);
    const badCursor = await fetch(`${base()}/api/credits/transactions?cursor=zzz`, { headers: owner.headers() });
    expect(badCursor.status).toBe(400);
  });
});
