import { mcp } from "@better-auth/mcp";
import { AUTH_BASE_PATH } from "./config.ts";
import { sha256Hex } from "./api-keys.ts";

/** Where netM8 answers as an MCP server (src/app/mcp/route.ts): the protected resource OAuth tokens are bound to. */
export const MCP_PATH = "/mcp";
/** What OAuth access tokens start with; API keys start with `nm8_`, so the two never look alike. */
export const OAUTH_TOKEN_PREFIX = "nm8oauth_";
/** The page a signed-out user of an OAuth client lands on: it signs them in and goes on with the authorization. */
export const OAUTH_LOGIN_PAGE = "/oauth/authorize";
/** The page that asks the signed-in user to allow or deny a client (src/app/(app)/oauth/consent). */
export const OAUTH_CONSENT_PAGE = "/oauth/consent";
/** The scopes a client may ask for; an MCP client gets its user's agents whatever it asks among them. */
export const OAUTH_SCOPES = ["openid", "profile", "email", "offline_access"];

/** The MCP endpoint of an origin, as the `resource` (RFC 8707) tokens for it name. */
export function mcpResource(origin: string): string {
  return `${origin}${MCP_PATH}`;
}

/** The OAuth issuer of an origin: Better Auth's base URL there. */
export function oauthIssuer(origin: string): string {
  return `${origin}${AUTH_BASE_PATH}`;
}

/** MCP clients may reach a resource over HTTPS, or plain HTTP on loopback only (local development). */
export function mcpOAuthAvailable(origin: string): boolean {
  const { protocol, hostname } = new URL(origin);
  return protocol === "https:" || (protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(hostname));
}

/** The hash an OAuth token (its part after the prefix) or authorization code is stored and looked up by. */
export function oauthTokenHash(token: string): Promise<string> {
  return sha256Hex(token);
}

/**
 * The OAuth 2.1 authorization server MCP clients sign users in with (Better Auth's MCP plugin): dynamic client
 * registration, authorization code with PKCE, refresh tokens, and tokens bound to this origin's /mcp. Access tokens
 * are opaque and stored hashed, so the Worker checks them in D1 like API keys, without fetching its own keys.
 */
export function mcpOAuthPlugin(origin: string) {
  return mcp({
    resource: mcpResource(origin),
    loginPage: OAUTH_LOGIN_PAGE,
    consentPage: OAUTH_CONSENT_PAGE,
    scopes: OAUTH_SCOPES,
    disableJwtPlugin: true,
    allowDynamicClientRegistration: true,
    allowUnauthenticatedClientRegistration: true,
    storeTokens: { hash: (token) => oauthTokenHash(token) },
    prefix: { opaqueAccessToken: OAUTH_TOKEN_PREFIX },
  });
}
