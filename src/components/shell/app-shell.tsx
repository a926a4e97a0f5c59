"use client";

import { Menu, X } from "lucide-react";
import { useState, type ReactNode } from "react";
import { UserMenu, type ShellUser } from "@/components/auth/user-menu.tsx";
import { Button } from "@/components/ui/button.tsx";
import { PERMISSIONS, type Permission } from "@/lib/teams/permissions.ts";
import { AccountSwitcher, type AccountChoice } from "./account-switcher.tsx";
import { AppNav } from "./app-nav.tsx";
import { Brand } from "./brand.tsx";
import { ThemeToggle } from "./theme-toggle.tsx";

export interface ShellAccounts {
  choices: AccountChoice[];
  selectedId: string;
  /** What the caller may do in the selected account: the navigation hides the rest. */
  permissions: Permission[];
}

export function AppShell({ children, user, accounts }: { children: ReactNode; user: ShellUser; accounts?: ShellAccounts }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const sidebar = (onClose?: () => void) => (
    <div className="flex h-full flex-col gap-6 p-4">
      <div className="flex items-center justify-between gap-2">
        <Brand />
        <div className="flex items-center">
          <ThemeToggle />
          {onClose && (
            <Button variant="ghost" size="icon" aria-label="Close menu" onClick={onClose}>
              <X />
            </Button>
          )}
        </div>
      </div>
      {accounts && <AccountSwitcher accounts={accounts.choices} selectedId={accounts.selectedId} />}
      <AppNav isAdmin={user.isAdmin} permissions={accounts?.permissions ?? [...PERMISSIONS]} onNavigate={() => setMenuOpen(false)} />
      <div className="mt-auto">
        <UserMenu user={user} />
      </div>
    </div>
  );
  return (
    <div className="min-h-dvh md:grid md:grid-cols-[15rem_1fr]">
      <aside className="hidden border-r md:block" data-testid="sidebar">
        <div className="sticky top-0 h-dvh">{sidebar()}</div>
      </aside>
      <header className="sticky top-0 z-30 flex h-14 items-center justify-between border-b bg-background/95 px-4 backdrop-blur md:hidden">
        <Brand />
        <Button variant="ghost" size="icon" aria-label="Open menu" aria-expanded={menuOpen} onClick={() => setMenuOpen(true)}>
          <Menu />
        </Button>
      </header>
      {menuOpen && (
        <div className="fixed inset-0 z-40 md:hidden" role="dialog" aria-modal="true" aria-label="Menu">
          <div aria-hidden="true" className="absolute inset-0 bg-black/40" onClick={() => setMenuOpen(false)} />
          <div className="absolute inset-y-0 left-0 w-72 max-w-[85vw] border-r bg-background shadow-xl">
            {sidebar(() => setMenuOpen(false))}
          </div>
        </div>
      )}
      <main className="min-w-0 p-4 md:p-8">{children}</main>
    </div>
  );
}
