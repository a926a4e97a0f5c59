/**
 * Environment variables that `npm start` passes from its own environment to the Worker (wrangler --var).
 * Each is documented in .dev.vars.example and the README.
 */
export const WORKER_VAR_NAMES = [
  "APP_URL",
  "PREVIEW_DOMAIN",
  "LLM_PROVIDER",
  "LLM_BASE_URL",
  "LLM_API_KEY",
  "LLM_MODEL",
  "SANDBOX_BACKEND",
  "SECRETS_KEY",
  "LLM_CONTEXT_TOKENS",
  "LLM_STREAM_IDLE_TIMEOUT_MS",
  "RESEND_API_KEY",
  "RESEND_BASE_URL",
  "EMAIL_FROM",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "STRIPE_API_BASE",
  "GOOGLE_CLIENT_ID",
  "GOOGLE_CLIENT_SECRET",
  "GOOGLE_ISSUER",
  "BETTER_AUTH_SECRET",
  "ADMIN_EMAILS",
  "TURNSTILE_SITE_KEY",
  "TURNSTILE_SECRET_KEY",
] as const;

export function workerVarsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const name of WORKER_VAR_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== "") vars[name] = value;
  }
  return vars;
}
