import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import type { CreditsResponse } from "./billing-api.ts";
import { credits } from "./format.ts";

/** `team`: a team's balance, which gets no monthly free credits. */
export function BalanceCard({ balance, team = false }: { balance: CreditsResponse; team?: boolean }) {
  return (
    <Card>
      <CardHeader>
        <CardDescription>Balance</CardDescription>
        <CardTitle className="text-3xl" data-testid="balance-total">
          {credits(balance.balance)} credits
        </CardTitle>
      </CardHeader>
      <CardContent>
        <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-muted-foreground">Free this month</dt>
            <dd className="font-medium" data-testid="balance-free">
              {credits(balance.free)}
            </dd>
          </div>
          <div>
            <dt className="text-muted-foreground">Purchased</dt>
            <dd className="font-medium" data-testid="balance-purchased">
              {credits(balance.purchased)}
            </dd>
          </div>
          {balance.reserved > 0 && (
            <div>
              <dt className="text-muted-foreground">Held by running steps</dt>
              <dd className="font-medium">{credits(balance.reserved)}</dd>
            </div>
          )}
        </dl>
        <p className="mt-3 text-xs text-muted-foreground">
          {team
            ? "Teams get no monthly free credits; purchased and added credits never expire."
            : "Free credits reset to 50 each calendar month (UTC) and are spent first; purchased credits never expire."}
        </p>
      </CardContent>
    </Card>
  );
}
