"use client";

import { Loader2, LogOut } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { authClient } from "./auth-client.ts";

export interface ShellUser {
  name: string;
  email: string;
  isAdmin: boolean;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]![0], parts[parts.length - 1]![0]] : [...(parts[0] ?? "?")].slice(0, 2);
  return letters.join("").toUpperCase();
}

export function Avatar({ name, className = "size-8 text-xs" }: { name: string; className?: string }) {
  return (
    <span
      aria-hidden="true"
      className={`grid shrink-0 place-items-center rounded-full bg-secondary font-semibold text-secondary-foreground ${className}`}
    >
      {initials(name)}
    </span>
  );
}

/** The signed-in user at the foot of the sidebar, with sign out. */
export function UserMenu({ user }: { user: ShellUser }) {
  const [pending, setPending] = useState(false);
  // Lets Better Auth extend the session and re-set its cookie while the user keeps using the app.
  useEffect(() => {
    void authClient.getSession();
  }, []);
  async function signOut() {
    setPending(true);
    await authClient.signOut();
    window.location.assign("/sign-in");
  }
  return (
    <div className="flex items-center gap-2 border-t pt-4" data-testid="user-menu">
      <Avatar name={user.name} />
      <div className="min-w-0 flex-1 text-sm">
        <p className="truncate font-medium">{user.name}</p>
        <p className="truncate text-xs text-muted-foreground">{user.email}</p>
      </div>
      <Button variant="ghost" size="icon" aria-label="Sign out" title="Sign out" onClick={signOut} disabled={pending}>
        {pending ? <Loader2 className="animate-spin" /> : <LogOut />}
      </Button>
    </div>
  );
}
