import { z } from "zod";
import { getDb } from "@/db/client.ts";
import { listMailbox } from "@/lib/email/mailbox.ts";
import { escapeHtml } from "@/lib/email/message.ts";
import { isMailboxReadable, sendEmail } from "@/lib/email/send.ts";
import { NotFound } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

const Query = z.object({ to: z.email().max(254).optional() });
const TestEmail = z.object({
  to: z.email().max(254),
  subject: z.string().trim().min(1).max(200),
  text: z.string().max(10_000),
});

function mailboxEnv() {
  const env = getEnv();
  // The local mailbox exists only while it is the active email transport, and never in production.
  if (!isMailboxReadable(env)) throw new NotFound();
  return env;
}

export const GET = handle(async (request) => {
  const env = mailboxEnv();
  const { to } = parseWith(Query, { to: new URL(request.url).searchParams.get("to") ?? undefined });
  return Response.json({ messages: await listMailbox(getDb(env.DB), to) }, { headers: { "cache-control": "no-store" } });
});

/** Sends a test message through the email module into the mailbox (development only). */
export const POST = handle(async (request) => {
  const env = mailboxEnv();
  const { to, subject, text } = await readJson(request, TestEmail);
  await sendEmail(env, { to, subject, text, html: `<p>${escapeHtml(text)}</p>` });
  return Response.json({ sent: true }, { status: 201 });
});
