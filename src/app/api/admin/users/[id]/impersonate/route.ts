import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { recordAdminAction } from "@/lib/admin/audit.ts";
import { getUserRow } from "@/lib/admin/users.ts";
import { authFor } from "@/operations/auth.ts";
import { Invalid } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/**
 * Signs the admin's browser in as the user (Better Auth's admin impersonation: a one-hour session marked
 * `impersonated_by`, the admin's own session kept aside) and records it in the audit log.
 */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  if (admin.via !== "session") throw new Invalid("Impersonation needs a signed-in browser, not an API key");
  const db = getDb(env.DB);
  const target = await getUserRow(db, (await params).id);
  if (target.id === admin.user.id) throw new Invalid("You cannot impersonate yourself");
  if (target.role === "admin") throw new Invalid("Admins cannot be impersonated");
  const answer = await authFor(env, request).api.impersonateUser({
    body: { userId: target.id },
    headers: request.headers,
    asResponse: true,
  });
  if (!answer.ok) throw new Invalid("Could not start impersonating this user");
  await recordAdminAction(db, admin, {
    action: "user.impersonate",
    targetType: "user",
    targetId: target.id,
    detail: { email: target.email },
  });
  // Pass on the cookies only: the body would carry the new session's token.
  const response = Response.json({ impersonating: { id: target.id, email: target.email } });
  for (const cookie of answer.headers.getSetCookie()) response.headers.append("set-cookie", cookie);
  return response;
});
