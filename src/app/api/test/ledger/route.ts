import { z } from "zod";
import { getDb } from "@/db/client.ts";
import { groupCommitting } from "@/lib/billing/group-commit.ts";
import { auditBalance, getBalance, grant, release, reserve, settle } from "@/lib/billing/ledger.ts";
import { recordedStripeEvent } from "@/lib/billing/stripe-webhook.ts";
import { listTransactions } from "@/lib/billing/transactions.ts";
import { getEnv, waitUntil } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { assertTestEnvironment } from "@/lib/http/dev-only.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { measurePairs } from "./pairs.ts";

export const dynamic = "force-dynamic";

const Milli = z.number().int().nonnegative();
const Reservation = z.object({ id: z.string(), accountId: z.string(), amountMillicredits: Milli, expiresAt: z.number() });
const Action = z.discriminatedUnion("action", [
  z.object({ action: z.literal("balance"), accountId: z.string() }),
  z.object({ action: z.literal("reserve"), accountId: z.string(), maxCost: Milli }),
  z.object({ action: z.literal("settle"), reservation: Reservation, actualCost: Milli }),
  z.object({ action: z.literal("release"), reservation: Reservation }),
  z.object({
    action: z.literal("spend"),
    accountId: z.string(),
    maxCost: Milli,
    actualCost: Milli,
    agentId: z.string().optional(),
    modelId: z.string().optional(),
    inputTokens: Milli.optional(),
    outputTokens: Milli.optional(),
    // false sends each batch alone (the benchmark's same-run reference)
    grouped: z.boolean().default(true),
  }),
  z.object({
    action: z.literal("pairs"),
    accountIds: z.array(z.string()).min(1),
    pairs: z.number().int().min(1).max(20_000),
    concurrency: z.number().int().min(1).max(512),
    maxCost: Milli,
    actualCost: Milli,
    grouped: z.boolean().default(true),
  }),
  z.object({ action: z.literal("audit"), accountId: z.string() }),
  z.object({ action: z.literal("stripeEvent"), id: z.string() }),
  z.object({ action: z.literal("transactions"), accountId: z.string(), limit: z.number().int().optional() }),
  z.object({ action: z.literal("grant"), accountId: z.string(), amount: z.number().int(), idempotencyKey: z.string().optional() }),
]);

/** Test hook: drives the real ledger in the real runtime, as agent steps and purchases will. */
export const POST = handle(async (request) => {
  const env = getEnv();
  assertTestEnvironment(env);
  const body = await readJson(request, Action);
  const now = requestTime(request, env);
  const context = { waitUntil };
  // Concurrent requests' ledger batches share D1 transactions, as on the product's hot routes.
  const db = groupCommitting(env.DB, context);
  switch (body.action) {
    case "balance":
      return Response.json(await getBalance(db, body.accountId, now));
    case "reserve":
      return Response.json(await reserve(db, body.accountId, body.maxCost, { modelId: "gpt-oss:20b" }, now));
    case "settle":
      return Response.json(await settle(db, body.reservation, body.actualCost, { modelId: "gpt-oss:20b" }, now));
    case "release":
      await release(db, body.reservation, now);
      return Response.json({ released: true });
    case "spend": {
      const ref = { agentId: body.agentId, modelId: body.modelId ?? "gpt-oss:20b" };
      const d1 = body.grouped ? db : env.DB;
      const reservation = await reserve(d1, body.accountId, body.maxCost, ref, now);
      const tokens = { inputTokens: body.inputTokens ?? 1000, outputTokens: body.outputTokens ?? 100 };
      return Response.json(await settle(d1, reservation, body.actualCost, { ...ref, ...tokens }, now));
    }
    case "pairs":
      return Response.json(await measurePairs(env.DB, context, { ...body, now }));
    case "audit":
      return Response.json(await auditBalance(db, body.accountId));
    case "stripeEvent":
      return Response.json(await recordedStripeEvent(getDb(env.DB), body.id));
    case "transactions":
      return Response.json(await listTransactions(getDb(env.DB), body.accountId, { limit: body.limit ?? 200 }));
    case "grant":
      return Response.json(
        await grant(
          db,
          body.accountId,
          {
            kind: body.amount > 0 ? "purchase" : "adjustment",
            amountMillicredits: body.amount,
            reason: "test grant",
            idempotencyKey: body.idempotencyKey,
          },
          now,
        ),
      );
  }
});
