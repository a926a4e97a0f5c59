import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { openShare } from "@/lib/threads/shares.ts";
import { Brand } from "@/components/shell/brand.tsx";
import { SharedThread } from "@/components/share/shared-thread.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Shared conversation", robots: { index: false, follow: false } };

/** Public: the snapshot of a shared thread, read-only, for anyone with the link; gone once revoked. */
export default async function SharePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const shared = await openShare(getDb(getEnv().DB), token);
  if (!shared) notFound();
  return (
    <div className="min-h-dvh bg-background">
      <header className="border-b px-4 py-3">
        <div className="mx-auto flex max-w-3xl items-center justify-between gap-3">
          <Brand />
          <span className="text-xs text-muted-foreground">Read-only snapshot</span>
        </div>
      </header>
      <main className="mx-auto max-w-3xl px-4 py-6">
        <h1 className="text-xl font-semibold">{shared.title}</h1>
        <p className="mt-1 text-sm text-muted-foreground">
          Shared <time dateTime={shared.sharedAt}>{new Date(shared.sharedAt).toUTCString()}</time>
        </p>
        <SharedThread messages={shared.messages} />
      </main>
    </div>
  );
}
