import type { RateLimiter } from "./lib/ratelimit/rate-limiter.ts";

/** The Worker's bindings and variables, as declared in wrangler.jsonc and passed by `npm start` (--var). */
export interface Env {
  DB: D1Database;
  CACHE: KVNamespace;
  /** The agents' Durable Objects (AgentHub, ChatThread); typed where they are reached, in src/agent/client.ts. */
  Agent: DurableObjectNamespace;
  Thread: DurableObjectNamespace;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  ASSETS: Fetcher;
  AI?: Ai;
  ENVIRONMENT: "development" | "test" | "production";
  APP_URL?: string;
  /**
   * Production: the domain previews live on, `<port>-<sandbox>-<token>.<PREVIEW_DOMAIN>` (e.g. `netm8preview.dev`), a
   * registrable domain of its own so a preview can never set cookies for the app. Unset: subdomains of the app host
   * (`*.localhost` locally).
   */
  PREVIEW_DOMAIN?: string;
  LLM_PROVIDER?: string;
  LLM_BASE_URL?: string;
  LLM_API_KEY?: string;
  LLM_MODEL?: string;
  /** The context window the model endpoint enforces, in tokens, when smaller than the catalog's (e.g. a small num_ctx). */
  LLM_CONTEXT_TOKENS?: string;
  /** How long a model response may go without sending a byte before it is cancelled, in ms (default 120000). */
  LLM_STREAM_IDLE_TIMEOUT_MS?: string;
  /** How long an MCP connector may take to connect, list its tools or answer one call, in ms (default 10000 / 60000). */
  MCP_TIMEOUT_MS?: string;
  /** Encrypts agent secrets at rest (AES-GCM); required in production, a fixed development key otherwise. */
  SECRETS_KEY?: string;
  SANDBOX_BACKEND?: string;
  SANDBOXD_URL?: string;
  SANDBOXD_SECRET?: string;
  /** Production (SANDBOX_BACKEND=cloudflare): the sandbox containers' Durable Object (src/sandbox/cloudflare-do.ts). */
  Sandbox?: DurableObjectNamespace;
  /** Production: R2 bucket for workspace backups, and what @cloudflare/sandbox needs to reach it (see README). */
  BACKUP_BUCKET?: R2Bucket;
  BACKUP_BUCKET_NAME?: string;
  CLOUDFLARE_ACCOUNT_ID?: string;
  R2_ACCESS_KEY_ID?: string;
  R2_SECRET_ACCESS_KEY?: string;
  /** Development: "on" lets the local mailbox be read (npm start sets it while it listens on loopback only). */
  DEV_MAILBOX?: string;
  RESEND_API_KEY?: string;
  RESEND_BASE_URL?: string;
  EMAIL_FROM?: string;
  /** The domain agents receive email on (Cloudflare Email Routing); defaults to APP_URL's host. */
  EMAIL_INBOUND_DOMAIN?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_API_BASE?: string;
  GOOGLE_CLIENT_ID?: string;
  GOOGLE_CLIENT_SECRET?: string;
  GOOGLE_ISSUER?: string;
  BETTER_AUTH_SECRET?: string;
  ADMIN_EMAILS?: string;
  /** Tests only: shorter rate limit windows, `12` for every rule or `signInByIp=12,...` (src/lib/ratelimit/limits.ts). */
  RATE_LIMIT_WINDOW_SECONDS?: string;
  TURNSTILE_SITE_KEY?: string;
  TURNSTILE_SECRET_KEY?: string;
  /** Tests only (ignored in production): where Turnstile tokens are verified instead of Cloudflare's siteverify. */
  TURNSTILE_VERIFY_URL?: string;
  /**
   * "1" sends `/api/*` through Next.js (OpenNext), which still builds the same route modules, instead of the Worker's
   * own API router: the benchmark's same-run reference, and a way back should the router misbehave.
   */
  API_VIA_NEXT?: string;
}

export function isProduction(env: Pick<Env, "ENVIRONMENT">): boolean {
  return env.ENVIRONMENT === "production";
}
