import { findMcpCaller } from "@/lib/auth/caller.ts";
import { Unauthorized } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";
import { serveMcpRequest } from "@/operations/mcp-server.ts";

export const dynamic = "force-dynamic";

/** The MCP endpoint (Streamable HTTP, stateless): the caller's agents as tools, by API key or OAuth access token. */
export const POST = handle(async (request) => {
  const env = getEnv();
  const caller = await findMcpCaller(request, env);
  if (!caller) throw new Unauthorized("Send an API key (Authorization: Bearer nm8_...) or sign in with OAuth");
  return serveMcpRequest(request, env, caller);
});
