import type { AgentHub } from "./agent/agent-hub.ts";
import type { ChatThread } from "./agent/chat-thread.ts";
import type { RateLimiter } from "./lib/ratelimit/rate-limiter.ts";

/** The Worker's bindings and variables, as declared in wrangler.jsonc and passed by `npm start` (--var). */
export interface Env {
  DB: D1Database;
  CACHE: KVNamespace;
  Agent: DurableObjectNamespace<AgentHub>;
  Thread: DurableObjectNamespace<ChatThread>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  ASSETS: Fetcher;
  AI?: Ai;
  ENVIRONMENT: "development" | "test" | "production";
  APP_URL?: string;
  LLM_PROVIDER?: string;
  LLM_BASE_URL?: string;
  LLM_API_KEY?: string;
  LLM_MODEL?: string;
  SANDBOX_BACKEND?: string;
  SANDBOXD_URL?: string;
  SANDBOXD_SECRET?: string;
  RESEND_API_KEY?: string;
  RESEND_BASE_URL?: string;
  EMAIL_FROM?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_API_BASE?: string;
  GOOGLE_CLIENT_ID?: string;
  GOOGLE_CLIENT_SECRET?: string;
  GOOGLE_ISSUER?: string;
  BETTER_AUTH_SECRET?: string;
  ADMIN_EMAILS?: string;
  /** Tests only: replaces every rate limit window (seconds) so a test can watch a limit recover. */
  RATE_LIMIT_WINDOW_SECONDS?: string;
  TURNSTILE_SITE_KEY?: string;
  TURNSTILE_SECRET_KEY?: string;
  /** Tests only (ignored in production): where Turnstile tokens are verified instead of Cloudflare's siteverify. */
  TURNSTILE_VERIFY_URL?: string;
}

export function isProduction(env: Pick<Env, "ENVIRONMENT">): boolean {
  return env.ENVIRONMENT === "production";
}
