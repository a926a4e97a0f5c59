/** What a user reads while purchases are not set up: nothing about server configuration. */
export const PURCHASES_UNAVAILABLE = "Purchases are not available yet";

/** What an operator (a platform admin, or Stripe's webhook) reads instead: what to configure. */
export const PURCHASES_SETUP_HINT =
  "Purchases are not set up on this server: the operator must set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET";

/** Who can add credits to an account, for the billing page (teams get no free credits; only admins add credits without Stripe). */
export function whoAddsCredits(input: { team: boolean; purchasesEnabled: boolean; canPurchase: boolean }): string | null {
  if (input.purchasesEnabled) {
    return input.canPurchase
      ? null
      : "Only team members whose role allows buying credits (owners and admins) can buy credits for this team.";
  }
  return input.team
    ? "A platform administrator can add credits to this team: ask whoever runs this netM8 server."
    : "You get 50 free credits every month; a platform administrator can add more.";
}
