import Stripe from "stripe";
import type { Env } from "../../env.ts";
import { ServiceUnavailable } from "../errors.ts";
import { PURCHASES_SETUP_HINT, PURCHASES_UNAVAILABLE } from "./purchase-messages.ts";

export type StripeEnv = Pick<Env, "STRIPE_SECRET_KEY" | "STRIPE_WEBHOOK_SECRET" | "STRIPE_API_BASE" | "ENVIRONMENT">;

/** Purchases need both keys: the secret key creates sessions, the webhook secret is the only way credits arrive. */
export function stripeConfigured(env: StripeEnv): boolean {
  return Boolean(env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET);
}

/**
 * The Stripe SDK on the Workers runtime (fetch, no Node http). `STRIPE_API_BASE` points it at a stand-in outside
 * production, for tests. Without keys it refuses with 503: in plain words, or with what to set `forOperator`.
 */
export function stripeClient(env: StripeEnv, options: { forOperator?: boolean } = {}): Stripe {
  if (!env.STRIPE_SECRET_KEY || !env.STRIPE_WEBHOOK_SECRET) {
    throw new ServiceUnavailable(options.forOperator ? PURCHASES_SETUP_HINT : PURCHASES_UNAVAILABLE);
  }
  const base = env.STRIPE_API_BASE && env.ENVIRONMENT !== "production" ? new URL(env.STRIPE_API_BASE) : null;
  return new Stripe(env.STRIPE_SECRET_KEY, {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: 2,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === "https:" ? 443 : 80),
          protocol: base.protocol === "https:" ? "https" : "http",
        }
      : {}),
  });
}

export const webCrypto = Stripe.createSubtleCryptoProvider();
