import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client.ts";
import { listMailbox } from "@/lib/email/mailbox.ts";
import { isMailboxReadable } from "@/lib/email/send.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dev mailbox" };

export default async function DevMailboxPage({ searchParams }: { searchParams: Promise<{ to?: string }> }) {
  const env = getEnv();
  if (!isMailboxReadable(env)) notFound();
  const { to } = await searchParams;
  const messages = await listMailbox(getDb(env.DB), to);
  return (
    <main className="mx-auto max-w-3xl p-6">
      <h1 className="text-2xl font-semibold">Dev mailbox</h1>
      <p className="mt-1 text-sm text-muted-foreground">
        Emails the platform sent while no email provider is configured. Not available in production.
      </p>
      {messages.length === 0 ? (
        <p className="mt-8 text-muted-foreground">No messages yet.</p>
      ) : (
        <ul className="mt-6 space-y-4">
          {messages.map((message) => (
            <li key={message.id} className="rounded-lg border p-4" data-testid="mail">
              <p className="text-xs text-muted-foreground">
                To {message.to} · {new Date(message.createdAt).toLocaleString("en")}
              </p>
              <p className="mt-1 font-medium">{message.subject}</p>
              <pre className="mt-2 whitespace-pre-wrap break-words text-sm">{message.text}</pre>
              {message.links.map((link) => (
                <a key={link} href={link} className="mt-2 block break-all text-sm text-primary underline">
                  {link}
                </a>
              ))}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
