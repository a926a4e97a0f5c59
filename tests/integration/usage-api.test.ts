import { describe, expect, inject, it } from "vitest";
import { apiOk, apiRequest } from "../support/http.ts";
import { dayOf, daysFrom, SIMULATED_TODAYS } from "../support/simulated-today.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";

const base = () => inject("workerUrl");

async function spend(
  accountId: string,
  at: string,
  body: { cost: number; agentId?: string; modelId?: string; inputTokens: number; outputTokens: number },
) {
  const answer = await apiRequest(base(), undefined, "/api/test/ledger", {
    method: "POST",
    now: at,
    body: { action: "spend", accountId, maxCost: body.cost, actualCost: body.cost, ...body },
  });
  if (answer.status !== 200) throw new Error(`spend failed: ${answer.status} ${answer.text}`);
}

type UsageReport = Record<string, unknown> & { rows: Record<string, unknown>[]; totals: Record<string, number> };

function usage(user: TestUser, query: string, at: string) {
  return apiRequest<UsageReport>(base(), user, `/api/usage?${query}`, { now: at });
}

async function accountOf(user: TestUser, at: string): Promise<string> {
  return (await apiOk<{ accountId: string }>(base(), user, "/api/credits", { now: at })).accountId;
}

describe.each(SIMULATED_TODAYS)("the usage API, on %s", (now) => {
  it("sums credits and tokens per day (every day of the range), per agent with its name, and per model, with totals", async () => {
    const user = await signUpVerifiedUser(base());
    const day = (offset: number) => daysFrom(now, -offset);
    const today = dayOf(now);
    // Oldest first: the monthly allowance follows the clock forwards.
    const accountId = await accountOf(user, day(40));
    const created = await fetch(`${base()}/api/agent`, {
      method: "POST",
      headers: user.headers({ "content-type": "application/json" }),
      body: JSON.stringify({ name: "Report writer" }),
    });
    expect(created.status).toBe(201);
    const { id: agentId } = (await created.json()) as { id: string };
    await spend(accountId, day(40), { cost: 9000, agentId, inputTokens: 1, outputTokens: 1 });
    await spend(accountId, day(2), { cost: 1500, agentId, inputTokens: 1000, outputTokens: 200 });
    await spend(accountId, day(2), { cost: 500, agentId, inputTokens: 300, outputTokens: 50 });
    await spend(accountId, day(0), { cost: 2000, agentId: "agent-gone", modelId: "another-model", inputTokens: 4000, outputTokens: 10 });

    const from = day(6).slice(0, 10);
    const byDay = await usage(user, `from=${from}&to=${today}&groupBy=day`, now);
    expect(byDay.status).toBe(200);
    expect(byDay.body.rows).toHaveLength(7);
    expect(byDay.body.rows.map((r) => r.credits)).toEqual([0, 0, 0, 0, 2, 0, 2]);
    expect(byDay.body.rows[4]).toMatchObject({ key: day(2).slice(0, 10), inputTokens: 1300, outputTokens: 250, modelSteps: 2 });
    expect(byDay.body.totals).toEqual({ credits: 4, inputTokens: 5300, outputTokens: 260, modelSteps: 3 });

    const byAgent = await usage(user, `from=${from}&to=${today}&groupBy=agent`, now);
    expect(byAgent.body.rows).toHaveLength(2);
    expect(byAgent.body.rows).toEqual(
      expect.arrayContaining([
        { key: agentId, label: "Report writer", credits: 2, inputTokens: 1300, outputTokens: 250, modelSteps: 2 },
        { key: "agent-gone", label: "agent-gone", credits: 2, inputTokens: 4000, outputTokens: 10, modelSteps: 1 },
      ]),
    );
    const byModel = await usage(user, `from=${from}&to=${today}&groupBy=model`, now);
    expect(byModel.body.rows.map((r) => [r.key, r.label, r.credits])).toEqual(
      expect.arrayContaining([
        ["gpt-oss:20b", "gpt-oss 20B", 2],
        ["another-model", "another-model", 2],
      ]),
    );

    const ninety = await usage(user, `from=${dayOf(day(89))}&to=${today}`, now);
    expect(ninety.body.rows).toHaveLength(90);
    expect(ninety.body.totals.credits).toBe(13);
  });

  it("shows only the caller's own account and refuses bad ranges", async () => {
    const owner = await signUpUser(base());
    const stranger = await signUpUser(base());
    const accountId = await accountOf(owner, now);
    await spend(accountId, now, { cost: 1000, inputTokens: 10, outputTokens: 10 });
    const today = dayOf(now);
    expect((await usage(owner, `from=${today}&to=${today}`, now)).body.totals.credits).toBe(1);
    expect((await usage(stranger, `from=${today}&to=${today}`, now)).body.totals.credits).toBe(0);
    expect((await usage(stranger, `from=${today}&to=${today}&groupBy=day`, now)).status).toBe(200);
    const foreign = await fetch(`${base()}/api/usage?from=${today}&to=${today}`, {
      headers: stranger.headers({ "x-account": accountId, "x-test-now": now }),
    });
    expect(foreign.status).toBe(404);
    expect((await usage(owner, `from=${today}&to=2020-01-01`, now)).status).toBe(400);
    expect((await usage(owner, `from=2020-01-01&to=${today}`, now)).status).toBe(400);
    expect((await usage(owner, `from=yesterday&to=${today}`, now)).status).toBe(400);
    expect((await usage(owner, `from=${today}&to=${today}&groupBy=thread`, now)).status).toBe(400);
    expect((await fetch(`${base()}/api/usage?from=${today}&to=${today}`, { headers: { "x-test-now": now } })).status).toBe(401);
  });
});
