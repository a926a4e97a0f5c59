import { AUTH_BASE_PATH } from "../lib/auth/config.ts";
import { MCP_PATH } from "../lib/auth/oauth-server.ts";
import { withHeaders } from "./security-headers.ts";

/**
 * What an MCP client running in a web page (the MCP Inspector, a browser-based agent) calls on another origin: /mcp,
 * the OAuth discovery documents and the OAuth endpoints a client calls itself. None of them reads a cookie (/mcp
 * takes bearer credentials only; the OAuth endpoints a client's registration, code or token), so any origin may
 * read their answers: `Access-Control-Allow-Origin: *` never carries credentials.
 */
const CORS_PATHS = new Set([
  MCP_PATH,
  `${AUTH_BASE_PATH}/oauth2/register`,
  `${AUTH_BASE_PATH}/oauth2/token`,
  `${AUTH_BASE_PATH}/oauth2/revoke`,
]);
const WELL_KNOWN = "/.well-known/";

const ALLOWED_HEADERS = "authorization, content-type, accept, mcp-protocol-version, mcp-session-id, mcp-method, mcp-name, last-event-id";
const EXPOSED_HEADERS = "www-authenticate, mcp-session-id, mcp-protocol-version";

function corsPath(request: Request): boolean {
  const { pathname } = new URL(request.url);
  return CORS_PATHS.has(pathname.replace(/(.)\/$/, "$1")) || pathname.startsWith(WELL_KNOWN);
}

/** The answer to a CORS preflight for an MCP path, or null (any other request goes on). */
export function mcpCorsPreflight(request: Request): Response | null {
  if (request.method !== "OPTIONS" || !request.headers.has("access-control-request-method") || !corsPath(request)) return null;
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
      "access-control-allow-headers": ALLOWED_HEADERS,
      "access-control-max-age": "600",
    },
  });
}

/** The response with the CORS headers of an MCP path (unchanged for any other path). */
export function withMcpCors(request: Request, response: Response): Response {
  if (!corsPath(request)) return response;
  return withHeaders(response, (headers) => {
    headers.set("access-control-allow-origin", "*");
    headers.set("access-control-expose-headers", EXPOSED_HEADERS);
  });
}
