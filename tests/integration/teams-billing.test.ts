import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeStripe, type FakeStripe } from "../../fakes/stripe.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

describe("a team buys its own credits", () => {
  let stripe: FakeStripe;
  let worker: TestWorker;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    worker = await startTestWorker({
      vars: { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_WEBHOOK_SECRET: stripe.webhookSecret, STRIPE_API_BASE: stripe.url },
    });
    stripe.webhookUrl = `${worker.url}/api/stripe/webhook`;
  }, 120_000);

  afterAll(async () => {
    await worker?.dispose();
    await stripe?.close();
  });

  const call = async <T>(user: TestUser, path: string, init: { method?: string; body?: unknown; account?: string } = {}) => {
    const response = await worker.fetch(path, {
      method: init.method ?? "GET",
      headers: user.headers({ "content-type": "application/json", ...(init.account && { "x-account": init.account }) }),
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  it("credits the team, not the buyer, with no free allowance, refuses members without billing.purchase, and audits the purchase", async () => {
    const [owner, member] = await Promise.all([signUpVerifiedUser(worker.url), signUpVerifiedUser(worker.url)]);
    const team = (
      await call<{ id: string }>(owner, "/api/teams", {
        method: "POST",
        body: { name: "Payers", slug: `payers-${randomUUID().slice(0, 8)}` },
      })
    ).body;
    await call(owner, `/api/teams/${team.id}/invitations`, { method: "POST", body: { email: member.email } });
    const mail = (await (await worker.fetch(`/api/dev/mailbox?to=${encodeURIComponent(member.email)}`)).json()) as {
      messages: { links: string[] }[];
    };
    const token = decodeURIComponent(
      mail.messages.flatMap((m) => m.links).find((l) => decodeURIComponent(l).includes("/team/invite/"))!,
    ).split("/team/invite/")[1]!;
    expect((await call(member, `/api/teams/invitations/${token}/accept`, { method: "POST" })).status).toBe(200);

    const before = (await call<{ balance: number; free: number }>(owner, "/api/credits", { account: team.id })).body;
    expect(before).toMatchObject({ balance: 0, free: 0 });
    const personalBefore = (await call<{ balance: number }>(owner, "/api/credits")).body.balance;

    expect((await call(member, "/api/credits/checkout", { method: "POST", account: team.id, body: { package: "standard" } })).status).toBe(
      403,
    );
    const session = await call<{ id: string }>(owner, "/api/credits/checkout", {
      method: "POST",
      account: team.id,
      body: { package: "standard" },
    });
    expect(session.status).toBe(200);
    expect(await stripe.deliver(stripe.pay(session.body.id))).toMatchObject({ status: 200, body: { outcome: "granted" } });

    expect((await call<{ purchased: number }>(member, "/api/credits", { account: team.id })).body.purchased).toBe(1200);
    expect((await call<{ balance: number }>(owner, "/api/credits")).body.balance).toBe(personalBefore);
    const { events } = (await call<{ events: { action: string }[] }>(owner, `/api/teams/${team.id}/audit`)).body;
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["purchase.started", "purchase.completed"]));
  });
});
