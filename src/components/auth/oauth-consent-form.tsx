"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";

/** Allow or Deny: tells the OAuth provider and follows it back to the application (with a code, or a refusal). */
export function OAuthConsentForm() {
  const [pending, setPending] = useState<"allow" | "deny" | null>(null);
  const [error, setError] = useState<string>();

  async function decide(accept: boolean) {
    setPending(accept ? "allow" : "deny");
    setError(undefined);
    try {
      const response = await fetch("/api/auth/oauth2/consent", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ accept, oauth_query: window.location.search.slice(1) }),
      });
      const body = (await response.json().catch(() => ({}))) as { url?: string; redirect_uri?: string; message?: string };
      const target = body.url ?? body.redirect_uri;
      if (!response.ok || !target) throw new Error(body.message ?? "The request expired: start the connection again from the application");
      window.location.assign(target);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
      setPending(null);
    }
  }

  return (
    <div className="space-y-3">
      {error && (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      )}
      <div className="flex gap-2">
        <Button className="flex-1" disabled={pending !== null} onClick={() => decide(true)}>
          {pending === "allow" ? "Allowing..." : "Allow"}
        </Button>
        <Button className="flex-1" variant="outline" disabled={pending !== null} onClick={() => decide(false)}>
          {pending === "deny" ? "Denying..." : "Deny"}
        </Button>
      </div>
    </div>
  );
}
