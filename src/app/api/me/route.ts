import { callerAccount, requireUser } from "@/lib/auth/caller.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

/** The caller and the billing account the request acts on (personal unless `X-Account` names another). */
export const GET = handle(async (request) => {
  const env = getEnv();
  const caller = await requireUser(request, env);
  const account = await callerAccount(request, env, caller);
  return Response.json(
    { user: caller.user, personalAccountId: caller.personalAccountId, account, via: caller.via },
    { headers: { "cache-control": "no-store" } },
  );
});
