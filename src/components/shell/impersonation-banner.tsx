"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { request } from "../api-client.ts";

/** Shown on every app page while an admin is signed in as this user, with the way back to the admin's own session. */
export function ImpersonationBanner({ name, email }: { name: string; email: string }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function exit() {
    setPending(true);
    setError(null);
    try {
      await request("/api/auth/admin/stop-impersonating", { method: "POST", body: {} });
      window.location.assign("/admin/users");
    } catch {
      setPending(false);
      setError("Could not stop impersonating; sign out instead.");
    }
  }
  return (
    <div
      role="status"
      data-testid="impersonation-banner"
      className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-500 bg-amber-100 px-4 py-2 text-sm text-amber-950 dark:bg-amber-950 dark:text-amber-100"
    >
      <span>
        You are signed in as <strong>{name}</strong> ({email}) by impersonation. Everything you do here is done as this user.
      </span>
      <Button size="sm" variant="outline" disabled={pending} onClick={exit}>
        Stop impersonating
      </Button>
      {error && <span className="w-full text-destructive">{error}</span>}
    </div>
  );
}
