"use client";

import { CheckCircle2, X } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Button } from "@/components/ui/button.tsx";

/** Confirms a just-verified email (the verification link lands on a page with `?verified=1`). */
export function VerifiedNotice({ emailVerified }: { emailVerified: boolean }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  if (!emailVerified || params.get("verified") !== "1") return null;
  return (
    <div role="status" className="flex items-center gap-3 rounded-md border border-emerald-500/50 bg-emerald-500/10 px-4 py-3 text-sm">
      <CheckCircle2 className="size-4 shrink-0 text-emerald-600" />
      <p className="min-w-0 flex-1">Your email is verified. Your agents are ready.</p>
      <Button variant="ghost" size="icon" aria-label="Dismiss" onClick={() => router.replace(pathname)}>
        <X />
      </Button>
    </div>
  );
}
