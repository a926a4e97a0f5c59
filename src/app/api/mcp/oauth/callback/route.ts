import { z } from "zod";
import { getDb } from "@/db/client.ts";
import { requireUser } from "@/lib/auth/caller.ts";
import { requestOrigin } from "@/lib/auth/config.ts";
import { AppError } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";
import { finishOAuth, OAuthSignInFailed } from "@/lib/mcp/oauth.ts";

export const dynamic = "force-dynamic";

const Callback = z.object({ state: z.string().min(1).max(200), code: z.string().min(1).max(4000) });

/**
 * Where an MCP server's sign-in sends the browser back: the code is exchanged for the signed-in user's tokens, and the
 * browser goes back to the agent with `?connector=<name>&connected=1`, or `&connector_error=<message>` (to /agents
 * when the sign-in itself is unknown).
 */
export const GET = handle(async (request) => {
  const env = getEnv();
  const caller = await requireUser(request, env);
  const params = new URL(request.url).searchParams;
  const origin = requestOrigin(request, env);
  const denied = params.get("error");
  const input = parseWith(Callback, { state: params.get("state") ?? "", code: params.get("code") ?? (denied ? "-" : "") });
  const db = getDb(env.DB);
  try {
    if (denied)
      throw new AppError("oauth_denied", 400, `The MCP server's sign-in was refused: ${params.get("error_description") ?? denied}`);
    const connector = await finishOAuth(env, db, input, caller.user.id);
    return Response.redirect(`${origin}/agents/${connector.agentId}?connector=${encodeURIComponent(connector.name)}&connected=1`, 303);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error instanceof OAuthSignInFailed) {
      const back = new URLSearchParams({ connector: error.connector.name, connector_error: error.message });
      return Response.redirect(`${origin}/agents/${error.connector.agentId}?${back}`, 303);
    }
    return Response.redirect(`${origin}/agents?connector_error=${encodeURIComponent(error.message)}`, 303);
  }
});
