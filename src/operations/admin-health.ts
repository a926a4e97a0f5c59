import { modelEndpoint, modelSetupHint } from "../agent/model.ts";
import type { Env } from "../env.ts";
import { googleEnabled } from "../lib/auth/config.ts";
import { stripeConfigured } from "../lib/billing/stripe-client.ts";
import { checkHealth } from "./health.ts";

const MODEL_PROBE_TIMEOUT_MS = 5000;

/** One thing an operator may need to act on, with what to do about it when it is not right. */
export interface AdminCheck {
  id: "d1" | "kv" | "agent" | "model" | "stripe" | "email" | "google" | "auth-secret" | "secrets-key";
  label: string;
  ok: boolean;
  /** Whether the platform works without it (Google sign-in, say). */
  optional: boolean;
  /** What is the case, in a few words. */
  status: string;
  /** What to do, for an operator; only when not ok. */
  hint?: string;
}

export interface AdminHealth {
  environment: string;
  version: string;
  checks: AdminCheck[];
}

/** Whether the configured model endpoint lists its models (an OpenAI-compatible `GET /models`), timed out after 5 s. */
async function probeModel(env: Env): Promise<{ ok: boolean; detail: string }> {
  const endpoint = modelEndpoint(env);
  if (endpoint.provider === "workers-ai")
    return env.AI ? { ok: true, detail: endpoint.description } : { ok: false, detail: "no AI binding" };
  try {
    const response = await fetch(`${endpoint.description.replace(/\/$/, "")}/models`, {
      headers: env.LLM_API_KEY ? { authorization: `Bearer ${env.LLM_API_KEY}` } : {},
      signal: AbortSignal.timeout(MODEL_PROBE_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok
      ? { ok: true, detail: endpoint.description }
      : { ok: false, detail: `${endpoint.description} answered ${response.status}` };
  } catch (error) {
    return { ok: false, detail: `${endpoint.description}: ${(error as Error).message}` };
  }
}

/**
 * For the admin health page: the dependencies of /api/health plus what is configured (model endpoint, Stripe, email,
 * Google, secrets), each with what to set when it is not. Only admins see it: it names the server's configuration.
 */
export async function adminHealth(env: Env, version: string): Promise<AdminHealth> {
  const [health, model] = await Promise.all([checkHealth(env, version), probeModel(env)]);
  const production = env.ENVIRONMENT === "production";
  const dependency = (id: "d1" | "kv" | "agent", label: string): AdminCheck => {
    const check = health.checks[id];
    return { id, label, ok: check.ok, optional: false, status: check.ok ? `Answering (${check.ms} ms)` : `Failing: ${check.error}` };
  };
  const stripe = stripeConfigured(env);
  const checks: AdminCheck[] = [
    dependency("d1", "Database (D1)"),
    dependency("kv", "Cache (KV)"),
    dependency("agent", "Agent Durable Objects"),
    {
      id: "model",
      label: "Model endpoint",
      ok: model.ok,
      optional: false,
      status: model.ok ? `Answering: ${model.detail}` : `Not answering: ${model.detail}`,
      ...(model.ok ? {} : { hint: modelSetupHint(env) }),
    },
    {
      id: "stripe",
      label: "Credit purchases (Stripe)",
      ok: stripe,
      optional: false,
      status: stripe ? "Configured" : "Not configured: users cannot buy credits; adjust credits under Accounts",
      ...(stripe
        ? {}
        : {
            hint: "Set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, and point a Stripe webhook (checkout.session.completed, checkout.session.async_payment_succeeded, charge.refunded) at /api/stripe/webhook.",
          }),
    },
    {
      id: "email",
      label: "Email (Resend)",
      ok: Boolean(env.RESEND_API_KEY),
      optional: !production,
      status: env.RESEND_API_KEY ? "Configured" : "Not configured: emails go to the local mailbox (/dev/mailbox)",
      ...(env.RESEND_API_KEY ? {} : { hint: "Set RESEND_API_KEY and EMAIL_FROM." }),
    },
    {
      id: "google",
      label: "Google sign-in",
      ok: googleEnabled(env),
      optional: true,
      status: googleEnabled(env) ? "Configured" : "Not configured (optional)",
      ...(googleEnabled(env) ? {} : { hint: "Set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET." }),
    },
  ];
  if (production) {
    checks.push(
      {
        id: "auth-secret",
        label: "Session signing secret",
        ok: Boolean(env.BETTER_AUTH_SECRET),
        optional: false,
        status: env.BETTER_AUTH_SECRET ? "Configured" : "Not configured: sign-in is refused",
        ...(env.BETTER_AUTH_SECRET ? {} : { hint: "wrangler secret put BETTER_AUTH_SECRET (at least 32 random characters)." }),
      },
      {
        id: "secrets-key",
        label: "Agent secrets key",
        ok: Boolean(env.SECRETS_KEY),
        optional: false,
        status: env.SECRETS_KEY ? "Configured" : "Not configured: agent secrets cannot be stored",
        ...(env.SECRETS_KEY ? {} : { hint: "wrangler secret put SECRETS_KEY (e.g. openssl rand -base64 32)." }),
      },
    );
  }
  return { environment: env.ENVIRONMENT, version, checks };
}
