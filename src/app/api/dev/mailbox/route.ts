import { z } from "zod";
import { getDb } from "@/db/client.ts";
import { listMailbox } from "@/lib/email/mailbox.ts";
import { isMailboxActive } from "@/lib/email/send.ts";
import { NotFound } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

const Query = z.object({ to: z.email().max(254).optional() });

// The local mailbox exists only while it is the active email transport, and never in production.
export const GET = handle(async (request) => {
  const env = getEnv();
  if (!isMailboxActive(env)) throw new NotFound();
  const { to } = parseWith(Query, { to: new URL(request.url).searchParams.get("to") ?? undefined });
  return Response.json({ messages: await listMailbox(getDb(env.DB), to) }, { headers: { "cache-control": "no-store" } });
});
