import { oauthProviderAuthServerMetadata, oauthProviderOpenIdConfigMetadata } from "@better-auth/oauth-provider";
import type { Env } from "../env.ts";
import { AUTH_BASE_PATH, requestOrigin } from "../lib/auth/config.ts";
import { MCP_PATH, mcpOAuthAvailable, mcpResource, oauthIssuer } from "../lib/auth/oauth-server.ts";
import { NotFound } from "../lib/errors.ts";
import { errorResponse } from "../lib/http/respond.ts";
import { authFor } from "../operations/auth.ts";

const PROTECTED_RESOURCE = "/.well-known/oauth-protected-resource";
const AUTHORIZATION_SERVER = "/.well-known/oauth-authorization-server";
const OPENID_CONFIGURATION = "/.well-known/openid-configuration";

/** The discovery documents an MCP client reads, at the root and at the paths RFC 8414 and 9728 derive from /mcp. */
const PROTECTED_RESOURCE_PATHS = new Set([PROTECTED_RESOURCE, `${PROTECTED_RESOURCE}${MCP_PATH}`]);
const AUTHORIZATION_SERVER_PATHS = new Set([AUTHORIZATION_SERVER, `${AUTHORIZATION_SERVER}${AUTH_BASE_PATH}`]);
const OPENID_CONFIGURATION_PATHS = new Set([OPENID_CONFIGURATION, `${OPENID_CONFIGURATION}${AUTH_BASE_PATH}`]);

/**
 * The OAuth discovery documents of the MCP endpoint, served by the Worker entry before anything else sees the path:
 * the protected resource metadata of /mcp (RFC 9728: which authorization server signs its users in) and the
 * authorization server's metadata (RFC 8414, OpenID discovery) from Better Auth's OAuth provider. They answer 404
 * where MCP clients may not sign in (plain HTTP other than loopback). Null for every other path.
 */
export async function handleOAuthMetadata(request: Request, env: Env): Promise<Response | null> {
  const { pathname } = new URL(request.url);
  const path = pathname.replace(/(.)\/$/, "$1");
  const kind = PROTECTED_RESOURCE_PATHS.has(path)
    ? "resource"
    : AUTHORIZATION_SERVER_PATHS.has(path)
      ? "server"
      : OPENID_CONFIGURATION_PATHS.has(path)
        ? "openid"
        : null;
  if (!kind) return null;
  try {
    const origin = requestOrigin(request, env);
    if (!mcpOAuthAvailable(origin)) throw new NotFound("OAuth sign-in for MCP clients needs HTTPS: use an API key");
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
    }
    if (kind === "resource") {
      return Response.json(
        {
          resource: mcpResource(origin),
          authorization_servers: [oauthIssuer(origin)],
          bearer_methods_supported: ["header"],
          resource_name: "netM8",
        },
        { headers: { "cache-control": "public, max-age=300", "access-control-allow-origin": "*" } },
      );
    }
    const auth = authFor(env, request);
    const serve = kind === "server" ? oauthProviderAuthServerMetadata(auth) : oauthProviderOpenIdConfigMetadata(auth);
    return await serve(request);
  } catch (error) {
    return errorResponse(error);
  }
}
