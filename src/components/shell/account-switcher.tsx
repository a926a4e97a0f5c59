"use client";

import { Plus, User, Users } from "lucide-react";
import Link from "next/link";
import { selectAccount } from "@/components/teams/select-account.ts";

export interface AccountChoice {
  id: string;
  name: string;
  kind: "personal" | "team";
}

/**
 * Chooses the billing account the app acts on: personal or one of the caller's teams. The choice is kept in a
 * cookie, so agents, usage and billing pages (and their API calls) follow it.
 */
export function AccountSwitcher({ accounts, selectedId }: { accounts: AccountChoice[]; selectedId: string }) {
  const selected = accounts.find((a) => a.id === selectedId) ?? accounts[0];
  const Icon = selected?.kind === "team" ? Users : User;
  return (
    <div className="grid gap-1">
      <label className="relative flex w-full items-center gap-2 rounded-md border px-3 py-2 text-sm focus-within:ring-2 focus-within:ring-ring">
        <Icon className="size-4 shrink-0 text-muted-foreground" />
        <span className="sr-only">Account</span>
        <select
          aria-label="Account"
          data-testid="account-switcher"
          className="min-w-0 flex-1 truncate bg-transparent outline-none"
          value={selected?.id}
          onChange={(e) => selectAccount(e.target.value)}
        >
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.kind === "personal" ? "Personal" : a.name}
            </option>
          ))}
        </select>
      </label>
      <Link href="/team?new=1" className="flex items-center gap-1 px-1 text-xs text-muted-foreground hover:text-foreground">
        <Plus className="size-3" /> New team
      </Link>
    </div>
  );
}
