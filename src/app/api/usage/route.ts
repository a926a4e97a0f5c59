import { z } from "zod";
import { callerAccount, requireUser } from "@/lib/auth/caller.ts";
import { MAX_USAGE_RANGE_DAYS, usageReport } from "@/lib/billing/usage.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "not a date");
const Query = z
  .object({ from: Day, to: Day, groupBy: z.enum(["day", "agent", "model"]).default("day") })
  .refine((q) => q.from <= q.to, { message: "from must not be after to", path: ["from"] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_USAGE_RANGE_DAYS, {
    message: `at most ${MAX_USAGE_RANGE_DAYS} days`,
    path: ["to"],
  });

/** The acting account's usage between two UTC days (both included), grouped by day, agent or model, with totals. */
export const GET = handle(async (request) => {
  const env = getEnv();
  const caller = await requireUser(request, env);
  const acting = await callerAccount(request, env, caller, "billing.view");
  const params = new URL(request.url).searchParams;
  const query = parseWith(Query, {
    from: params.get("from") ?? undefined,
    to: params.get("to") ?? undefined,
    groupBy: params.get("groupBy") ?? undefined,
  });
  return Response.json(await usageReport(env.DB, acting.id, query), { headers: { "cache-control": "no-store" } });
});
