"use client";

import Link from "next/link";
import { Button } from "@/components/ui/button.tsx";
import { useAgentWorkspace } from "./agent-context.tsx";

/** Whether the caller may buy credits for this agent's account (billing.purchase); undefined until the agent is known. */
function useCanBuyCredits(): boolean | undefined {
  const { agent } = useAgentWorkspace();
  return agent ? (agent.permissions ?? []).includes("billing.purchase") : undefined;
}

/** The server's out-of-credits text, without its "Buy credits at /billing" advice for someone who may not buy. */
export function useCreditText(text: string): string {
  const canBuy = useCanBuyCredits();
  return canBuy === false ? text.replace(/\s*Buy credits at \/billing[^.]*\./, "") : text;
}

/** useCreditText as an element, for a message view that cannot call hooks before its early return. */
export function CreditText({ text }: { text: string }) {
  return <>{useCreditText(text)}</>;
}

/** What to do about an empty balance: buy credits, or, for a member whose role does not allow it, whom to ask. */
export function CreditAction() {
  const canBuy = useCanBuyCredits();
  if (canBuy === undefined) return null;
  if (!canBuy) return <span className="text-muted-foreground">Ask a team owner or admin to add credits.</span>;
  return (
    <Button asChild size="sm">
      <Link href="/billing">Buy credits</Link>
    </Button>
  );
}
