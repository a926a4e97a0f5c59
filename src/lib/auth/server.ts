import { passkey } from "@better-auth/passkey";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { betterAuth } from "better-auth/minimal";
import { admin } from "better-auth/plugins/admin";
import { captcha } from "better-auth/plugins";
import { genericOAuth } from "better-auth/plugins/generic-oauth";
import { getDb } from "../../db/client.ts";
import * as schema from "../../db/schema.ts";
import { isProduction, type Env } from "../../env.ts";
import { AppError } from "../errors.ts";
import {
  adminEmails,
  AUTH_BASE_PATH,
  authCookieNames,
  emailLink,
  authSecret,
  COOKIE_PREFIX,
  googleEnabled,
  googleIssuer,
  requestOrigin,
  RESET_PASSWORD_EXPIRES_SECONDS,
  SESSION_EXPIRES_SECONDS,
  SESSION_REFRESH_AFTER_SECONDS,
  turnstileSiteKey,
  VERIFY_EMAIL_EXPIRES_SECONDS,
} from "./config.ts";
import { runInBackground } from "./background.ts";
import { revokeAllApiKeys } from "./api-keys.ts";
import { revokeAllOAuthGrants } from "./oauth-tokens.ts";
import { sendApiKeysRevokedEmail, sendPasswordResetEmail, sendVerificationEmail } from "./emails.ts";
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyPassword } from "./password.ts";
import { mcpOAuthAvailable, mcpOAuthPlugin } from "./oauth-server.ts";
import { withPersonalAccounts } from "./personal-account.ts";

/** What the layers above auth do when Better Auth changes a user (src/operations/auth.ts provides them). */
export interface AuthHooks {
  /** Runs before a user row is deleted; a throw keeps the user. */
  beforeUserDeleted(userId: string): Promise<void>;
}

function createAuth(env: Env, origin: string, hooks: AuthHooks) {
  const db = getDb(env.DB);
  const trustedOrigins = [origin];
  if (env.APP_URL) trustedOrigins.push(new URL(env.APP_URL).origin);
  return betterAuth({
    appName: "netM8",
    baseURL: origin,
    basePath: AUTH_BASE_PATH,
    secret: authSecret(env),
    trustedOrigins,
    telemetry: { enabled: false },
    database: drizzleAdapter(withPersonalAccounts(db), {
      provider: "sqlite",
      schema: {
        user: schema.user,
        session: schema.session,
        auth_account: schema.authAccount,
        verification: schema.verification,
        passkey: schema.passkey,
        oauthClient: schema.oauthClient,
        oauthResource: schema.oauthResource,
        oauthClientResource: schema.oauthClientResource,
        oauthRefreshToken: schema.oauthRefreshToken,
        oauthAccessToken: schema.oauthAccessToken,
        oauthConsent: schema.oauthConsent,
        oauthClientAssertion: schema.oauthClientAssertion,
      },
    }),
    account: {
      modelName: "auth_account",
      // Google links to an existing user only when both sides have verified the same email.
      accountLinking: { enabled: true, requireLocalEmailVerified: true },
    },
    // Our RateLimiter Durable Object does the counting (src/lib/ratelimit); Better Auth's in-memory one is off.
    rateLimit: { enabled: false },
    session: {
      expiresIn: SESSION_EXPIRES_SECONDS,
      updateAge: SESSION_REFRESH_AFTER_SECONDS,
      // Every request reads the session row, so revoking it signs that browser out on its next request.
      cookieCache: { enabled: false },
      additionalFields: { lastSeenAt: { type: "date", required: false, input: false } },
    },
    advanced: {
      cookiePrefix: COOKIE_PREFIX,
      // Production names its cookies itself (`__Host-` session); Secure comes from the attributes.
      useSecureCookies: false,
      cookies: authCookieNames(env),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", secure: isProduction(env) },
      ipAddress: { ipAddressHeaders: ["cf-connecting-ip", "x-real-ip"] },
      backgroundTasks: { handler: runInBackground },
    },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      password: { hash: hashPassword, verify: verifyPassword },
      resetPasswordTokenExpiresIn: RESET_PASSWORD_EXPIRES_SECONDS,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, url }) => sendPasswordResetEmail(env, user, emailLink(url, env)),
      // A reset means the password may have been known to someone else: their keys and the OAuth grants of MCP
      // clients go too, and the owner is told of the keys.
      onPasswordReset: async ({ user }) => {
        await revokeAllOAuthGrants(env.DB, user.id);
        const revoked = await revokeAllApiKeys(db, user.id);
        if (revoked > 0) await sendApiKeysRevokedEmail(env, user, revoked, emailLink(`${origin}/settings/api-keys`, env));
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      autoSignInAfterVerification: true,
      expiresIn: VERIFY_EMAIL_EXPIRES_SECONDS,
      sendVerificationEmail: async ({ user, url }) => sendVerificationEmail(env, user, emailLink(url, env)),
    },
    user: {
      deleteUser: {
        enabled: true,
        // Agents go; the personal account stays for the ledger, anonymised (src/operations/agent-deletion.ts).
        beforeDelete: async (user) => {
          try {
            await hooks.beforeUserDeleted(user.id);
          } catch (error) {
            // A refusal (the last owner of a team) reaches the client with its status, code and message, not a 500.
            if (error instanceof AppError) {
              throw new APIError(error.status as 409, { code: error.code, message: error.message, ...error.details });
            }
            throw error;
          }
        },
      },
    },
    databaseHooks: {
      user: {
        create: {
          before: async (user) => ({
            data: { ...user, role: adminEmails(env).has(user.email.toLowerCase()) ? "admin" : "user" },
          }),
        },
      },
    },
    hooks: {
      // A password change always signs out every other session, whatever the client asked for.
      before: createAuthMiddleware(async (ctx) => {
        // Admin actions go through /api/admin/* (role-checked and audited); over HTTP only leaving an impersonation
        // is open here. Server-side calls (no request) are how /api/admin/users/:id/impersonate starts one.
        if (ctx.request && ctx.path.startsWith("/admin/") && ctx.path !== "/admin/stop-impersonating") {
          throw new APIError("NOT_FOUND", { message: "Not found" });
        }
        if (ctx.path === "/change-password" && ctx.body && typeof ctx.body === "object") {
          return { context: { body: { ...ctx.body, revokeOtherSessions: true } } };
        }
      }),
    },
    plugins: [
      admin({ defaultRole: "user", adminRoles: ["admin"] }),
      ...(turnstileSiteKey(env)
        ? [
            captcha({
              provider: "cloudflare-turnstile",
              secretKey: env.TURNSTILE_SECRET_KEY!,
              endpoints: ["/sign-up/email", "/sign-in/email", "/request-password-reset"],
              ...(env.TURNSTILE_VERIFY_URL && !isProduction(env) ? { siteVerifyURLOverride: env.TURNSTILE_VERIFY_URL } : {}),
            }),
          ]
        : []),
      passkey({ rpID: new URL(origin).hostname, rpName: "netM8", origin }),
      // MCP clients sign users in here (src/lib/auth/oauth-server.ts); API keys work on /mcp everywhere.
      ...(mcpOAuthAvailable(origin) ? [mcpOAuthPlugin(origin)] : []),
      ...(googleEnabled(env)
        ? [
            genericOAuth({
              config: [
                {
                  providerId: "google",
                  name: "Google",
                  clientId: env.GOOGLE_CLIENT_ID!,
                  clientSecret: env.GOOGLE_CLIENT_SECRET!,
                  discoveryUrl: `${googleIssuer(env)}/.well-known/openid-configuration`,
                  scopes: ["openid", "email", "profile"],
                  pkce: true,
                  requireIdTokenVerification: true,
                  mapProfileToUser: (profile) => ({
                    email: typeof profile.email === "string" ? profile.email.toLowerCase() : undefined,
                    emailVerified: profile.email_verified === true || profile.email_verified === "true",
                    name: typeof profile.name === "string" && profile.name ? profile.name : String(profile.email ?? ""),
                    image: typeof profile.picture === "string" ? profile.picture : undefined,
                  }),
                },
              ],
            }),
          ]
        : []),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

const instances = new WeakMap<Env, Map<string, Auth>>();

/**
 * The Better Auth instance for this Worker's env and the request's origin. The origin decides the passkey relying
 * party (id and origin follow the host and port the browser used) and the OAuth callback URL. Instances are kept
 * per isolate so OIDC discovery runs once, not on every request.
 */
export function getAuth(env: Env, request: Request, hooks: AuthHooks): Auth {
  const origin = requestOrigin(request, env);
  let byOrigin = instances.get(env);
  if (!byOrigin) instances.set(env, (byOrigin = new Map()));
  let auth = byOrigin.get(origin);
  if (!auth) {
    // Hosts come from requests; a bounded cache keeps odd Host headers from growing memory.
    if (byOrigin.size >= 16) byOrigin.clear();
    auth = createAuth(env, origin, hooks);
    byOrigin.set(origin, auth);
  }
  return auth;
}
